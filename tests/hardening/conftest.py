"""Shared machinery of the hardening sweeps: one demo app per module, URL filling from the
demo rows, login without the form, database snapshots and HTML form parsing.

Everything here is generic over ``app.url_map`` and ``db.metadata`` so that areas merged
later are swept without touching these tests.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from lxml import html as lxml_html
from sqlalchemy import select

from tests import conftest as root_conftest

ADMIN = "admin@example.org"
ROLE_EMAILS = {
    "admin": ADMIN,
    "lead": "lead@example.org",
    "writer": "writer@example.org",
    "viewer": "viewer@example.org",
    "partner": "partner@example.org",
}
# Columns whose value changes on every request and says nothing about a half-saved form.
VOLATILE_COLUMNS = {("user_session", "last_seen_at")}
# Tables a refused request is meant to write to (failed logins are counted).
INTENDED_ON_REFUSAL = {"login_attempt"}


def build_demo_app(tmp_path):
    """A fresh app on the test database with the Marseille demo, the admin also lead of
    both demo proposals and one API token for the admin (so token routes resolve)."""
    from consortium import create_app
    from consortium.auth import services as auth_services
    from consortium.auth.models import User
    from consortium.demo.load import load_demo
    from consortium.extensions import db
    from consortium.proposals.models import Proposal, ProposalMember

    app = create_app(root_conftest.test_config(tmp_path))
    with app.app_context():
        if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
            if not root_conftest._pg_schema_ready:
                db.drop_all()
                db.create_all()
                root_conftest._pg_schema_ready = True
            root_conftest.reset_database(db)
        else:
            db.create_all()
        load_demo(password_method="pbkdf2:sha256:1000")
        admin = db.session.scalar(select(User).where(User.email == ADMIN))
        for proposal in db.session.scalars(select(Proposal).order_by(Proposal.id)):
            db.session.add(ProposalMember(proposal_id=proposal.id, user_id=admin.id, role="lead"))
        auth_services.create_api_token(admin, name="sweep token")
        seed_rows_the_demo_lacks(app, admin)
        db.session.commit()
    return app


def seed_rows_the_demo_lacks(app, admin) -> None:
    """One row for each route argument the demo leaves empty (a Word import, an open-data
    job, a territory analysis, an invitation link), so the sweeps reach those pages instead
    of skipping them."""
    from consortium.commitments import services as commitment_services
    from consortium.dossier import services as dossier_services
    from consortium.extensions import db
    from consortium.network import jobs as network_jobs
    from consortium.network import services as network_services
    from consortium.opendata.models import ImportJob
    from consortium.proposals.models import Participation, Proposal

    folder = app.config["UPLOAD_FOLDER"]
    proposal = db.session.scalar(select(Proposal).where(Proposal.acronym == "REBATIR"))
    exported = dossier_services.export_dossier(proposal, "en", upload_folder=folder)
    dossier_services.upload_word(
        proposal, lang="en", filename="sweep.docx", data=exported, upload_folder=folder, actor=admin
    )
    db.session.add(
        ImportJob(
            filename="sweep.csv",
            stored_path=str(Path(folder) / "sweep.csv"),
            status="done",
            created_by_id=admin.id,
        )
    )
    run = network_services.start_territory_analysis(actor=admin)
    db.session.flush()
    network_jobs.run(run.id)
    shortlisted = db.session.scalar(
        select(Participation)
        .where(Participation.proposal_id == proposal.id, Participation.status == "shortlisted")
        .order_by(Participation.id)
    )
    _invitation, token = commitment_services.create_invitation(
        shortlisted,
        actor=admin,
        email="sweep.partner@example.org",
        name="Sweep Partner",
        secret_key=app.config["SECRET_KEY"],
        max_age=int(app.config["INVITATION_MAX_AGE"]),
    )
    app.config["SWEEP_INVITATION_TOKEN"] = token


def dispose(app) -> None:
    from consortium.extensions import db

    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(scope="module")
def demo_app(tmp_path_factory):
    app = build_demo_app(tmp_path_factory.mktemp("hardening"))
    yield app
    dispose(app)


# --- logging in -----------------------------------------------------------------------------


def log_in(app, client, email: str) -> None:
    """Open a server-side session for ``email`` and put its token in the client's cookie,
    re-activating the account first (a sweep may have deactivated it)."""
    from consortium.auth import services as auth_services
    from consortium.auth.models import User
    from consortium.extensions import db

    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == email))
        if user is None:  # an earlier sweep renamed the account: find it by its demo role
            raise AssertionError(f"{email} disappeared from the database")
        user.active = True
        token = auth_services.open_session(user, user_agent="hardening")
        db.session.commit()
    with client.session_transaction() as session:
        session.clear()
        session["_user_id"] = token
        session["_fresh"] = True


def ensure_admin_is_lead(app) -> None:
    """Give the admin back the lead role on every proposal (a sweep may remove it)."""
    from consortium.auth.models import User
    from consortium.extensions import db
    from consortium.proposals.models import Proposal, ProposalMember

    with app.app_context():
        admin = db.session.scalar(select(User).where(User.email == ADMIN))
        admin.is_admin = True
        admin.active = True
        for proposal in db.session.scalars(select(Proposal)):
            member = db.session.scalar(
                select(ProposalMember).where(
                    ProposalMember.proposal_id == proposal.id, ProposalMember.user_id == admin.id
                )
            )
            if member is None:
                db.session.add(
                    ProposalMember(proposal_id=proposal.id, user_id=admin.id, role="lead")
                )
            else:
                member.role = "lead"
                member.organisation_id = None
        db.session.commit()


# --- filling URL rules with demo ids --------------------------------------------------------

# Argument names that do not follow the "<table>_id" pattern.
ARGUMENT_TABLES = {
    "member_id": "proposal_member",
    "token_id": "api_token",
    "identifier": "topic",
    "org_id": "organisation",
    "import_id": "word_import",
    "template_id": "section_template",
    "job_id": "opendata_job",
    "letter_id": "signed_letter",
    "run_id": "territory_analysis",
}
# Arguments that name no row: a fixed value every route with that argument accepts.
ARGUMENT_VALUES = {"fmt": "xlsx"}
# Arguments whose value is a secret the database only holds hashed: kept in the app config.
ARGUMENT_CONFIG = {"token": "SWEEP_INVITATION_TOKEN"}


def _table_for(argument: str, tables: dict):
    if argument in ARGUMENT_TABLES:
        return tables.get(ARGUMENT_TABLES[argument]), (
            "id" if argument.endswith("_id") else argument
        )
    if argument.endswith("_id"):
        base = argument[:-3]
        for name in (base, f"proposal_{base}", f"{base}s"):
            if name in tables:
                return tables[name], "id"
        suffixed = [t for n, t in tables.items() if n.endswith(f"_{base}")]
        if len(suffixed) == 1:
            return suffixed[0], "id"
        return None, None
    # A string argument: the first table holding a column of that name (code, identifier...).
    for table in tables.values():
        if argument in table.columns:
            return table, argument
    return None, None


def fill_rule(app, rule, *, user_email: str = ADMIN, prefer_proposal: str = "REBATIR"):
    """The rule's URL with every argument taken from an existing row, consistent with the
    other arguments (a workshop of that proposal, an output of that workshop...); rows the
    user owns are preferred for user-scoped tables. None when some argument has no row."""
    from consortium.auth.models import User
    from consortium.extensions import db
    from consortium.proposals.models import Proposal

    tables = {t.name: t for t in db.metadata.sorted_tables}
    values: dict = {}
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == user_email))
        ordered = sorted(rule.arguments, key=lambda a: (a != "proposal_id", a))
        for argument in ordered:
            if argument == "proposal_id":
                proposal = db.session.scalar(
                    select(Proposal).where(Proposal.acronym == prefer_proposal)
                ) or db.session.scalar(select(Proposal).order_by(Proposal.id))
                if proposal is None:
                    return None
                values[argument] = proposal.id
                continue
            if argument == "code" and rule.endpoint.startswith("locale."):
                values[argument] = "fr"
                continue
            if argument in ARGUMENT_VALUES:
                values[argument] = ARGUMENT_VALUES[argument]
                continue
            if argument in ARGUMENT_CONFIG and ARGUMENT_CONFIG[argument] in app.config:
                values[argument] = app.config[ARGUMENT_CONFIG[argument]]
                continue
            table, column = _table_for(argument, tables)
            if table is None:
                return None
            query = select(table.c[column])
            for known, value in values.items():
                if known in table.columns:
                    query = query.where(table.c[known] == value)
            if "user_id" in table.columns and user is not None and argument != "user_id":
                query = query.where(table.c.user_id == user.id)
            if argument == "user_id" and user is not None:
                query = query.where(table.c.id != user.id)  # never sweep oneself
            found = db.session.execute(query.order_by(table.c[column]).limit(1)).scalar()
            if found is None:
                return None
            values[argument] = found
        with app.test_request_context():
            return rule.build(values, append_unknown=False)[1]


def get_rules(app):
    """Rules answering GET, in a stable order, static files excluded."""
    return sorted(
        (r for r in app.url_map.iter_rules() if "GET" in r.methods and r.endpoint != "static"),
        key=lambda r: r.rule,
    )


def endpoint_for(app, url: str, method: str = "POST") -> str | None:
    adapter = app.url_map.bind("localhost")
    try:
        endpoint, _args = adapter.match(urlsplit(url).path, method=method)
    except Exception:
        return None
    return endpoint


# --- database snapshots ---------------------------------------------------------------------


def snapshot(app) -> dict[str, tuple[int, str]]:
    """Row count and a hash of all rows of every table."""
    from consortium.extensions import db

    result = {}
    with app.app_context():
        for table in db.metadata.sorted_tables:
            if table.name in INTENDED_ON_REFUSAL:
                continue
            columns = [c for c in table.columns if (table.name, c.name) not in VOLATILE_COLUMNS]
            rows = db.session.execute(select(*columns).order_by(*table.primary_key.columns)).all()
            digest = hashlib.sha256(repr([tuple(r) for r in rows]).encode()).hexdigest()
            result[table.name] = (len(rows), digest)
        db.session.rollback()
    return result


def changed_tables(before: dict, after: dict) -> list[str]:
    return sorted(name for name in before if before[name] != after.get(name))


# --- HTML forms -----------------------------------------------------------------------------


@dataclass
class Field:
    name: str
    kind: str  # text, textarea, number, date, select, checkbox, radio, hidden, file, ...
    value: str = ""
    options: list[str] = field(default_factory=list)
    checked: bool = False
    multiple: bool = False


@dataclass
class Form:
    action: str
    fields: list[Field]
    page: str

    @property
    def has_file(self) -> bool:
        return any(f.kind == "file" for f in self.fields)

    @property
    def enctype(self) -> str:
        return "multipart/form-data" if self.has_file else "application/x-www-form-urlencoded"


def parse_forms(page_url: str, body: str, method: str = "post") -> list[Form]:
    """Every <form method=post> (or get) of the page, with its fields and current values."""
    if not body.strip():
        return []
    document = lxml_html.fromstring(body)
    forms = []
    for element in document.iter("form"):
        if (element.get("method") or "get").lower() != method:
            continue
        action = urljoin(page_url, element.get("action") or page_url)
        fields = []
        for control in element.iter("input", "textarea", "select", "button"):
            name = control.get("name")
            if not name:
                continue
            tag = control.tag
            if tag == "textarea":
                fields.append(Field(name, "textarea", control.text or ""))
            elif tag == "select":
                options = [o.get("value", o.text or "") for o in control.iter("option")]
                selected = [
                    o.get("value", o.text or "")
                    for o in control.iter("option")
                    if o.get("selected") is not None
                ]
                fields.append(
                    Field(
                        name,
                        "select",
                        selected[0] if selected else (options[0] if options else ""),
                        options,
                        multiple=control.get("multiple") is not None,
                    )
                )
            elif tag == "button":
                if control.get("type", "submit") == "submit":
                    fields.append(Field(name, "submit", control.get("value", "")))
            else:
                kind = (control.get("type") or "text").lower()
                fields.append(
                    Field(
                        name,
                        kind,
                        control.get("value", "on" if kind in ("checkbox", "radio") else ""),
                        checked=control.get("checked") is not None,
                    )
                )
        forms.append(Form(action=action, fields=fields, page=page_url))
    return forms


def default_data(form: Form) -> list[tuple[str, str]]:
    """What a browser would send for the form untouched."""
    data = []
    seen_radio = set()
    for f in form.fields:
        if f.kind in ("checkbox", "radio"):
            if f.checked and not (f.kind == "radio" and f.name in seen_radio):
                data.append((f.name, f.value))
                seen_radio.add(f.name)
        elif f.kind in ("file", "submit", "image", "reset", "button"):
            continue
        else:
            data.append((f.name, f.value))
    return data
