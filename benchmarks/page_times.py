"""Median time of the main pages of a proposal, in French, through the Flask test client.

For checking that a change of plumbing (translations, gathering, splitting functions) leaves
the pages as fast as before: run it before and after on the same machine and compare.
On the demo (SQLite file in a temporary folder), as the lead.

Run: ``python benchmarks/page_times.py [--repeat 15]``
"""

from __future__ import annotations

import argparse
import statistics
import time

from demo_app import demo_app, lead_client, proposal_ids

PAGES = ("", "/commitments", "/commitments/grid", "/dossier", "/fit", "/network")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()

    app = demo_app()
    pid = proposal_ids(app)["REBATIR"]
    client = lead_client(app)
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
