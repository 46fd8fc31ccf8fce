"""Recording workshops, capturing outputs in batches and growing actions from them."""

from datetime import date

import pytest
from sqlalchemy import func, select

from consortium.extensions import db
from consortium.workshops.models import Action, Attendee, Output, Workshop


@pytest.fixture
def lead(client, login, ws):
    login("lead@example.org")
    return ws


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def page(response) -> str:
    return response.get_data(as_text=True)


def workshop_form(**values) -> dict:
    data = {
        "step": "vision",
        "title": "Vision 2030 — round 2",
        "held_on": "2025-04-02",
        "place": "La Friche",
        "facilitator": "Mission Europe",
        "agenda": "1. Vision\n2. Votes",
        "organisations": [],
        "people": "",
    }
    data.update(values)
    return data


def test_create_workshop_with_attendance(app, client, lead):
    response = client.post(
        f"/proposals/{lead['proposal']}/workshops/new",
        data=workshop_form(
            organisations=[f"Ville de Marseille (VDM) #{lead['org_b']}", "ars", ""],
            people="Nadia Benali; chargée de mission; VDM\nPaul Martin;;BV\nClaire Roux",
        ),
    )
    assert response.status_code == 302
    with app.app_context():
        workshop = db.session.scalars(select(Workshop).order_by(Workshop.id.desc())).first()
        assert response.headers["Location"].endswith(
            f"/proposals/{lead['proposal']}/workshops/{workshop.id}/outputs"
        )
        assert (
            workshop.step,
            workshop.title,
            workshop.held_on,
            workshop.place,
            workshop.facilitator,
        ) == ("vision", "Vision 2030 — round 2", date(2025, 4, 2), "La Friche", "Mission Europe")
        assert [a.organisation_id for a in workshop.attendances] == [
            lead["org_b"],
            lead["org_a"],
            lead["org_c"],
        ]
        assert [(p.name, p.function, p.organisation_id) for p in workshop.attendees] == [
            ("Nadia Benali", "chargée de mission", lead["org_b"]),
            ("Paul Martin", None, lead["org_c"]),
            ("Claire Roux", None, None),
        ]
    detail = page(client.get(f"/proposals/{lead['proposal']}/workshops/{workshop.id}"))
    assert 'data-testid="attendance-organisations">3<' in detail
    assert 'data-testid="attendance-people">3<' in detail


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"organisations": ["#999999"]}, "No organisation #999999 in the directory."),
        (
            {"organisations": ["Nobody Known"]},
            "No organisation in the directory is called “Nobody Known”",
        ),
        (
            {"people": "Anna; cheffe; XYZ"},
            "Line 1: no single organisation of the directory matches “XYZ”",
        ),
        ({"title": "Vision\x00 2030"}, "Remove the control characters from this text."),
        ({"agenda": "bell \x07"}, "Remove the control characters from this text."),
        ({"title": "x" * 201}, "Field cannot be longer than 200 characters."),
        ({"title": ""}, "This field is required."),
        ({"step": "nonsense"}, "Not a valid choice."),
        ({"held_on": "2025-02-30"}, "Not a valid date value."),
        ({"organisations": ["#" + "9" * 30]}, "No organisation in the directory is called"),
    ],
)
def test_bad_workshop_input_saves_nothing(app, client, lead, values, message):
    before = count(app, Workshop)
    response = client.post(
        f"/proposals/{lead['proposal']}/workshops/new", data=workshop_form(**values)
    )
    assert response.status_code == 200
    assert message in page(response)
    assert count(app, Workshop) == before


def test_edit_workshop_and_stale_version(app, client, lead):
    url = f"/proposals/{lead['proposal']}/workshops/{lead['workshop']}/edit"
    assert "Vision 2030 — round 1" in page(client.get(url))
    response = client.post(
        url,
        data=workshop_form(
            version="1",
            title="Vision round 1",
            organisations=[str(lead["org_a"])],
            people="Léa; animatrice",
        ),
    )
    assert response.status_code == 302
    with app.app_context():
        workshop = db.session.get(Workshop, lead["workshop"])
        assert (workshop.title, workshop.version) == ("Vision round 1", 2)
        assert [a.organisation_id for a in workshop.attendances] == [lead["org_a"]]
        assert [(p.name, p.function) for p in workshop.attendees] == [("Léa", "animatrice")]
    stale = client.post(url, data=workshop_form(version="1", title="My late change"))
    assert stale.status_code == 409
    assert "My late change" in page(stale)


def rows(*items) -> dict:
    data = {}
    for index, item in enumerate(items):
        for key, value in item.items():
            data[f"rows-{index}-{key}"] = value
    return data


