"""The Gantt chart and the budget charts as figures of the Word dossier."""

from __future__ import annotations

import struct
from decimal import Decimal
from io import BytesIO

from docx import Document
from hypothesis import given, settings
from hypothesis import strategies as st

from consortium.commitments.budget import (
    ConsortiumRow,
    CostLines,
    consortium_budget,
    participation_budget,
)
from consortium.commitments.budget_charts import budget_charts
from consortium.dossier.charts import budget_png, gantt_png
from consortium.workshops.schedule import Milestone, PlannedAction, gantt


def size(png: bytes) -> tuple[int, int]:
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    return struct.unpack(">II", png[16:24])


PLAN = gantt(
    [
        PlannedAction(
            "A1",
            "Resource diagnostics before works",
            "BBS",
            1,
            36,
            (Milestone(6, "Method"), Milestone(36, "40 audits")),
        ),
        PlannedAction("A2", "Platform", "MCP", 3, None),
        PlannedAction("A3", "Not planned yet"),
    ],
    48,
)


def test_the_gantt_figure_is_fifteen_centimetres_wide_and_grows_with_the_actions():
    width, three = size(gantt_png(PLAN, "en"))
    _, six = size(gantt_png(gantt([r.action for r in PLAN.rows] * 2, 48), "fr"))

    assert width == 1181  # 150 mm at 200 dpi: the dossier's figure width, printed 1:1
    assert six > three


def test_no_actions_no_gantt_figure_and_no_costs_no_budget_figure():
    assert gantt_png(gantt([], 48), "en") is None
    assert budget_png(budget_charts(consortium_budget([]), ()), "fr") is None


def test_the_budget_figure_draws_the_three_charts():
    budget = participation_budget(
        CostLines(personnel=Decimal(100000)),
        indirect_rate=Decimal("0.07"),
        funding_rate=Decimal("0.6"),
        person_months={"A1": Decimal(12)},
    )
    charts = budget_charts(
        consortium_budget([ConsortiumRow("1", "VDM", budget)]), [("A1", "A1 Audits")]
    )

    width, height = size(budget_png(charts, "en"))

    assert width == 1181 and height > 600


@settings(deadline=None, max_examples=15)
@given(st.text(max_size=80), st.text(max_size=40))
def test_any_title_or_lead_draws(title, lead):
    plan = gantt([PlannedAction("A1", title, lead, 2, 9, (Milestone(4, title),))], 12)

    assert size(gantt_png(plan, "en"))[0] == 1181


def test_the_dossier_places_each_figure_after_its_table(app, client, demo, demo_login):
    demo_login("writer@example.org")
    for lang, captions in (
        ("en", ("Work plan: actions by project month", "Budget by partner, by LIFE cost")),
        ("fr", ("Plan de travail\u00a0: actions par mois", "Budget par partenaire, par catégorie")),
    ):
        response = client.get(
            f"/proposals/{demo['proposals']['REBATIR']}/dossier/export.docx?lang={lang}"
        )
        doc = Document(BytesIO(response.data))
        body = doc.element.body
        order = []
        for element in body.iterchildren():
            tag = element.tag.rsplit("}", 1)[-1]
            text = "".join(element.itertext())
            if tag == "tbl":
                order.append(
                    (
                        "table",
                        "".join(
                            next(
                                element.iter(
                                    "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}t"
                                )
                            ).itertext()
                        ),
                    )
                )
            elif element.findall(".//{http://schemas.openxmlformats.org/drawingml/2006/main}blip"):
                order.append(("picture", ""))
            elif text.startswith(("Figure", "Table", "Tableau")):
                order.append(("caption", text))
        gantt_at = next(
            i for i, (kind, text) in enumerate(order) if kind == "caption" and captions[0] in text
        )
        budget_at = next(
            i for i, (kind, text) in enumerate(order) if kind == "caption" and captions[1] in text
        )
        # table caption, table, picture, figure caption
        assert [kind for kind, _text in order[gantt_at - 3 : gantt_at + 1]] == [
            "caption",
            "table",
            "picture",
            "caption",
        ]
        assert [kind for kind, _text in order[budget_at - 3 : budget_at + 1]] == [
            "caption",
            "table",
            "picture",
            "caption",
        ]
        assert order[gantt_at][1].startswith("Figure 1 — ")


def test_a_one_section_export_draws_only_the_figures_of_that_section(app, demo):
    from sqlalchemy import select

    from consortium.dossier import services
    from consortium.extensions import db
    from consortium.proposals.models import Proposal

    with app.app_context():
        proposal = db.session.scalar(select(Proposal).where(Proposal.acronym == "REBATIR"))
        specs = services.structure_for(proposal)
        code_of = {spec.drafting_key: spec.code for spec in specs}
        plan = services.dossier_content(proposal, "en", section_code=code_of["work_packages"])
        budget = services.dossier_content(proposal, "en", section_code=code_of["budget"])
        whole = services.dossier_content(proposal, "en")

    assert (plan.gantt_png is not None, plan.budget_png is None) == (True, True)
    assert (budget.gantt_png is None, budget.budget_png is not None) == (True, True)
    assert whole.gantt_png is not None and whole.budget_png is not None
