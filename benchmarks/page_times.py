"""Median time of the main pages of a proposal, in French, through the Flask test client.

For checking that a change of plumbing (translations, gathering, splitting functions) leaves
the pages as fast as before: run it before and after on the same machine and compare.
On the demo (SQLite file in a temporary folder), as the lead.

Run: ``python benchmarks/page_times.py [--repeat 15]``
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

PAGES = ("", "/commitments", "/commitments/grid", "/dossier", "/fit", "/network")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()

    from sqlalchemy import select

    from consortium import create_app
    from consortium.demo.load import load_demo
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
        load_demo(password_method="pbkdf2:sha256:1000")
        db.session.commit()
        pid = db.session.scalar(select(Proposal.id).where(Proposal.acronym == "REBATIR"))
    client = app.test_client()
    response = client.post(
        "/login", data={"email": "lead@example.org", "password": "marseille2030"}
    )
    assert response.status_code == 302, response.status_code
    print(f"{'page (REBATIR, French)':32} {'median ms':>10}")
    for page in PAGES:
        url = f"/proposals/{pid}{page}"
        assert client.get(url, headers={"Accept-Language": "fr"}).status_code == 200, url
        times = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            client.get(url, headers={"Accept-Language": "fr"})
            times.append((time.perf_counter() - start) * 1000)
        print(f"{'/proposals/<id>' + page:32} {statistics.median(times):10.1f}")


if __name__ == "__main__":
    main()
