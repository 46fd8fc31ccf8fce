"""Demo data of the commitments area: a pending invitation in the outbox for Réemploi
Bâtiment Sud's contact, and a signed letter (a small, valid PDF) for Matériaux Circulaires
Provence.  Idempotent: nothing is added twice."""

from __future__ import annotations

from flask import current_app, url_for
from sqlalchemy import select

from ..auth.models import User
from ..commitments import services
from ..commitments.models import Invitation, SignedLetter
from ..directory.models import Organisation
from ..extensions import db
from ..proposals.models import Participation, Proposal

LEAD_EMAIL = "lead@example.org"


def demo_pdf(title: str, lines: list[str]) -> bytes:
    """A one-page PDF 1.4 with a few lines of Helvetica text and a correct xref table."""

    def escape(text: str) -> str:
        return (
            text.encode("latin-1", "replace")
            .decode("latin-1")
            .replace("\\", "\\\\")
            .replace("(", "\\(")
            .replace(")", "\\)")
        )

    content = ["BT /F1 16 Tf 72 770 Td (" + escape(title) + ") Tj ET"]
    y = 740
    for line in lines:
        content.append(f"BT /F1 11 Tf 72 {y} Td (" + escape(line) + ") Tj ET")
        y -= 18
    stream = "\n".join(content).encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n"
    ).encode()
    return bytes(out)


def _participation(proposal: Proposal, organisation: Organisation) -> Participation | None:
    return db.session.scalar(
        select(Participation).where(
            Participation.proposal_id == proposal.id,
            Participation.organisation_id == organisation.id,
        )
    )


def load(
    *, proposals: dict[str, Proposal], orgs: dict[str, Organisation], users: dict[str, User]
) -> None:
    proposal = proposals.get("rebatir")
    lead = users.get(LEAD_EMAIL)
    if proposal is None or lead is None:
        return
    rbs = orgs.get("rbs") and _participation(proposal, orgs["rbs"])
    if (
        rbs is not None
        and rbs.contact_email
        and db.session.scalar(select(Invitation.id).where(Invitation.participation_id == rbs.id))
        is None
    ):
        _invitation, token = services.create_invitation(
            rbs,
            actor=lead,
            email=rbs.contact_email,
            name=rbs.contact_name,
            secret_key=current_app.config["SECRET_KEY"],
            max_age=int(current_app.config["INVITATION_MAX_AGE"]),
        )
        with current_app.test_request_context():
            link = url_for("commitments.accept", token=token, _external=True)
        services.queue_mail(
            proposal_id=proposal.id,
            recipient=rbs.contact_email,
            subject=f"Invitation à la proposition LIFE {proposal.acronym}",
            body=(
                f"Bonjour {rbs.contact_name or ''},\n\n{lead.name} invite "
                f"{rbs.organisation.name} dans le consortium de la proposition LIFE "
                f"{proposal.acronym}.\n\nSuivez ce lien personnel (il ne sert qu'une "
                f"fois) :\n{link}\n"
            ),
            config={},
        )  # demo: always to the outbox, never sent
    mcp = orgs.get("mcp") and _participation(proposal, orgs["mcp"])
    if (
        mcp is not None
        and db.session.scalar(
            select(SignedLetter.id).where(SignedLetter.participation_id == mcp.id)
        )
        is None
    ):
        pdf = demo_pdf(
            "Lettre d'engagement signee - " + proposal.acronym,
            [
                mcp.organisation.name,
                f"Signataire : {mcp.contact_name or ''}",
                "Document de demonstration.",
            ],
        )
        services.store_signed_letter(
            mcp,
            actor=lead,
            filename="lettre-engagement-signee.pdf",
            content=pdf,
            upload_folder=current_app.config["UPLOAD_FOLDER"],
        )
    db.session.flush()
