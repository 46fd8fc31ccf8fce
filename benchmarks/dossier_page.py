"""What "the drafting always has the network analysis" costs the dossier pages (issue #14, 2).

On the demo (SQLite file): the dossier page and a section page as the lead through the Flask
test client, and the network analysis alone (``dossier.services.network_of``), which the page's
gather now always includes; plus the time ``demo load`` takes, which now drafts the sections.

Run: ``python benchmarks/dossier_page.py [--repeat 7]``
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def _median_ms(function, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()

    from sqlalchemy import select

    from consortium import create_app
    from consortium.demo.load import load_demo
    from consortium.dossier import services
    from consortium.extensions import db
    from consortium.proposals.models import Proposal

    tmp = tempfile.mkdtemp()
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "benchmark-secret-key-0123456789abcdef",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/bench.sqlite",
            "UPLOAD_FOLDER": f"{tmp}/uploads",
            "WTF_CSRF_ENABLED": False,
        }
    )
    with app.app_context():
        db.create_all()
        start = time.perf_counter()
        load_demo(password_method="pbkdf2:sha256:1000")
        db.session.commit()
        print(f"demo load (with the sections drafted): {time.perf_counter() - start:.2f} s")
        ids = {p.acronym: p.id for p in db.session.scalars(select(Proposal))}
    client = app.test_client()
    response = client.post(
        "/login", data={"email": "lead@example.org", "password": "marseille2030"}
    )
    assert response.status_code == 302, response.status_code
    print(f"{'proposal':8} {'dossier page ms':>16} {'section page ms':>16} {'network_of ms':>14}")
    for acronym in ("REBATIR", "VERDIR"):
        pid = ids[acronym]
        assert client.get(f"/proposals/{pid}/dossier?lang=en").status_code == 200
        with app.app_context():
            proposal = db.session.get(Proposal, pid)
            section_id = next(iter(services.sections_of(proposal, "en").values())).id

            def network(proposal=proposal):
                db.session.expire_all()
                services.network_of(proposal)

            network_ms = _median_ms(network, args.repeat)
        page_ms = _median_ms(
            lambda pid=pid: client.get(f"/proposals/{pid}/dossier?lang=en"), args.repeat
        )
        section_ms = _median_ms(
            lambda pid=pid, sid=section_id: client.get(f"/proposals/{pid}/dossier/sections/{sid}"),
            args.repeat,
        )
        print(f"{acronym:8} {page_ms:16.1f} {section_ms:16.1f} {network_ms:14.1f}")


if __name__ == "__main__":
    main()
