"""gunicorn settings for consortium behind a reverse proxy.

    gunicorn --config deploy/gunicorn.conf.py "consortium:create_app()"

Command-line options override these; CONSORTIUM_BIND, CONSORTIUM_WORKERS,
CONSORTIUM_WORKER_TIMEOUT and CONSORTIUM_LOG_LEVEL are read below. The access log never
shows the query string (``%(U)s`` is the path only, not ``%(r)s`` the whole request line), so
tokens passed as parameters never reach the logs; invitation tokens in paths are masked by
the app's filter (consortium/web/logs.py), which is attached to the ``gunicorn.access``
logger too.
"""

import gc
import multiprocessing
import os

# Where the reverse proxy (nginx, Caddy) forwards to; keep it on the loopback.
bind = os.environ.get("CONSORTIUM_BIND", "127.0.0.1:8000")
# Word exports are CPU-bound: about one worker per core plus one, at least two.
workers = int(os.environ.get("CONSORTIUM_WORKERS", max(2, multiprocessing.cpu_count() + 1)))
worker_class = "sync"
# A Word export of a whole dossier takes a few seconds; leave room, then recycle the worker.
timeout = int(os.environ.get("CONSORTIUM_WORKER_TIMEOUT", 60))
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then so a slow leak never grows for ever.
max_requests = 2000
max_requests_jitter = 200
# Each worker builds the app and opens its own database pool after the fork.
preload_app = False

# Logs to standard output/error (journald, docker logs...).
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("CONSORTIUM_LOG_LEVEL", "info")
# %(U)s: the path without the query string. %(h)s is the proxy's address; the client's,
# as the proxy saw it, is the X-Forwarded-For header logged next to it. %(M)s: milliseconds.
access_log_format = '%(h)s "%({x-forwarded-for}i)s" %(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms'
# gunicorn itself trusts X-Forwarded-* only from these addresses (the app uses ProxyFix).
forwarded_allow_ips = "127.0.0.1"


def post_worker_init(worker):
    """Move what the worker built at start-up (modules, mappers, templates' environment,
    translations: ~170,000 objects) out of the garbage collector's sight.

    None of it is ever freed, yet every full collection walked all of it (~90 ms, landing on
    whichever request happened to trigger it); frozen, a full collection only walks what the
    requests themselves allocate.
    """
    gc.collect()
    gc.freeze()
