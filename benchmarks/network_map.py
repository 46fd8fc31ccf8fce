"""Time to draw the demo's proposal maps: the JSON the browser draws (load, filter, analyse,
lay out) and the figures, for each layout, through the test client as the lead.

Run: ``python benchmarks/network_map.py [--gets 7]``. Loads the Marseille demo into a
temporary SQLite database and prints the median and best wall time of each request
(target for the proposal view: < 300 ms server side). The 10,000-organisation territory is
measured by ``benchmarks/network_service.py`` (pages table).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

REQUESTS = {
    "map JSON (default: declared and project ties)": "/proposals/{pid}/network.json",
    "map JSON, every kind of tie": "/proposals/{pid}/network.json?{all_kinds}",
    "map JSON, grouped by cluster": "/proposals/{pid}/network.json?layout=cluster",
    "map JSON, centred on members": "/proposals/{pid}/network.json?layout=members",
    "map JSON, ego view (two steps)": "/proposals/{pid}/network.json?ego={ego}",
    "map page (HTML)": "/proposals/{pid}/network",
    "PNG figure (first drawing)": "/proposals/{pid}/network.png?layout=members&year_to={fresh}",
    "SVG figure (first drawing)": "/proposals/{pid}/network.svg?layout=members&year_to={fresh}",
}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--gets", type=int, default=7)
    args = parser.parse_args()

    from consortium import create_app
    from consortium.demo.load import load_demo
    from consortium.extensions import db
    from consortium.network.analysis import KINDS
    from consortium.network.figure import clear_renderings
    from consortium.proposals.models import Proposal
    from tests.conftest import test_config

    tmp = Path(tempfile.mkdtemp())
    app = create_app(test_config(tmp, SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp / 'demo.sqlite'}"))
    with app.app_context():
        db.create_all()
        load_demo(password_method="pbkdf2:sha256:1000")
        db.session.commit()
        proposals = {p.acronym: p.id for p in db.session.scalars(db.select(Proposal))}
    client = app.test_client()
    client.post("/login", data={"email": "lead@example.org", "password": "marseille2030"})
    all_kinds = "&".join(f"kind={k}" for k in KINDS)
    print(f"{'request':<48} {'proposal':<8} {'median':>9} {'best':>9}")
    for acronym, pid in sorted(proposals.items()):
        ego = client.get(f"/proposals/{pid}/network.json").get_json()["nodes"][0]["id"]
        for label, template in REQUESTS.items():
            walls = []
            for i in range(args.gets + 1):
                url = template.format(pid=pid, all_kinds=all_kinds, ego=ego, fresh=2026 - i)
                if "first drawing" in label:
                    clear_renderings()  # and a new year_to each time: no cached figure
                start = time.perf_counter()
                response = client.get(url)
                wall = time.perf_counter() - start
                assert response.status_code == 200, (url, response.status_code)
                if i:  # the first GET warms templates and imports
                    walls.append(wall)
            print(
                f"{label:<48} {acronym:<8} {statistics.median(walls) * 1000:7.1f} ms"
                f" {min(walls) * 1000:7.1f} ms"
            )


if __name__ == "__main__":
    main()
