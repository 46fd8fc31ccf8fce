"""Cross-cutting HTTP concerns: error pages, security headers, language choice."""
