"""The consortium rules: one answer for the board, the fit checks, what-if and the dossier."""

from __future__ import annotations

from decimal import Decimal as D

from hypothesis import given
from hypothesis import strategies as st

from consortium.commitments import rules
from consortium.commitments.budget import CostLines, participation_budget
from consortium.commitments.workflow import ParticipantRole as R
from consortium.commitments.workflow import Status as S
from consortium.findings import Severity


def person(oid, name, role, status, letter=False):
    return rules.Participant(oid, name, role, status, letter)


def budget(personnel="0", pm="0", own="0", other="0", eu=None, role=R.BENEFICIARY):
    return participation_budget(
        CostLines(personnel=D(personnel)),
        indirect_rate=D("0.07"),
        funding_rate=D("0.60"),
        requested_eu=None if eu is None else D(eu),
        own_cofinancing=D(own),
        other_funding=D(other),
        person_months={"A1": D(pm)},
        role=role,
    )


def test_candidate_coordinator_is_not_the_coordinator_and_is_named():
    # The board used to say "The coordinator is VDM" while the fit page said NO_COORDINATOR:
    # a candidate is not a member, so there is no coordinator yet, and the finding says who
    # to shortlist.
    people = [
        person(1, "VDM", R.COORDINATING_BENEFICIARY, S.CANDIDATE),
        person(2, "ARS", R.BENEFICIARY, S.INVITED),
    ]
    assert rules.coordinator(people) is None
    [found] = rules.coordinator_findings(people)
    assert (found.code, found.severity, found.subject_ids) == (
        "NO_COORDINATOR",
        Severity.ERROR,
        (1,),
    )
    assert found.text() == (
        "No coordinator in the consortium yet: VDM has the coordinator role "
        "but is still a candidate"
    )
    assert found.fix_text() == "Shortlist VDM to make it a member of the consortium"


def test_shortlisted_coordinator_is_the_coordinator():
    people = [person(1, "VDM", R.COORDINATING_BENEFICIARY, S.SHORTLISTED)]
    assert rules.coordinator(people).name == "VDM"
    [found] = rules.coordinator_findings(people)
    assert (found.code, found.severity, found.text()) == (
        "COORDINATOR_SET",
        Severity.OK,
        "The coordinator is VDM.",
    )


def test_declined_coordinator_does_not_count_and_two_members_are_an_error():
    people = [
        person(1, "A", R.COORDINATING_BENEFICIARY, S.DECLINED),
        person(2, "B", R.COORDINATING_BENEFICIARY, S.CONFIRMED),
        person(3, "C", R.COORDINATING_BENEFICIARY, S.INVITED),
    ]
    [found] = rules.coordinator_findings(people)
    assert (found.code, found.subject_ids) == ("SEVERAL_COORDINATORS", (2, 3))
    assert rules.coordinator(people[:2]).id == 2


def test_members_are_shortlisted_invited_confirmed_or_to_reconfirm():
    assert {s for s in S if rules.is_member(s)} == {
        S.SHORTLISTED,
        S.INVITED,
        S.CONFIRMED,
        S.TO_RECONFIRM,
    }


def test_beneficiaries_count_coordinator_and_beneficiaries_only():
    people = [
        person(1, "A", R.COORDINATING_BENEFICIARY, S.CONFIRMED),
        person(2, "B", R.BENEFICIARY, S.INVITED),
        person(3, "C", R.AFFILIATED_ENTITY, S.CONFIRMED),
        person(4, "D", R.ASSOCIATED_PARTNER, S.CONFIRMED),
        person(5, "E", R.BENEFICIARY, S.CANDIDATE),
    ]
    assert [p.id for p in rules.beneficiaries(people)] == [1, 2]


def test_letters_expected_from_committed_partners_not_coordinator_nor_subcontractor():
    people = [
        person(1, "A", R.COORDINATING_BENEFICIARY, S.CONFIRMED),
        person(2, "B", R.BENEFICIARY, S.CONFIRMED, letter=True),
        person(3, "C", R.ASSOCIATED_PARTNER, S.TO_RECONFIRM),
        person(4, "D", R.SUBCONTRACTOR, S.CONFIRMED),
        person(5, "E", R.BENEFICIARY, S.INVITED),
    ]
    assert [p.id for p in rules.letters_expected(people)] == [2, 3]
    [found] = rules.letters_findings(people)
    assert (found.code, found.text(), found.fix_text()) == (
        "LETTERS_MISSING",
        "1 of 2 letters of commitment received",
        "Remind the partners whose letter is missing: C",
    )


