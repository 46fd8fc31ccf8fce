"""Every setting the application reads, with safe development values.

Configuration is layered: these defaults, then ``instance/config.py``, then ``CONSORTIUM_*``
environment variables (``CONSORTIUM_DATABASE_URL``, ``CONSORTIUM_SECRET_KEY``...), then the
mapping given to ``create_app`` in tests.
"""

from __future__ import annotations


class Defaults:
    # "development" or "production"; production refuses a missing or development secret key.
    ENV_NAME = "development"
    # Generated into instance/secret_key on first run when not configured.
    SECRET_KEY: str | None = None
    # Relative SQLite paths resolve inside instance/ (Flask-SQLAlchemy behaviour).
    SQLALCHEMY_DATABASE_URI = "sqlite:///consortium.sqlite"
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    # Seconds an SQLite writer waits for the lock before giving up.
    SQLITE_BUSY_TIMEOUT_MS = 10_000
    # A database that does not answer: PostgreSQL gives up connecting after this many
    # seconds, and any statement (PostgreSQL and SQLite) is cancelled after this many ms;
    # the request gets the 503 page. 0 turns a limit off (e.g. for a long maintenance run).
    DATABASE_CONNECT_TIMEOUT = 5
    DATABASE_STATEMENT_TIMEOUT_MS = 30_000

    # Session cookies: secure flags are forced on in production.
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    PERMANENT_SESSION_LIFETIME = 60 * 60 * 12
    # Server-side session lifetimes: a session unused for SESSION_IDLE_SECONDS, or older
    # than SESSION_MAX_SECONDS however active, is refused and the user logs in again.
    SESSION_IDLE_SECONDS = 4 * 3600
    SESSION_MAX_SECONDS = 24 * 3600

    # Largest accepted request body (uploads, imports), in bytes.
    MAX_CONTENT_LENGTH = 16 * 1024 * 1024
    # Where uploaded files (signed letters, reference .docx) are stored; relative to instance/.
    UPLOAD_FOLDER = "uploads"
    # Upload quotas: signed letters kept per participation (every version counts) and their
    # total size, and the total size of every stored upload of the instance.
    UPLOAD_MAX_LETTERS_PER_PARTICIPATION = 10
    UPLOAD_MAX_BYTES_PER_PARTICIPATION = 30 * 1024 * 1024
    UPLOAD_MAX_BYTES_PER_INSTANCE = 2 * 1024**3

    # Login throttling, counted in the database so it holds across gunicorn workers.
    LOGIN_MAX_FAILURES_PER_ACCOUNT = 5
    LOGIN_MAX_FAILURES_PER_ADDRESS = 20
    LOGIN_WINDOW_SECONDS = 15 * 60
    # A browser that logged in to an account before carries a signed cookie for it; its
    # failures are counted on their own (this limit), not per account or address, so others'
    # failures cannot lock its owner out.
    LOGIN_MAX_FAILURES_PER_DEVICE = 5
    LOGIN_DEVICE_MAX_AGE = 180 * 24 * 3600

    # scrypt with n=2**17 (~128 MiB, a few hundred ms): OWASP's recommended minimum or above.
    PASSWORD_HASH_METHOD = "scrypt:131072:8:1"  # nosec B105
    PASSWORD_MIN_LENGTH = 10

    # Invitation links for partners: lifetime in seconds.
    INVITATION_MAX_AGE = 14 * 24 * 3600

    # Reminders sent by `flask reminders send`: days before a task's due date, and days
    # before the call deadline (to the proposal's leads and writers).
    REMINDER_DAYS = "7,2"
    DEADLINE_REMINDER_DAYS = "14,7,1"

    # Outgoing mail; without MAIL_SERVER, messages go to the outbox page.
    MAIL_SERVER: str | None = None
    MAIL_PORT = 587
    MAIL_USERNAME: str | None = None
    MAIL_PASSWORD: str | None = None
    MAIL_USE_TLS = True
    MAIL_SENDER = "consortium@localhost"

    # Trusted reverse proxies in front of the app (werkzeug ProxyFix counts); 0 = no proxy.
    PROXY_FIX_X_FOR = 0
    PROXY_FIX_X_PROTO = 0
    PROXY_FIX_X_HOST = 0

    BABEL_DEFAULT_LOCALE = "en"
    BABEL_DEFAULT_TIMEZONE = "Europe/Paris"
    LANGUAGES = ("en", "fr")

    WTF_CSRF_TIME_LIMIT = None
    # Redis for background jobs (RQ) and their progress; None: jobs run in a thread of the
    # web process. Set CONSORTIUM_REDIS_URL=redis://127.0.0.1:6379/0 and run
    # `flask opendata worker` to use it.
    REDIS_URL: str | None = None
    # auto (RQ when a worker listens, else a thread) | rq | thread | inline
    OPENDATA_JOBS = "auto"
    # Above this many organisations the territory page does not analyse the whole network while
    # the reader waits (about 20 s for 60,000 organisations): it shows the last background
    # analysis (`flask network analyse`, or the page's button). inline | thread for that run.
    NETWORK_PAGE_LIMIT = 20_000
    NETWORK_JOBS = "thread"

    # Rows per page in lists.
    PAGE_SIZE = 50
