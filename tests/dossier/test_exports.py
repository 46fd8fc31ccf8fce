"""Word exports of the demo proposals, read back with python-docx, through the browser routes
and the CLI, and converted to PDF by LibreOffice."""

from __future__ import annotations

import re
import shutil
import subprocess
from decimal import Decimal
from io import BytesIO

import pytest
from docx import Document
from sqlalchemy import select

from consortium.commitments import budget as b
from consortium.commitments.workflow import ParticipantRole
from consortium.dossier import services
from consortium.extensions import db
from consortium.formatting import format_number
from consortium.proposals.models import Participation, Proposal

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


def _expected_totals(app, acronym: str) -> tuple[Decimal, Decimal, dict[str, Decimal]]:
    """Independently: every non-candidate, non-declined participation through budget.py."""
    with app.app_context():
        proposal = db.session.scalar(select(Proposal).where(Proposal.acronym == acronym))
        rows = []
        for p in db.session.scalars(
            select(Participation).where(Participation.proposal_id == proposal.id)
        ):
            if p.status in ("candidate", "declined", "withdrawn"):
                continue
            costs = b.CostLines(
                personnel=p.cost_personnel,
                subcontracting=p.cost_subcontracting,
                travel=p.cost_travel,
                equipment=p.cost_equipment,
                other_goods=p.cost_other_goods,
                other_costs=p.cost_other,
            )
            budget = b.participation_budget(
                costs,
                indirect_rate=proposal.topic.indirect_rate or Decimal("0.07"),
                funding_rate=proposal.topic.funding_rate or Decimal("0.60"),
                requested_eu=p.eu_requested,
                role=ParticipantRole.parse(p.role),
            )
            rows.append(b.ConsortiumRow(str(p.id), p.organisation.short_name, budget))
        consortium = b.consortium_budget(rows)
        per_partner = {r.name: r.budget.total for r in rows if r.counted}
        return consortium.total, consortium.eu_total, per_partner


def _doc(data: bytes):
    return Document(BytesIO(data))


def _table(doc, first_header: str):
    return next(t for t in doc.tables if t.rows[0].cells[0].text == first_header)


@pytest.mark.parametrize(
    ("acronym", "lang"), [("REBATIR", "en"), ("REBATIR", "fr"), ("VERDIR", "fr"), ("VERDIR", "en")]
)
def test_dossier_export_headings_tables_and_totals(app, client, demo, demo_login, acronym, lang):
    demo_login("writer@example.org")
    pid = demo["proposals"][acronym]
    response = client.get(f"/proposals/{pid}/dossier/export.docx?lang={lang}")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == (
        f"attachment; filename={acronym}-part-b-{lang}.docx"
    )
    doc = _doc(response.data)
    headings = [p.text for p in doc.paragraphs if p.style.name in ("Heading 1", "Heading 2")]
    if lang == "fr":
        assert (
            "1.1 Conformité avec les objectifs du programme LIFE et le sujet de l'appel" in headings
        )
        assert "2.5 Budget et rapport coût-efficacité" in headings or any(
            h.startswith("2.5 ") for h in headings
        )
        partner_header, total_label = "Partenaire", "Total"
    else:
        assert "1.1 Compliance with LIFE programme objectives and call topic" in headings
        partner_header, total_label = "Partner", "Total"
    assert headings[:3] == (
        [
            ("Résumé du projet"),
            "1. Pertinence",
            "1.1 Conformité avec les objectifs du programme LIFE et le sujet de l'appel",
        ]
        if lang == "fr"
        else [
            "Project summary",
            "1. Relevance",
            "1.1 Compliance with LIFE programme objectives and call topic",
        ]
    )
    total, eu_total, per_partner = _expected_totals(app, acronym)
    budget = _table(doc, partner_header)
    rows = [[c.text for c in row.cells] for row in budget.rows]
    assert rows[-1][0] == total_label
    assert rows[-1][-1] == format_number(total, lang)
    assert {r[0]: r[-1] for r in rows[1:-1]} == {
        name: format_number(value, lang) for name, value in per_partner.items()
    }
    text = "\n".join(p.text for p in doc.paragraphs)
    assert format_number(eu_total, lang) in text
    header = doc.sections[0].header.paragraphs[0].text
    assert acronym in header
    if lang == "fr":
        assert "Réemploi" in text or "végétal" in text.lower()


def test_rebatir_totals_match_known_demo_figures(app, demo):
    with app.app_context():
        proposal = db.session.scalar(select(Proposal).where(Proposal.acronym == "REBATIR"))
        gathered = services.gather(proposal)
    assert gathered.consortium.total == Decimal("2235720.00")
    assert gathered.data.budget.total == Decimal("2235720.00")
    assert [m.role for m in gathered.data.members].count("associated_partner") == 2


