"""Consortium checks against topic rules and common sense."""

from __future__ import annotations

import dataclasses
import re
from decimal import Decimal
from pathlib import Path

from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po

from consortium.commitments.workflow import ParticipantRole as Role
from consortium.findings import Finding as Check
from consortium.findings import Severity, summary
from consortium.fit.checks import (
    ActionInfo,
    AnnexInfo,
    MemberInfo,
    NeedInfo,
    check_consortium,
)
from consortium.fit.scoring import OrgProfile, TopicProfile

TOPIC = TopicProfile(
    topic_id="LIFE-2026-SAP-ENV-ENVIRONMENT",
    action_type="SAP",
    sub_programme="ENV",
    text="Circular economy",
    funding_rate=0.6,
)


def org(org_id: int, name: str, **changes: object) -> OrgProfile:
    base = OrgProfile(id=org_id, name=name, country="FR", pic=f"{org_id:09d}")
    return dataclasses.replace(base, **changes)


CITY = org(1, "Ville de Marseille", org_type="public_authority", text="Végétalisation")
REEMPLOI = org(2, "Réemploi Sud", text="Réemploi des matériaux du BTP", annual_budget_eur=90_000.0)
JARDINS = org(3, "Jardins du Panier", text="Jardins partagés et compostage")


def codes(checks: list[Check]) -> list[tuple[str, Severity]]:
    return [(c.code, c.severity) for c in checks]


def healthy_members() -> list[MemberInfo]:
    return [
        MemberInfo(CITY, Role.COORDINATING_BENEFICIARY, True, 300_000.0, 500_000.0),
        MemberInfo(REEMPLOI, Role.BENEFICIARY, True, 60_000.0, 100_000.0),
        MemberInfo(JARDINS, Role.ASSOCIATED_PARTNER, True),
    ]


def test_healthy_consortium_has_no_findings() -> None:
    checks = check_consortium(
        TOPIC,
        healthy_members(),
        actions=[ActionInfo("Plateforme de réemploi", 2)],
        needs=[NeedInfo("Une plateforme de réemploi"), NeedInfo("Compost", frozenset({3}))],
        annexes=[AnnexInfo("Detailed budget table", True), AnnexInfo("Letters", False, False)],
    )
    assert checks == []
    assert summary(checks) == {Severity.ERROR: 0, Severity.WARNING: 0, Severity.INFO: 0}


