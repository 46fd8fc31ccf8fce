"""The one e-mail address check, on email-validator, for forms, imports and services alike.

Why: an address accepted by the directory import must be accepted by the invitation form and
the other way round; deliverability is not checked (no network, and a draft consortium often
lists addresses of partners who have not set up their mailbox yet).
"""

from __future__ import annotations

from email_validator import EmailNotValidError, validate_email

MAX_EMAIL = 254


def valid_email(text: str) -> bool:
    """Whether ``text`` is a syntactically valid address of at most 254 characters."""
    if not text or len(text) > MAX_EMAIL:
        return False
    try:
        validate_email(text, check_deliverability=False)
    except EmailNotValidError:
        return False
    return True