def test_partner_table_letters_and_one_section(app, client, demo, demo_login):
    demo_login("lead@example.org")
    pid = demo["proposals"]["REBATIR"]
    doc = _doc(client.get(f"/proposals/{pid}/dossier/export.docx?what=partners&lang=fr").data)
    rows = [[c.text for c in row.cells] for row in doc.tables[0].rows]
    assert rows[0] == ["n°", "Organisation", "Sigle", "Pays", "Type", "Rôle", "PIC"]
    assert rows[1][1] == "Ville de Marseille" and rows[1][5] == "coordinateur"
    assert len(rows) == 10  # 9 partners: the candidate is not part of the consortium
    letters = _doc(client.get(f"/proposals/{pid}/dossier/export.docx?what=letters&lang=fr").data)
    letters_text = "\n".join(p.text for p in letters.paragraphs)
    assert letters_text.count("Lettre d’engagement") >= 1
    assert len(letters.sections) == 9
    client.get(f"/proposals/{pid}/dossier")
    with app.app_context():
        from consortium.dossier.models import Section

        section = db.session.scalar(
            select(Section).where(
                Section.proposal_id == pid, Section.code == "2.1", Section.language == "en"
            )
        )
        sid = section.id
    doc = _doc(client.get(f"/proposals/{pid}/dossier/sections/{sid}/export.docx").data)
    headings = [p.text for p in doc.paragraphs if p.style.name.startswith("Heading")]
    assert headings[0] == "2.1 Work plan: actions and work packages"
    assert "1. Relevance" not in headings


def test_writer_edit_is_in_the_export_and_bad_characters_are_cleaned(app, client, demo, demo_login):
    demo_login("writer@example.org")
    pid = demo["proposals"]["VERDIR"]
    client.get(f"/proposals/{pid}/dossier?lang=fr")
    with app.app_context():
        from consortium.dossier.models import Section

        sid = db.session.scalar(
            select(Section.id).where(
                Section.proposal_id == pid, Section.code == "1.2", Section.language == "fr"
            )
        )
    text = "Texte écrit à la main : « îlots de fraîcheur » 🌳\n\n- premier point\n- **second**"
    assert (
        client.post(
            f"/proposals/{pid}/dossier/sections/{sid}",
            data={"body": text, "status": "final", "version": "1"},
        ).status_code
        == 302
    )
    with app.app_context():
        # Text Word cannot hold (stored by another path) is cleaned at export, never a crash.
        db.session.get(Section, sid).body = text + "\n\nbad\x0bchar\x1f"
        db.session.commit()
    doc = _doc(client.get(f"/proposals/{pid}/dossier/export.docx?lang=fr&sources=0").data)
    paragraphs = [p.text for p in doc.paragraphs]
    assert "Texte écrit à la main : « îlots de fraîcheur » 🌳" in paragraphs
    assert "second" in paragraphs and "badchar" in paragraphs
    assert not any(p.text.startswith("Annexe — Sources") for p in doc.paragraphs)


def test_cli_export(app, runner, demo, tmp_path):
    out = tmp_path / "rebatir.docx"
    result = runner.invoke(args=["dossier", "export", "REBATIR", "--lang", "fr", "--out", str(out)])
    assert result.exit_code == 0, result.output
    doc = _doc(out.read_bytes())
    total, _eu, _rows = _expected_totals(app, "REBATIR")
    rows = [[c.text for c in row.cells] for row in _table(doc, "Partenaire").rows]
    assert rows[-1][-1] == format_number(total, "fr") == "2\u202f235\u202f720"
    result = runner.invoke(args=["dossier", "export", "NOPE", "--out", str(out)])
    assert result.exit_code != 0 and "no proposal NOPE" in result.output


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed")
@pytest.mark.parametrize("lang", ["en", "fr"])
def test_libreoffice_opens_the_rebatir_dossier(app, runner, demo, tmp_path, lang):
    out = tmp_path / f"REBATIR-{lang}.docx"
    assert (
        runner.invoke(
            args=["dossier", "export", "REBATIR", "--lang", lang, "--out", str(out)]
        ).exit_code
        == 0
    )
    subprocess.run(
        [
            SOFFICE,
            "--headless",
            f"-env:UserInstallation=file://{tmp_path}/lo",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(out),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    pdf = (tmp_path / f"REBATIR-{lang}.pdf").read_bytes()
    assert pdf.startswith(b"%PDF")
    assert len(re.findall(rb"/Type\s*/Page\b", pdf)) >= 8
