"""What "the drafting always has the network analysis" costs the dossier pages (issue #14, 2).

On the demo (SQLite file): the dossier page and a section page as the lead through the Flask
test client, and the network analysis alone (``network.services.dossier_network``), which the page's
gather now always includes; plus the time ``demo load`` takes, which now drafts the sections.

Run: ``python benchmarks/dossier_page.py [--repeat 7]``
"""

from __future__ import annotations

import argparse
import statistics
import time

from demo_app import demo_app, lead_client, proposal_ids


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

    from consortium.dossier import services
    from consortium.extensions import db
    from consortium.network.services import dossier_network
    from consortium.proposals.models import Proposal

    start = time.perf_counter()
    app = demo_app()
    print(f"demo load (with the sections drafted): {time.perf_counter() - start:.2f} s")
    ids = proposal_ids(app)
    client = lead_client(app)
    print(f"{'proposal':8} {'dossier page ms':>16} {'section page ms':>16} {'network ms':>14}")
    for acronym in ("REBATIR", "VERDIR"):
        pid = ids[acronym]
        assert client.get(f"/proposals/{pid}/dossier?lang=en").status_code == 200
        with app.app_context():
            proposal = db.session.get(Proposal, pid)
            section_id = next(iter(services.sections_of(proposal, "en").values())).id

            def network(proposal=proposal):
                db.session.expire_all()
                dossier_network(proposal)

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
