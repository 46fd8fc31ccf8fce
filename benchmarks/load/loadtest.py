"""Load test: leads, partners and writers working at once against a running server.

    python benchmarks/load/loadtest.py setup --users 50          # accounts, via the services
    python benchmarks/load/loadtest.py run --url http://127.0.0.1:8000 --users 50 --duration 60

``setup`` and the end of ``run`` read CONSORTIUM_DATABASE_URL (the server's database) to
create the accounts and to check that no save was lost. See benchmarks/load/run.sh for the
whole sequence (PostgreSQL database, demo, gunicorn with 4 workers) and
docs/benchmarks/load.md for the figures.

The mix (per simulated user, a think time of 0.5 to 1.5 s between actions):
- leads browse the home page, the proposal dashboard, workshops, the fit ranking and the
  commitments board;
- partners open their commitment and save it: the tasks field gets a unique value that carries
  a counter; a 302 is a save, a 409 a conflict (not an error, not counted as saved);
- writers open a dossier section and save it (a unique line appended, same rule), and now and
  then export the Word dossier.
Afterwards the database must hold exactly the saves the clients counted.

Needs httpx (``pip install -e ".[load]"``).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import subprocess
import sys
import threading
import time
from collections import defaultdict
from pathlib import Path

import lxml.html

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

PASSWORD = "marseille2030"
ACRONYM = "REBATIR"
PAGE_KINDS = ("page", "save")  # targets apply to these; exports and logins are reported apart
# Saved values carry the run's id, so a run on a database reused from an earlier run
# (SKIP_SETUP=1) never finds the earlier run's markers when it counts versions.
RUN_ID = f"{int(time.time()):x}"


# ---------------------------------------------------------------------------------------
# Setup: accounts through the app's services


def accounts(users: int) -> dict[str, list[str]]:
    """How the simulated users split: 30 % leads, 50 % partners, 20 % writers."""
    leads = max(1, users * 3 // 10)
    writers = max(1, users // 5)
    partners = max(1, users - leads - writers)
    return {
        "lead": [f"load-lead-{i:03d}@example.org" for i in range(leads)],
        "partner": [f"load-partner-{i:03d}@example.org" for i in range(partners)],
        "writer": [f"load-writer-{i:03d}@example.org" for i in range(writers)],
    }


def setup(users: int) -> None:
    from sqlalchemy import select

    from consortium import create_app
    from consortium.auth.models import User
    from consortium.auth.services import create_user
    from consortium.commitments import services as commitments
    from consortium.directory.models import Organisation
    from consortium.extensions import db
    from consortium.proposals import services as proposals
    from consortium.proposals.models import Proposal

    app = create_app()
    with app.app_context():
        actor = db.session.scalar(select(User).where(User.email == "lead@example.org"))
        all_proposals = list(db.session.scalars(select(Proposal).order_by(Proposal.id)))
        rebatir = next(p for p in all_proposals if p.acronym == ACRONYM)
        assert actor is not None, "load the demo first: flask --app consortium demo load"
        # One hash for every load account: the same password, and setup stays quick.
        method = app.config["PASSWORD_HASH_METHOD"]
        created = 0
        for role, emails in accounts(users).items():
            for index, email in enumerate(emails):
                user = db.session.scalar(select(User).where(User.email == email))
                if user is None:
                    user = create_user(
                        email=email, name=f"Load {role} {index}", password=PASSWORD, method=method
                    )
                    created += 1
                if role == "partner":
                    name = f"Load partner organisation {index:03d}"
                    org = db.session.scalar(select(Organisation).where(Organisation.name == name))
                    if org is None:
                        org = Organisation(
                            name=name,
                            acronym=f"LP{index:03d}",
                            country="FR",
                            city="Marseille",
                            org_type="ngo",
                        )
                        db.session.add(org)
                        db.session.flush()
                    part = commitments.participation_for(rebatir, org.id)
                    if part is None:
                        part = commitments.add_participation(rebatir, org, actor=actor)
                        part.status = "invited"
                    proposals.give_role(rebatir, user, "partner", actor=actor, organisation=org)
                else:
                    for proposal in all_proposals:
                        proposals.give_role(proposal, user, role, actor=actor)
            db.session.commit()
        print(
            f"load accounts ready ({created} created): "
            + ", ".join(f"{len(v)} {k}s" for k, v in accounts(users).items())
        )


# ---------------------------------------------------------------------------------------
# HTML forms


def form_with(html: str, field: str) -> dict:
    """The first form holding ``field``: its action, method and the fields a browser would
    post (checked boxes, selected options, textareas without their leading newline).

    lxml parses in C: the client shares the server's cores, so its own parsing must stay
    small (the pure-Python HTMLParser cost ~3 ms per page, lxml ~0.3 ms).
    """
    for form in lxml.html.fromstring(html).forms:
        if field in form.fields:
            return {
                "action": form.get("action", ""),
                "method": form.get("method", "get"),
                "fields": [[name, value] for name, value in form.form_values()],
            }
    raise LookupError(f"no form with a {field!r} field")


# ---------------------------------------------------------------------------------------
# Simulated users


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.samples: dict[str, list[float]] = defaultdict(list)  # kind -> seconds
        self.by_route: dict[str, list[float]] = defaultdict(list)
        self.statuses: dict[str, int] = defaultdict(int)
        self.errors: list[str] = []
        self.saves: dict[str, list[str]] = defaultdict(list)  # key -> values saved, in order
        self.conflicts = 0

    def record(self, kind: str, route: str, seconds: float, status: int) -> None:
        with self.lock:
            self.samples[kind].append(seconds)
            self.by_route[route].append(seconds)
            self.statuses[str(status)] += 1

    def error(self, text: str) -> None:
        with self.lock:
            self.errors.append(text)


class User(threading.Thread):
    def __init__(
        self, role: str, email: str, base: str, stats: Stats, stop: threading.Event, seed: int
    ):
        super().__init__(daemon=True)
        import httpx

        self.role, self.email, self.stats, self.stop = role, email, stats, stop
        self.http = httpx.Client(base_url=base, follow_redirects=False, timeout=120)
        self.random = random.Random(seed)
        self.counter = 0
        self.jar: dict[str, str] = {}
        self.ready = threading.Event()
        self.measuring = False

    def call(self, kind: str, route: str, method: str, url: str, data=None, **kwargs):
        if data is not None:  # repeated names (person-months...) as lists for httpx
            grouped: dict[str, list[str]] = defaultdict(list)
            for name, value in data.items() if isinstance(data, dict) else data:
                grouped[name].append(value)
            kwargs["data"] = dict(grouped)
        # Cookies by hand: production cookies are Secure (the TLS proxy is not simulated
        # here), and a browser behind the proxy would send them.
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.jar.items())}
        start = time.perf_counter()
        try:
            response = self.http.request(method, url, headers=headers, **kwargs)
        except Exception as error:
            if self.measuring:
                self.stats.error(f"{method} {route}: {type(error).__name__}: {error}")
            return None
        elapsed = time.perf_counter() - start
        self.http.cookies.clear()
        for value in response.headers.get_list("set-cookie"):
            name, _, rest = value.partition("=")
            cookie = rest.split(";", 1)[0]
            if cookie and "Max-Age=0" not in value and "01 Jan 1970" not in value:
                self.jar[name.strip()] = cookie
            else:
                self.jar.pop(name.strip(), None)
        if self.measuring:
            self.stats.record(kind, route, elapsed, response.status_code)
            if response.status_code >= 500:
                self.stats.error(f"{method} {route}: {response.status_code}")
        return response

    def log_in(self) -> None:
        page = self.call("login", "GET /login", "GET", "/login")
        form = form_with(page.text, "password")
        fields = dict(form["fields"])
        fields.update(email=self.email, password=PASSWORD)
        reply = self.call("login", "POST /login", "POST", "/login", data=fields)
        assert reply is not None and reply.status_code == 302, (self.email, reply)
        home = self.call("page", "GET /", "GET", "/")
        ids = sorted({int(i) for i in re.findall(r'href="/proposals/(\d+)"', home.text)})
        self.proposals = ids
        if self.role == "writer":
            self.sections = {}
            for pid in ids:
                page = self.call("page", "GET dossier", "GET", f"/proposals/{pid}/dossier")
                found = sorted(
                    {
                        int(s)
                        for s in re.findall(
                            rf'href="/proposals/{pid}/dossier/sections/(\d+)"', page.text
                        )
                    }
                )
                self.sections[pid] = found
            assert any(self.sections.values()), "no dossier sections: load the demo"

    def run(self) -> None:
        try:
            self.log_in()
        except Exception as error:
            self.stats.error(f"login {self.email}: {error!r}")
            self.ready.set()
            return
        self.ready.set()
        while not self.stop.is_set():
            try:
                getattr(self, f"act_{self.role}")()
            except Exception as error:
                if self.measuring:
                    self.stats.error(f"{self.role} {self.email}: {error!r}")
            self.stop.wait(self.random.uniform(0.5, 1.5))

    # -- leads
    def act_lead(self) -> None:
        pid = self.random.choice(self.proposals)
        route, url = self.random.choice(
            [
                ("GET /", "/"),
                ("GET dashboard", f"/proposals/{pid}"),
                ("GET workshops", f"/proposals/{pid}/workshops"),
                ("GET fit", f"/proposals/{pid}/fit"),
                ("GET commitments board", f"/proposals/{pid}/commitments"),
            ]
        )
        self.call("page", route, "GET", url)

    # -- partners
    def act_partner(self) -> None:
        pid = self.proposals[0]
        url = f"/proposals/{pid}/commitments/mine"
        page = self.call("page", "GET commitment", "GET", url)
        if page is None or page.status_code != 200:
            return
        form = form_with(page.text, "tasks")
        self.counter += 1
        value = f"load {RUN_ID} {self.email} save {self.counter:05d}"
        fields = [(n, value if n == "tasks" else v) for n, v in form["fields"]]
        counted = self.measuring
        reply = self.call("save", "POST commitment", "POST", url, data=fields)
        self._saved(reply, f"partner:{self.email}", value, counted)

    # -- writers
    def act_writer(self) -> None:
        if self.random.random() < 0.1:
            pid = self.random.choice(self.proposals)
            self.call("export", "GET export.docx", "GET", f"/proposals/{pid}/dossier/export.docx")
            return
        pid = self.random.choice([p for p in self.proposals if self.sections.get(p)])
        section = self.random.choice(self.sections[pid])
        url = f"/proposals/{pid}/dossier/sections/{section}"
        page = self.call("page", "GET section", "GET", url)
        if page is None or page.status_code != 200:
            return
        form = form_with(page.text, "body")
        self.counter += 1
        marker = f"[load {RUN_ID} {self.email} save {self.counter:05d}]"
        fields = []
        for name, value in form["fields"]:
            if name == "body":
                lines = [
                    line
                    for line in value.replace("\r\n", "\n").split("\n")
                    if not line.startswith("[load ")
                ]
                value = "\n".join([*lines, marker])
            fields.append((name, value))
        counted = self.measuring
        reply = self.call("save", "POST section", "POST", url, data=fields)
        self._saved(reply, f"section:{section}", marker, counted)

    def _saved(self, reply, key: str, value: str, counted: bool) -> None:
        if reply is None or not counted:
            return
        if reply.status_code in (302, 303):
            with self.stats.lock:
                self.stats.saves[key].append(value)
        elif reply.status_code == 409:
            with self.stats.lock:
                self.stats.conflicts += 1
        else:
            self.stats.error(f"save {key}: status {reply.status_code}")


# ---------------------------------------------------------------------------------------
# Verification: the database holds exactly the saves the clients counted


def baseline() -> dict[str, int]:
    from sqlalchemy import func, select

    from consortium import create_app
    from consortium.dossier.models import SectionVersion
    from consortium.extensions import db

    with create_app().app_context():
        rows = db.session.execute(
            select(SectionVersion.section_id, func.count()).group_by(SectionVersion.section_id)
        ).all()
        return {f"section:{sid}": count for sid, count in rows}


def verify(stats: Stats, before: dict[str, int]) -> dict:
    from sqlalchemy import func, select

    from consortium import create_app
    from consortium.auth.models import User as UserModel
    from consortium.dossier.models import Section, SectionVersion
    from consortium.extensions import db
    from consortium.proposals.models import Participation, ProposalMember

    lost: list[str] = []
    checked = 0
    with create_app().app_context():
        for key, values in stats.saves.items():
            kind, ident = key.split(":", 1)
            checked += len(values)
            if kind == "partner":
                part = db.session.scalar(
                    select(Participation)
                    .join(
                        ProposalMember,
                        ProposalMember.organisation_id == Participation.organisation_id,
                    )
                    .join(UserModel, UserModel.id == ProposalMember.user_id)
                    .where(
                        UserModel.email == ident,
                        Participation.proposal_id == ProposalMember.proposal_id,
                    )
                )
                # One writer per participation: the last save the client saw is in the DB.
                if part.tasks != values[-1]:
                    lost.append(f"{key}: DB has {part.tasks!r}, client saved {values[-1]!r}")
            else:
                section_id = int(ident)
                body = db.session.get(Section, section_id).body
                if "[load " in body and not any(v in body for v in values):
                    lost.append(f"{key}: the final body holds no counted save")
                for value in values:  # every counted save is exactly one version
                    found = db.session.scalar(
                        select(func.count())
                        .select_from(SectionVersion)
                        .where(
                            SectionVersion.section_id == section_id,
                            SectionVersion.body.contains(value),
                        )
                    )
                    if found != 1:
                        lost.append(f"{key}: save {value} is in {found} versions")
    return {"saves_checked": checked, "lost": lost}


# ---------------------------------------------------------------------------------------
# Report


def percentile(values: list[float], q: float) -> float | None:
    """Nearest-rank percentile in milliseconds (None without samples)."""
    if not values:
        return None
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * len(ordered) + 0.5) - 1))
    return round(ordered[index] * 1000)


def machine() -> dict:
    def out(*command: str) -> str:
        try:
            return subprocess.run(
                command, capture_output=True, text=True, timeout=10
            ).stdout.strip()
        except OSError:
            return "?"

    return {
        "nproc": os.cpu_count(),
        "python": platform.python_version(),
        "postgresql": out("psql", "--version"),
        "kernel": platform.release(),
    }


def run(url: str, users: int, duration: float, seed: int, output: str | None) -> int:
    stats, stop = Stats(), threading.Event()
    roster = [(role, email) for role, emails in accounts(users).items() for email in emails]
    crowd = [
        User(role, email, url, stats, stop, seed + i) for i, (role, email) in enumerate(roster)
    ]
    print(f"logging in {len(crowd)} users…", flush=True)
    for user in crowd:
        user.start()
    for user in crowd:
        user.ready.wait(300)
    before = baseline()
    # Measure from here on: every user is logged in and working.
    for user in crowd:
        user.measuring = True
    started = time.perf_counter()
    time.sleep(duration)
    stop.set()
    for user in crowd:
        user.join(180)
    elapsed = time.perf_counter() - started
    check = verify(stats, before)
    total = sum(stats.statuses.values())
    pages = [s for kind in PAGE_KINDS for s in stats.samples[kind]]
    fivexx = sum(n for code, n in stats.statuses.items() if code.startswith("5"))
    report = {
        "command": " ".join(sys.argv),
        "machine": machine(),
        "users": len(crowd),
        "mix": {k: len(v) for k, v in accounts(users).items()},
        "duration_s": round(elapsed, 1),
        "requests": total,
        "requests_per_s": round(total / elapsed, 1),
        "statuses": dict(stats.statuses),
        "errors": len(stats.errors),
        "error_samples": stats.errors[:10],
        "5xx": fivexx,
        "conflicts_409": stats.conflicts,
        **check,
        "latency_ms": {
            kind: {
                "n": len(v),
                "p50": percentile(v, 50),
                "p95": percentile(v, 95),
                "p99": percentile(v, 99),
            }
            for kind, v in [("pages+saves", pages), *sorted(stats.samples.items())]
        },
        "by_route_ms": {
            route: {
                "n": len(v),
                "p50": percentile(v, 50),
                "p95": percentile(v, 95),
                "p99": percentile(v, 99),
            }
            for route, v in sorted(stats.by_route.items())
        },
    }
    p95 = report["latency_ms"]["pages+saves"]["p95"]
    report["targets"] = {
        "p95_pages_under_250ms": p95 is not None and p95 < 250,
        "no_5xx": fivexx == 0,
        "no_lost_write": not check["lost"],
        "no_error": not stats.errors,
    }
    text = json.dumps(report, indent=2, ensure_ascii=False)
    print(text)
    if output:
        Path(output).write_text(text + "\n")
    return 0 if all(report["targets"].values()) else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    s = sub.add_parser("setup", help="create the load accounts (reads CONSORTIUM_DATABASE_URL)")
    s.add_argument("--users", type=int, default=50)
    r = sub.add_parser("run", help="run the load against a server")
    r.add_argument("--url", default="http://127.0.0.1:8000")
    r.add_argument("--users", type=int, default=50)
    r.add_argument("--duration", type=float, default=60)
    r.add_argument("--seed", type=int, default=2030)
    r.add_argument("--output", help="also write the JSON report here")
    args = parser.parse_args()
    if args.command == "setup":
        setup(args.users)
        return 0
    return run(args.url, args.users, args.duration, args.seed, args.output)


if __name__ == "__main__":
    sys.exit(main())