FIVE = [
    {"kind": "vision", "text": "Marseille rebuilds with what it has"},
    {
        "kind": "need",
        "subkind": "site",
        "text": "A 2 000 m² storage site",
        "raised": "ARS; VDM",
        "tags": "logistique, #site",
        "priority": "1",
        "votes": "12",
    },
    {
        "kind": "action",
        "text": "A reuse platform for the building trade",
        "carries": "ARS",
        "raised": "BV",
    },
    {"kind": "risk", "text": "Asbestos in the reclaimed materials"},
    {"kind": "cooperation_rule", "subkind": "governance", "text": "One steering committee a term"},
    {"kind": "quote", "text": ""},
]


def test_capture_five_outputs_in_one_submit(app, client, lead):
    url = f"/proposals/{lead['proposal']}/workshops/{lead['workshop']}/outputs"
    response = client.post(url, data=rows(*FIVE))
    assert response.status_code == 302
    with app.app_context():
        outputs = db.session.scalars(
            select(Output).where(Output.workshop_id == lead["workshop"]).order_by(Output.id)
        ).all()[2:]
        assert [
            (o.kind, o.subkind, o.text, o.tags, o.priority, o.votes, o.position) for o in outputs
        ] == [
            ("vision", None, "Marseille rebuilds with what it has", [], None, 0, 1),
            ("need", "site", "A 2 000 m² storage site", ["logistique", "site"], 1, 12, 2),
            ("action", None, "A reuse platform for the building trade", [], None, 0, 3),
            ("risk", None, "Asbestos in the reclaimed materials", [], None, 0, 4),
            ("cooperation_rule", "governance", "One steering committee a term", [], None, 0, 5),
        ]
        assert [(link.organisation_id, link.relation) for link in outputs[1].organisations] == [
            (lead["org_a"], "raised"),
            (lead["org_b"], "raised"),
        ]
        assert [(link.organisation_id, link.relation) for link in outputs[2].organisations] == [
            (lead["org_c"], "raised"),
            (lead["org_a"], "carries"),
        ]
    assert "5 outputs recorded." in page(client.get(url))


@pytest.mark.parametrize(
    ("bad", "field", "message"),
    [
        ({"raised": "#424242"}, "raised", "No organisation #424242 in the directory."),
        ({"carries": "Nope"}, "carries", "No organisation in the directory is called “Nope”"),
        ({"text": "tab ok but \x1b escape"}, "text", "Remove the control characters"),
        ({"text": "y" * 5001}, "text", "Field cannot be longer than 5000 characters."),
        ({"priority": "9"}, "priority", "Number must be between 1 and 5."),
        ({"votes": "99999999999999999999"}, "votes", "Number must be between 0 and 100000."),
        ({"votes": "many"}, "votes", "Not a valid integer value."),
        (
            {"subkind": "money", "kind": "risk"},
            "subkind",
            "Only needs and cooperation rules take a sub-type.",
        ),
        ({"tags": ",".join(f"t{i}" for i in range(13))}, "tags", "Give at most 12 tags."),
        ({"kind": "gossip"}, "kind", "Choose the kind of output."),
    ],
)
def test_capture_refuses_the_batch_and_keeps_every_row(app, client, lead, bad, field, message):
    before = count(app, Output)
    good = {"kind": "vision", "text": "Kept vision text"}
    faulty = {"kind": "need", "text": "Faulty row text", **bad}
    response = client.post(
        f"/proposals/{lead['proposal']}/workshops/{lead['workshop']}/outputs",
        data=rows(good, faulty),
    )
    html = page(response)
    assert response.status_code == 200
    assert count(app, Output) == before
    assert message in html
    assert f'id="rows-1-{field}-error"' in html
    assert "Kept vision text" in html
    assert "nothing was saved" in html


def test_capture_refuses_too_many_rows(app, client, lead):
    before = count(app, Output)
    response = client.post(
        f"/proposals/{lead['proposal']}/workshops/{lead['workshop']}/outputs",
        data=rows(*[{"kind": "quote", "text": f"q{i}"} for i in range(41)]),
    )
    assert response.status_code == 400
    assert "Send at most 40 rows at once." in page(response)
    assert count(app, Output) == before


def test_capture_of_nothing_is_refused(app, client, lead):
    response = client.post(
        f"/proposals/{lead['proposal']}/workshops/{lead['workshop']}/outputs",
        data=rows({"kind": "vision", "text": ""}),
    )
    assert response.status_code == 200
    assert "Write at least one output." in page(response)


