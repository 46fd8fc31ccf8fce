"""Log output without secrets: passwords, tokens, invitation links and cookies are masked in
every record the application or the development server writes."""

from __future__ import annotations

import logging
import re

from flask import Flask

_PATTERNS = [
    # key=value in query strings and form dumps
    (
        re.compile(
            r"(?i)\b(password|new_password|current_password|token|csrf_token|api_key|"
            r"secret|session)=([^&\s\"']+)"
        ),
        r"\1=[redacted]",
    ),
    # Authorization headers and bearer tokens
    (
        re.compile(r"(?i)\b(authorization:\s*bearer\s+|bearer\s+)([A-Za-z0-9._~+/=-]+)"),
        r"\1[redacted]",
    ),
    # API tokens by their prefix, anywhere
    (re.compile(r"\bcst_[A-Za-z0-9_-]{10,}"), "cst_[redacted]"),
    # Cookie headers
    (re.compile(r"(?i)\b(cookie:\s*)([^\n]+)"), r"\1[redacted]"),
    # Invitation links carry the token in the path: the whole segment is masked, whatever
    # it starts with (a percent-encoded or odd character must not shield the token)
    (re.compile(r"(/invitations?/)([^\s\"'?#&]+)"), r"\1[redacted]"),
]


def redact(text: str) -> str:
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


class RedactingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, ()
        return True


def init_app(app: Flask) -> None:
    """Attach the filter to the app's and werkzeug's loggers (idempotent)."""
    for logger in (
        app.logger,
        logging.getLogger("werkzeug"),
        logging.getLogger("gunicorn.access"),
        logging.getLogger("gunicorn.error"),
    ):
        if not any(isinstance(f, RedactingFilter) for f in logger.filters):
            logger.addFilter(RedactingFilter())
