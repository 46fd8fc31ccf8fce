"""Sections exist with the proposal and always carry the network analysis (issue #14, 2 and 5)."""

from __future__ import annotations

from io import BytesIO

from docx import Document
from sqlalchemy import delete, func, select

from consortium.dossier import services
from consortium.dossier.models import Section, SectionVersion
from consortium.extensions import db
from consortium.proposals.models import Proposal
from consortium.proposals.services import standing


def _text(data: bytes) -> str:
    return "\n".join(p.text for p in Document(BytesIO(data)).paragraphs)


def test_network_then_dossier_then_export_keeps_the_network_analysis(app, client, demo, demo_login):
    # The reproduction of the issue: sections created by opening the dossier page were drafted
    # without the network, and the export then said "Network analysis: not yet available".
    pid = demo["proposals"]["REBATIR"]
    with app.app_context():
        ids = select(Section.id).where(Section.proposal_id == pid)
        db.session.execute(delete(SectionVersion).where(SectionVersion.section_id.in_(ids)))
        db.session.execute(delete(Section).where(Section.proposal_id == pid))
        db.session.commit()
    demo_login("lead@example.org")
    assert client.get(f"/proposals/{pid}/network").status_code == 200
    assert client.get(f"/proposals/{pid}/dossier?lang=en").status_code == 200
    text = _text(client.get(f"/proposals/{pid}/dossier/export.docx?lang=en").data)
    assert "Network analysis: not yet available." not in text
    assert "the cooperation network of the consortium counts" in text
    with app.app_context():
        proposal = db.session.get(Proposal, pid)
        section = services.sections_of(proposal, "en")["2.2"]
        draft = services.draft_for(section, proposal)
        assert draft.markup == section.generated_body  # "Draft again" has nothing new to add


def test_demo_proposals_have_their_sections_from_the_start(app, demo):
    with app.app_context():
        for pid in demo["proposals"].values():
            proposal = db.session.get(Proposal, pid)
            expected = [
                s.code for s in services.structure_for(proposal) if s.drafting_key != "heading"
            ]
            counts = standing(proposal, today=proposal.topic.deadline)
            assert (counts.sections, counts.sections_final) == (len(expected), 0)
            rows = services.sections_of(proposal, proposal.document_language)
            assert sorted(rows) == sorted(expected)
            assert all(
                r.body and "Network analysis: not yet available." not in r.body
                for r in rows.values()
            )


def test_placeholder_rows_of_the_migration_are_drafted_on_first_use(app, demo):
    pid = demo["proposals"]["VERDIR"]
    with app.app_context():
        proposal = db.session.get(Proposal, pid)
        lang = services.language_of(proposal)
        for section in services.sections_of(proposal, lang).values():
            section.body, section.generated_body, section.sources = "", None, []
            db.session.execute(
                delete(SectionVersion).where(SectionVersion.section_id == section.id)
            )
        db.session.commit()
        rows = services.ensure_sections(proposal, lang, services.structure_for(proposal))
        db.session.commit()
        assert all(r.body and r.generated_body == r.body for r in rows.values())
        assert db.session.scalar(
            select(func.count(SectionVersion.id)).join(Section).where(Section.proposal_id == pid)
        ) == len(rows)