def test_edit_output(app, client, lead):
    url = f"/proposals/{lead['proposal']}/workshops/{lead['workshop']}/outputs/{lead['need']}/edit"
    form = page(client.get(url))
    assert f"Association Réemploi Sud (ARS) #{lead['org_a']}" in form
    assert 'name="version" type="hidden" value="1"' in form
    response = client.post(
        url,
        data={
            "kind": "need",
            "subkind": "money",
            "text": "Money",
            "raised": f"#{lead['org_a']}; VDM",
            "carries": "VDM",
            "tags": "budget",
            "priority": "2",
            "votes": "3",
            "version": "1",
        },
    )
    assert response.status_code == 302
    with app.app_context():
        output = db.session.get(Output, lead["need"])
        assert (
            output.subkind,
            output.text,
            output.tags,
            output.priority,
            output.votes,
            output.version,
        ) == ("money", "Money", ["budget"], 2, 3, 2)
        assert [(x.organisation_id, x.relation) for x in output.organisations] == [
            (lead["org_a"], "raised"),
            (lead["org_b"], "raised"),
            (lead["org_b"], "carries"),
        ]
    bad = client.post(url, data={"kind": "need", "text": "Changed", "raised": "#0", "version": "2"})
    assert "No organisation #0 in the directory." in page(bad)
    with app.app_context():
        assert db.session.get(Output, lead["need"]).text == "Money"


def test_two_people_editing_one_output(app, client, lead):
    """The second save of a page opened before the first save is a 409 that shows the
    second person's text; nothing of the first save is overwritten."""
    p, w, need = lead["proposal"], lead["workshop"], lead["need"]
    url = f"/proposals/{p}/workshops/{w}/outputs/{need}/edit"
    first = {"kind": "need", "text": "Un local de stockage", "version": "1"}
    assert client.post(url, data=first).status_code == 302
    late = client.post(url, data={"kind": "need", "text": "Mon texte tardif", "version": "1"})
    assert late.status_code == 409
    assert "Mon texte tardif" in page(late)
    missing = client.post(url, data={"kind": "need", "text": "Sans version"})
    assert missing.status_code == 409
    delete = f"/proposals/{p}/workshops/{w}/outputs/{need}/delete"
    assert client.post(delete, data={"version": "1"}).status_code == 409
    with app.app_context():
        output = db.session.get(Output, need)
        assert (output.text, output.version) == ("Un local de stockage", 2)
    assert client.post(delete, data={"version": "2"}).status_code == 302
    with app.app_context():
        assert db.session.get(Output, need) is None


def action_form(**values) -> dict:
    data = {
        "code": "",
        "title": "Storage site",
        "objective": "Find a site",
        "lead": "VDM",
        "participants": "ARS; BV",
        "start_month": "3",
        "end_month": "18",
        "deliverables": "Site lease",
        "outputs": [],
    }
    data.update(values)
    return data


def test_action_from_an_output(app, client, lead):
    p = lead["proposal"]
    prefilled = page(client.get(f"/proposals/{p}/actions/new?output={lead['need']}"))
    assert 'value="A storage site for reclaimed materials"' in prefilled
    assert f'name="outputs" value="{lead["need"]}" checked' in prefilled
    response = client.post(
        f"/proposals/{p}/actions/new",
        data=action_form(outputs=[str(lead["need"]), str(lead["vision"])]),
    )
    assert response.status_code == 302
    with app.app_context():
        action = db.session.scalars(select(Action).where(Action.proposal_id == p)).one()
        assert (
            action.code,
            action.title,
            action.lead_organisation_id,
            action.start_month,
            action.end_month,
            action.deliverables,
        ) == ("A1", "Storage site", lead["org_b"], 3, 18, "Site lease")
        assert [x.organisation_id for x in action.participants] == [lead["org_a"], lead["org_c"]]
        assert [s.output_id for s in action.sources] == [lead["need"], lead["vision"]]
        action_id = action.id
    detail = page(client.get(f"/proposals/{p}/workshops/{lead['workshop']}"))
    assert detail.count("A1 — Storage site") == 2
    dashboard = page(client.get(f"/proposals/{p}"))
    assert 'data-testid="dashboard-actions"' in dashboard and "Storage site" in dashboard
    listing = page(client.get(f"/proposals/{p}/actions"))
    assert "A storage site for reclaimed materials" in listing
    # A second action gets the next code; the same code is refused.
    second = client.post(f"/proposals/{p}/actions/new", data=action_form(title="Second"))
    assert second.status_code == 302
    dup = client.post(f"/proposals/{p}/actions/new", data=action_form(code="a1"))
    assert "Another action already has the code a1." in page(dup)
    # Edit with a stale version is a conflict that keeps the text.
    edit_url = f"/proposals/{p}/actions/{action_id}/edit"
    assert (
        client.post(edit_url, data=action_form(version="1", code="A1", title="Renamed")).status_code
        == 302
    )
    stale = client.post(edit_url, data=action_form(version="1", code="A1", title="Late"))
    assert stale.status_code == 409 and "Late" in page(stale)


