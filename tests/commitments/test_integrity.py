"""Stale saves become a 409 page that keeps the typed text; concurrent read-modify-write
saves lose nothing (SQLite file database and PostgreSQL); every change is audited."""

from __future__ import annotations

import threading
from decimal import Decimal

from sqlalchemy import func, select

from consortium.auth.models import User
from consortium.commitments import services
from consortium.commitments.workflow import ActorRole
from consortium.errors import Conflict
from consortium.extensions import db
from consortium.proposals.models import AuditEvent, Participation
from tests import factories
from tests.commitments.helpers import log_in
from tests.conftest import TEST_DATABASE_URL


def _form(version, **values):
    data = {
        "version": version,
        "contact_name": "",
        "contact_function": "",
        "contact_email": "",
        "tasks": "",
        "cost_personnel": "0",
        "cost_subcontracting": "0",
        "cost_travel": "0",
        "cost_equipment": "0",
        "cost_other_goods": "0",
        "cost_other": "0",
        "eu_requested": "",
        "own_cofinancing": "0",
        "other_funding": "0",
    }
    data.update(values)
    return data


def test_second_save_gets_409_that_keeps_the_text(app, cworld):
    pid, part = cworld["proposal"], cworld["part_a"]
    first, second = (
        log_in(app.test_client(), "lead@example.org"),
        log_in(app.test_client(), "partner@example.org"),
    )
    with app.app_context():
        version = db.session.get(Participation, part).version
    ok = first.post(
        f"/proposals/{pid}/commitments/{part}",
        data=_form(version, role="beneficiary", tasks="Lead's tasks"),
    )
    assert ok.status_code == 302
    stale = second.post(
        f"/proposals/{pid}/commitments/mine", data=_form(version, tasks="Partner's own words")
    )
    assert stale.status_code == 409
    text = stale.get_data(as_text=True)
    assert "Partner&#39;s own words" in text and "Lead&#39;s tasks" in text
    with app.app_context():
        assert db.session.get(Participation, part).tasks == "Lead's tasks"


def test_confirm_with_stale_version_is_409(app, cworld):
    pid = cworld["proposal"]
    partner = log_in(app.test_client(), "partner@example.org")
    response = partner.post(
        f"/proposals/{pid}/commitments/mine/confirm",
        data={"version": "0", "name": "Anne", "function": "Director"},
    )
    assert response.status_code == 409


def test_concurrent_saves_lose_nothing(make_app, tmp_path):
    url = TEST_DATABASE_URL or f"sqlite:///{tmp_path / 'concurrency.sqlite'}"
    app = make_app(SQLALCHEMY_DATABASE_URI=url)
    with app.app_context():
        ids = factories.standard_world()
        part = db.session.scalar(
            select(Participation.id).where(Participation.organisation_id == ids["org_a"])
        )
        db.session.get(Participation, part).cost_personnel = Decimal("0")
        db.session.commit()
    threads, per_thread = 4, 15
    successes, conflicts, errors = [], [], []
    barrier = threading.Barrier(threads)

    def worker():
        with app.app_context():
            barrier.wait()
            for _ in range(per_thread):
                try:
                    p = db.session.get(Participation, part)
                    actor = db.session.get(User, ids["lead"])
                    services.update_commitment(
                        p,
                        actor=actor,
                        actor_role=ActorRole.LEAD,
                        values={"cost_personnel": p.cost_personnel + 1},
                        expected_version=p.version,
                    )
                    db.session.commit()
                    successes.append(1)
                except Conflict:
                    db.session.rollback()
                    conflicts.append(1)
                except Exception as error:
                    db.session.rollback()
                    (conflicts if "Stale" in type(error).__name__ else errors).append(repr(error))
                finally:
                    db.session.expire_all()
            db.session.remove()

    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    print(
        f"concurrency: {threads}x{per_thread} saves, {len(successes)} ok, "
        f"{len(conflicts)} conflicts, {len(errors)} errors"
    )
    assert errors == []
    assert len(successes) + len(conflicts) == threads * per_thread
    assert len(successes) >= 1
    with app.app_context():
        final = db.session.get(Participation, part).cost_personnel
        audited = db.session.scalar(
            select(func.count(AuditEvent.id)).where(
                AuditEvent.entity_id == part, AuditEvent.field == "cost_personnel"
            )
        )
    assert final == Decimal(len(successes))  # zero lost updates
    assert audited == len(successes)


def test_every_change_is_audited_with_before_and_after(app, cworld):
    pid, part = cworld["proposal"], cworld["part_a"]
    lead = log_in(app.test_client(), "lead@example.org")
    with app.app_context():
        version = db.session.get(Participation, part).version
    lead.post(
        f"/proposals/{pid}/commitments/{part}",
        data=_form(
            version,
            role="beneficiary",
            cost_personnel="100000",
            cost_travel="5000",
            own_cofinancing="20000",
            contact_name="Anne Ars",
            contact_email="anne@ars.example",
            notes="Reliable partner",
            tasks="Audits",
            **{f"pm_{cworld['a2']}": "12"},
        ),
    )
    with app.app_context():
        events = db.session.execute(
            select(AuditEvent.field, AuditEvent.before, AuditEvent.after, AuditEvent.actor_id)
            .where(AuditEvent.entity_id == part)
            .order_by(AuditEvent.id)
        ).all()
    assert events == [("tasks", "", "Audits", cworld["lead"])]