def test_broken_consortium_exact_findings() -> None:
    members = [
        # no coordinator at all; a beneficiary without PIC
        MemberInfo(
            dataclasses.replace(CITY, pic=None), Role.BENEFICIARY, True, 400_000.0, 500_000.0
        ),
        MemberInfo(
            dataclasses.replace(REEMPLOI, annual_budget_eur=50_000.0),
            Role.BENEFICIARY,
            False,
            80_000.0,
            100_000.0,
        ),
    ]
    checks = check_consortium(
        TOPIC,
        members,
        actions=[ActionInfo("Déconstruction sélective", None), ActionInfo("Plateforme", 2)],
        needs=[
            NeedInfo("Plateforme de réemploi"),  # covered by Réemploi Sud's concepts
            NeedInfo("Former des jeunes à la taille des arbres"),  # nobody
            NeedInfo("Animation", frozenset({99})),  # carrier outside the consortium
        ],
        annexes=[AnnexInfo("Detailed budget table", False), AnnexInfo("Other", False, False)],
    )
    assert codes(checks) == [
        ("NO_COORDINATOR", Severity.ERROR),
        ("EU_OVER_RATE", Severity.ERROR),
        ("ANNEX_MISSING", Severity.ERROR),
        ("PIC_MISSING", Severity.WARNING),
        ("ACTION_NO_LEAD", Severity.WARNING),
        ("NEED_UNCOVERED", Severity.WARNING),
        ("NEED_UNCOVERED", Severity.WARNING),
        ("SHARE_OVER_BUDGET", Severity.WARNING),
        ("LETTERS_MISSING", Severity.WARNING),
    ]
    by_code = {c.code: c for c in checks}
    over = by_code["EU_OVER_RATE"]
    # the same finding as the commitments board's (consortium.commitments.rules): amounts are
    # Decimal params, formatted by the page in the reader's language
    assert dict(over.params) == {
        "eu": Decimal("480000.00"),
        "rate": Decimal("0.6"),
        "max_eu": Decimal("360000.00"),
    }
    assert "above 60% of the eligible costs" in over.text()
    assert dict(over.fix_params) == {"excess": Decimal("120000.00")}
    assert by_code["PIC_MISSING"].subject_ids == (1,)
    assert by_code["PIC_MISSING"].text() == "Ville de Marseille has no PIC yet"
    assert (
        by_code["ACTION_NO_LEAD"].text()
        == "Action “Déconstruction sélective” has no lead organisation"
    )
    uncovered = [c.params["need"] for c in checks if c.code == "NEED_UNCOVERED"]
    assert uncovered == ["Former des jeunes à la taille des arbres", "Animation"]
    share = by_code["SHARE_OVER_BUDGET"]
    assert share.subject_ids == (2,)
    # amounts and the share travel as Decimal; pages show them in the reader's conventions
    assert dict(share.params) == {
        "name": "Réemploi Sud",
        "yearly": Decimal("33333"),
        "share": Decimal("0.67"),
        "budget": Decimal("50000"),
    }
    assert share.text() == "Réemploi Sud would carry 33333 a year, 67% of its annual budget (50000)"
    letters = by_code["LETTERS_MISSING"]
    assert letters.text() == "1 of 2 letters of commitment received"
    assert letters.fix_text() == "Remind the partners whose letter is missing: Réemploi Sud"
    assert summary(checks) == {Severity.ERROR: 3, Severity.WARNING: 6, Severity.INFO: 0}


def test_minimum_beneficiaries_and_countries_ignore_affiliates_and_partners() -> None:
    topic = dataclasses.replace(TOPIC, min_beneficiaries=3, min_countries=3)
    members = [
        MemberInfo(CITY, Role.COORDINATING_BENEFICIARY, True),
        MemberInfo(org(4, "Comune di Genova", country="IT"), Role.BENEFICIARY, True),
        MemberInfo(org(5, "Affiliée", country="ES"), Role.AFFILIATED_ENTITY, True),
        MemberInfo(org(6, "Partenaire", country="DE"), Role.ASSOCIATED_PARTNER, True),
        MemberInfo(org(7, "Sous-traitant", country="BE", pic=None), Role.SUBCONTRACTOR),
    ]
    checks = check_consortium(topic, members)
    assert codes(checks) == [
        ("MIN_BENEFICIARIES", Severity.ERROR),
        ("MIN_COUNTRIES", Severity.ERROR),
    ]
    # worded without a plural to agree with: "1 eligible beneficiaries" never appears
    assert checks[0].text() == (
        "Eligible beneficiaries: 2, the topic requires at least 3 (affiliated entities and "
        "associated partners do not count)"
    )
    assert checks[0].fix_text() == "Eligible beneficiaries to add: 1"
    assert checks[1].params == {"required": 3, "count": 2, "countries": "FR, IT"}
    members[2] = MemberInfo(org(5, "Bénéficiaire", country="ES"), Role.BENEFICIARY, True)
    assert check_consortium(topic, members) == []