@pytest.mark.parametrize(
    ("values", "message"),
    [
        (
            {"start_month": "12", "end_month": "6"},
            "The end month (M6) comes before the start month (M12).",
        ),
        ({"end_month": "49"}, "The proposal lasts 48 months; choose a month from 1 to 48."),
        ({"start_month": "99999999999999999999"}, "The proposal lasts 48 months"),
        ({"start_month": "0"}, "Months are counted from 1 (the first month)."),
        ({"start_month": "three"}, "Not a valid integer value."),
        ({"lead": "#987654"}, "No organisation #987654 in the directory."),
        ({"lead": "VDM; ARS"}, "An action has one lead organisation."),
        ({"participants": "ARS; ghost"}, "No organisation in the directory is called “ghost”"),
        ({"title": "t" * 301}, "Field cannot be longer than 300 characters."),
        ({"objective": "NUL\x00"}, "Remove the control characters from this text."),
        ({"outputs": ["abc"]}, "Link only outputs of this proposal&#39;s workshops."),
        ({"code": "C" * 21}, "Field cannot be longer than 20 characters."),
    ],
)
def test_bad_action_input_saves_nothing(app, client, lead, values, message):
    response = client.post(f"/proposals/{lead['proposal']}/actions/new", data=action_form(**values))
    assert response.status_code == 200
    assert message in page(response)
    assert count(app, Action) == 1  # the other proposal's canary only


def test_action_cannot_link_an_output_of_another_proposal(app, client, lead):
    response = client.post(
        f"/proposals/{lead['proposal']}/actions/new",
        data=action_form(outputs=[str(lead["other_output"])]),
    )
    assert "Link only outputs of this proposal&#39;s workshops." in page(response)
    assert count(app, Action) == 1


def test_an_output_id_in_unicode_digits_is_refused_with_a_message(app, client, lead):
    # "²".isdigit() is true but int() refuses it: this used to end in a server error
    response = client.post(
        f"/proposals/{lead['proposal']}/actions/new",
        data=action_form(outputs=["²"]),
    )
    assert response.status_code == 200
    assert "Link only outputs of this proposal&#39;s workshops." in page(response)
    assert count(app, Action) == 1


def test_deleting_things(app, client, lead):
    p, w = lead["proposal"], lead["workshop"]
    client.post(f"/proposals/{p}/actions/new", data=action_form(outputs=[str(lead["need"])]))
    assert (
        client.post(f"/proposals/{p}/workshops/{w}/outputs/{lead['vision']}/delete").status_code
        == 302
    )
    assert (
        client.post(f"/proposals/{p}/workshops/{w}/delete", data={"version": "7"}).status_code
        == 409
    )
    assert (
        client.post(f"/proposals/{p}/workshops/{w}/delete", data={"version": "1"}).status_code
        == 302
    )
    with app.app_context():
        assert db.session.get(Workshop, w) is None
        assert db.session.scalar(select(func.count()).select_from(Attendee)) == 0
        action = db.session.scalars(select(Action).where(Action.proposal_id == p)).one()
        assert action.sources == []
        action_id = action.id
    assert client.post(f"/proposals/{p}/actions/{action_id}/delete").status_code == 302
    assert count(app, Action) == 1


def test_index_shows_the_narrowing(app, client, lead):
    from consortium.proposals.models import Proposal
    from tests import factories

    with app.app_context():
        proposal = db.session.get(Proposal, lead["proposal"])
        workshop = db.session.get(Workshop, lead["workshop"])
        from consortium.workshops.models import WorkshopAttendance

        workshop.attendances = [
            WorkshopAttendance(organisation_id=lead[k]) for k in ("org_a", "org_b", "org_c")
        ]
        later = factories.make_workshop(
            proposal, step="dossier_framework", title="Dossier", held_on=date(2025, 6, 1)
        )
        later.attendances = [WorkshopAttendance(organisation_id=lead["org_b"])]
        later.attendees = [Attendee(name="Nadia")]
        db.session.commit()
    html = page(client.get(f"/proposals/{lead['proposal']}/workshops"))
    steps = html.split('data-testid="workshop-steps"')[1].split("</ol>")[0]
    assert steps.index("Vision 2030") < steps.index("Dossier and cooperation framework")
    assert "Organisations: 3" in steps and "Organisations: 1" in steps and "People: 1" in steps


def test_organisation_suggestions(client, lead):
    response = client.get(f"/proposals/{lead['proposal']}/workshops/organisations?q=reemploi")
    assert response.get_json() == [
        {"id": lead["org_a"], "label": f"Association Réemploi Sud (ARS) #{lead['org_a']}"}
    ]


def test_pages_in_french(client, lead):
    client.post("/language/fr")
    html = page(client.get(f"/proposals/{lead['proposal']}/workshops/{lead['workshop']}"))
    assert "Besoins" in html and "Organisations présentes" in html and "En faire une action" in html