def test_funding_rate_is_checked_at_project_level():
    [ok] = rules.funding_rate_findings(D("600.00"), D("600.00"), D("0.60"))
    # the rate travels as a ratio; each reader's text shows it as a percentage
    assert (ok.code, ok.severity, dict(ok.params), ok.text()) == (
        "FUNDING_RATE_RESPECTED",
        Severity.OK,
        {"rate": D("0.60")},
        "The EU contribution respects the funding rate (60%).",
    )
    [over] = rules.funding_rate_findings(D("600.01"), D("600.00"), D("0.60"))
    assert (over.code, dict(over.fix_params)) == ("EU_OVER_RATE", {"excess": D("0.01")})
    [unknown] = rules.funding_rate_findings(D("1"), D("0"), None)
    assert (unknown.code, unknown.severity) == ("FUNDING_RATE_UNKNOWN", Severity.INFO)


def test_empty_beneficiary_commitment_cannot_be_confirmed():
    # Issue #14 point 1: only "Function" filled, €0 and 0 person-months.
    gaps = rules.confirmation_gaps(R.BENEFICIARY, budget())
    assert [g.code for g in gaps] == ["NO_PERSON_MONTHS", "NO_BUDGET"]
    assert rules.blocking_gaps(gaps, accepted={"NO_PERSON_MONTHS", "NO_BUDGET"}) == gaps


def test_uncovered_costs_block_until_the_lead_accepts_them():
    # 100,000 personnel + 7% = 107,000; EU 60% = 64,200; own 20,000 -> 22,800 uncovered.
    plan = budget(personnel="100000", pm="12", own="20000")
    [gap] = rules.confirmation_gaps(R.BENEFICIARY, plan)
    assert (gap.code, dict(gap.params)) == (
        "FUNDING_GAP",
        {"resources": D("84200.00"), "total": D("107000.00"), "gap": D("22800.00")},
    )
    assert rules.blocking_gaps([gap], accepted=()) == [gap]
    assert rules.blocking_gaps([gap], accepted={"FUNDING_GAP"}) == []


def test_covered_plan_confirms_and_a_surplus_does_not():
    assert (
        rules.confirmation_gaps(R.BENEFICIARY, budget(personnel="100000", pm="12", own="42800"))
        == []
    )
    [surplus] = rules.confirmation_gaps(
        R.BENEFICIARY, budget(personnel="100000", pm="12", own="42800.01")
    )
    assert (surplus.code, dict(surplus.params)["surplus"]) == ("FUNDING_SURPLUS", D("0.01"))
    assert "FUNDING_SURPLUS" not in rules.WAIVABLE_GAPS


def test_associated_partner_needs_tasks_and_no_eu_money():
    # LIFE: an associated partner takes part without EU funding; its tasks are described.
    assert [
        g.code
        for g in rules.confirmation_gaps(R.ASSOCIATED_PARTNER, budget(role=R.ASSOCIATED_PARTNER))
    ] == ["NO_TASKS"]
    assert (
        rules.confirmation_gaps(
            R.ASSOCIATED_PARTNER, budget(role=R.ASSOCIATED_PARTNER), "Hosts the site visits"
        )
        == []
    )
    gaps = rules.confirmation_gaps(
        R.ASSOCIATED_PARTNER, budget(eu="1000", role=R.ASSOCIATED_PARTNER), "Hosts visits"
    )
    assert [g.code for g in gaps] == ["EU_FOR_UNFUNDED_ROLE"]


@given(personnel=st.integers(0, 10**7), pm=st.integers(0, 200), own=st.integers(0, 10**7))
def test_a_confirmable_funded_plan_always_balances(personnel, pm, own):
    plan = budget(personnel=str(personnel), pm=str(pm), own=str(own))
    if not rules.confirmation_gaps(R.BENEFICIARY, plan):
        assert plan.total > 0 and plan.person_months_total > 0 and plan.balance_gap == 0