def test_roles_and_eligibility_findings() -> None:
    members = [
        MemberInfo(org(1, "A", natural_person=True), Role.COORDINATING_BENEFICIARY, True),
        MemberInfo(org(2, "B"), Role.COORDINATING_BENEFICIARY, True),
        MemberInfo(org(3, "C", country="US"), Role.BENEFICIARY, True),
        MemberInfo(org(4, "D", country="US"), Role.ASSOCIATED_PARTNER, True),
        MemberInfo(org(5, "E", country=None), Role.BENEFICIARY, True),
        MemberInfo(org(6, "F", pic="12AB"), Role.BENEFICIARY, True),
        MemberInfo(org(7, "G", pic=None), Role.ASSOCIATED_PARTNER, True),
    ]
    checks = check_consortium(TOPIC, members, actions=[ActionInfo("Suivi", 42)], letters_received=3)
    assert [(c.code, c.severity, c.subject_ids) for c in checks] == [
        ("SEVERAL_COORDINATORS", Severity.ERROR, (1, 2)),
        ("COORDINATOR_NOT_ELIGIBLE", Severity.ERROR, (1,)),
        ("NEEDS_ASSOCIATED_PARTNER_ROLE", Severity.ERROR, (3,)),
        ("COUNTRY_UNKNOWN", Severity.WARNING, (5,)),
        ("PIC_INVALID", Severity.WARNING, (6,)),
        ("ACTION_LEAD_NOT_MEMBER", Severity.WARNING, (42,)),
        ("LETTERS_MISSING", Severity.WARNING, ()),
        ("PIC_MISSING", Severity.INFO, (7,)),
    ]
    assert checks[2].text() == (
        "C is established in US, a country not associated to LIFE: it can take part only as "
        "associated partner, at its own cost"
    )
    assert checks[6].text() == "3 of 5 letters of commitment received"


def test_empty_consortium_and_unknown_rate() -> None:
    assert codes(check_consortium(TOPIC, [])) == [
        ("NO_MEMBERS", Severity.ERROR),
        ("NO_COORDINATOR", Severity.ERROR),
    ]
    topic = dataclasses.replace(TOPIC, funding_rate=None)
    members = [MemberInfo(CITY, Role.COORDINATING_BENEFICIARY, True, 100.0, 100.0)]
    assert codes(check_consortium(topic, members)) == [("FUNDING_RATE_UNKNOWN", Severity.INFO)]


def test_every_check_has_a_fix_hint_and_renders() -> None:
    members = [
        MemberInfo(org(1, "A", natural_person=True, pic=None), Role.BENEFICIARY, False, 10.0, 10.0)
    ]
    checks = check_consortium(
        dataclasses.replace(TOPIC, min_beneficiaries=2, min_countries=2),
        members,
        actions=[ActionInfo("X")],
        needs=[NeedInfo("Y")],
        annexes=[AnnexInfo("Z", False)],
    )
    assert [c.code for c in checks] == [
        "NO_COORDINATOR",
        "MEMBER_NOT_ELIGIBLE",
        "MIN_BENEFICIARIES",
        "MIN_COUNTRIES",
        "EU_OVER_RATE",
        "ANNEX_MISSING",
        "PIC_MISSING",
        "ACTION_NO_LEAD",
        "NEED_UNCOVERED",
        "LETTERS_MISSING",
    ]
    for check in checks:
        assert check.fix_template
        assert check.text() and check.fix_text()


def test_french_catalogue_covers_every_template() -> None:
    root = Path(__file__).resolve().parents[2] / "consortium" / "fit"
    with open(root / "translations/fr/LC_MESSAGES/messages.po", "rb") as fh:
        catalogue = read_po(fh)
    assert catalogue.fuzzy is False
    assert catalogue.charset.lower() == "utf-8"
    templates = {
        message
        for name in ("scoring.py", "checks.py")
        for _, message, _, _ in extract_from_file("python", root / name, keywords={"N_": None})
    }
    assert len(templates) >= 90
    placeholder = re.compile(r"%\(\w+\)s|%%")
    for template in templates:
        entry = catalogue.get(template)
        assert entry is not None and entry.string, template
        assert sorted(placeholder.findall(entry.string)) == sorted(placeholder.findall(template))


def test_check_as_dict() -> None:
    check = check_consortium(TOPIC, [])[0]
    assert check.as_dict() == {
        "code": "NO_MEMBERS",
        "severity": "error",
        "template": "The consortium has no member yet",
        "params": {},
        "text": "The consortium has no member yet",
        "fix_template": "Add organisations to the consortium, starting with the coordinator",
        "fix_params": {},
        "fix_text": "Add organisations to the consortium, starting with the coordinator",
        "subject_ids": [],
    }
