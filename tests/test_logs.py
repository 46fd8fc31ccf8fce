"""Logs carry no passwords, tokens or cookies: plant them, serve real requests, grep the logs."""

import logging
import threading
import urllib.parse
import urllib.request

from werkzeug.serving import make_server

from consortium.auth.services import create_api_token
from consortium.extensions import db
from consortium.web.logs import redact
from tests import factories
from tests.conftest import PASSWORD

SECRET_TOKEN = "cst_PLANTEDtokenVALUE0123456789abcdef"


def test_redact_masks_each_kind_of_secret():
    line = (
        'POST /login?password=hunter2&next=/ "Authorization: Bearer abc.def" '
        "Cookie: session=xyz /invitations/ABCDEFGHIJKLMNOPQRSTUVWXYZ token=zzz " + SECRET_TOKEN
    )
    cleaned = redact(line)
    for secret in (
        "hunter2",
        "abc.def",
        "session=xyz",
        "ABCDEFGHIJKLMNOPQRSTUVWXYZ",
        "zzz",
        "PLANTEDtoken",
    ):
        assert secret not in cleaned


def test_served_requests_leave_no_secret_in_the_logs(app, caplog):
    with app.app_context():
        user = factories.make_user("ann@example.org")
        token = create_api_token(user, name="t")
        db.session.commit()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_port}"
    caplog.set_level(logging.DEBUG)
    try:
        body = urllib.parse.urlencode({"email": "ann@example.org", "password": PASSWORD}).encode()
        urllib.request.urlopen(urllib.request.Request(f"{base}/login", data=body))
        urllib.request.urlopen(f"{base}/login?token=PLANTEDquerytoken123&password=PLANTEDpw")
        urllib.request.urlopen(
            urllib.request.Request(
                f"{base}/api/v1/proposals", headers={"Authorization": f"Bearer {token}"}
            )
        )
        app.logger.warning("debug dump: password=%s token=%s", "PLANTEDpw2", token)
    finally:
        server.shutdown()
        thread.join(timeout=5)

    text = "\n".join(record.getMessage() for record in caplog.records)
    assert "/login" in text  # the requests were logged
    for secret in (PASSWORD, "PLANTEDquerytoken123", "PLANTEDpw", token):
        assert secret not in text
