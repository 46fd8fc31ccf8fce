"""Participation workflow: the whole Status x Action x role grid, labels, roles."""

from __future__ import annotations

import itertools
import re

import pytest
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po

from consortium.commitments import workflow
from consortium.commitments.workflow import (
    ACTION_ACTORS,
    TRANSITIONS,
    Action,
    ActorRole,
    InvalidTransition,
    ParticipantRole,
    Status,
    allowed_actions,
    next_status,
)
from consortium.errors import DomainError

S, A, LEAD, PARTNER = Status, Action, ActorRole.LEAD, ActorRole.PARTNER

# The expected table, written out independently of the module (status, action, actor) -> next.
EXPECTED: dict[tuple[Status, Action, ActorRole], Status] = {
    (S.CANDIDATE, A.SHORTLIST, LEAD): S.SHORTLISTED,
    (S.SHORTLISTED, A.UNSHORTLIST, LEAD): S.CANDIDATE,
    (S.SHORTLISTED, A.INVITE, LEAD): S.INVITED,
    (S.INVITED, A.CONFIRM, PARTNER): S.CONFIRMED,
    (S.INVITED, A.DECLINE, PARTNER): S.DECLINED,
    (S.INVITED, A.WITHDRAW, LEAD): S.WITHDRAWN,
    (S.CONFIRMED, A.WITHDRAW, LEAD): S.WITHDRAWN,
    (S.TO_RECONFIRM, A.CONFIRM, PARTNER): S.CONFIRMED,
    (S.TO_RECONFIRM, A.RECONFIRM, PARTNER): S.CONFIRMED,
    (S.TO_RECONFIRM, A.DECLINE, PARTNER): S.DECLINED,
    (S.TO_RECONFIRM, A.WITHDRAW, LEAD): S.WITHDRAWN,
    (S.DECLINED, A.REOPEN, LEAD): S.CANDIDATE,
    (S.WITHDRAWN, A.REOPEN, LEAD): S.CANDIDATE,
    (S.CONFIRMED, A.CHANGE, LEAD): S.TO_RECONFIRM,
    (S.CONFIRMED, A.CHANGE, PARTNER): S.TO_RECONFIRM,
    **{(s, A.CHANGE, r): s for s in Status for r in ActorRole if s is not S.CONFIRMED},
}

GRID = list(itertools.product(Status, Action, ActorRole))


def test_grid_is_complete_and_expected_has_27_allowed_cells() -> None:
    assert len(GRID) == 7 * 9 * 2
    assert len(EXPECTED) == 27


@pytest.mark.parametrize(
    ("status", "action", "actor"), GRID, ids=[f"{s}-{a}-{r}" for s, a, r in GRID]
)
def test_every_cell_of_the_grid(status: Status, action: Action, actor: ActorRole) -> None:
    key = (status, action, actor)
    if key in EXPECTED:
        assert next_status(status, action, actor_role=actor) is EXPECTED[key]
        assert TRANSITIONS[(status, action)] is EXPECTED[key]
    else:
        with pytest.raises(InvalidTransition) as caught:
            next_status(status, action, actor_role=actor)
        error = caught.value
        assert (error.status, error.action, error.actor_role) == (status, action, actor)
        assert isinstance(error, ValueError)
        assert isinstance(error, DomainError)
        assert str(error) == error.template % error.params


def test_table_matches_expected_exactly() -> None:
    assert {(s, a) for s, a, _ in EXPECTED} == set(TRANSITIONS)


def test_allowed_actions_match_the_grid() -> None:
    for status, actor in itertools.product(Status, ActorRole):
        expected = tuple(a for a in Action if (status, a, actor) in EXPECTED)
        assert allowed_actions(status, actor) == expected


def test_allowed_actions_examples() -> None:
    assert allowed_actions("invited", "partner") == (A.CONFIRM, A.DECLINE, A.CHANGE)
    assert allowed_actions("invited", "lead") == (A.WITHDRAW, A.CHANGE)
    assert allowed_actions("to_reconfirm", "partner") == (
        A.CONFIRM,
        A.DECLINE,
        A.CHANGE,
        A.RECONFIRM,
    )
    assert allowed_actions("declined", "partner") == (A.CHANGE,)
    assert allowed_actions("candidate", "lead") == (A.SHORTLIST, A.CHANGE)


def test_lead_cannot_confirm_on_behalf_of_partner_message() -> None:
    with pytest.raises(InvalidTransition) as caught:
        next_status(S.INVITED, A.CONFIRM, actor_role=LEAD)
    assert caught.value.template == InvalidTransition.TEMPLATE_ACTOR
    assert caught.value.params == {"actors": "the partner", "action": "Confirm"}
    assert str(caught.value) == "Only the partner may “Confirm” a participation."


def test_wrong_status_message() -> None:
    with pytest.raises(InvalidTransition) as caught:
        next_status("candidate", "invite", actor_role="lead")
    assert caught.value.template == InvalidTransition.TEMPLATE_STATUS
    assert str(caught.value) == (
        "“Invite” is not possible for a participation that is “Candidate”."
    )


def test_unknown_values_are_plain_value_errors() -> None:
    with pytest.raises(ValueError, match="unknown status: 'draft'") as caught:
        next_status("draft", "invite", actor_role="lead")
    assert not isinstance(caught.value, InvalidTransition)
    with pytest.raises(ValueError, match="unknown action: 'sign'"):
        next_status("invited", "sign", actor_role="lead")
    with pytest.raises(ValueError, match="unknown actor role: 'admin'"):
        allowed_actions("invited", "admin")


def test_a_full_journey_and_a_change_after_confirmation() -> None:
    status = S.CANDIDATE
    for action, actor in [
        (A.SHORTLIST, LEAD),
        (A.INVITE, LEAD),
        (A.CONFIRM, PARTNER),
        (A.CHANGE, LEAD),
        (A.RECONFIRM, PARTNER),
        (A.CHANGE, PARTNER),
        (A.DECLINE, PARTNER),
        (A.REOPEN, LEAD),
    ]:
        status = next_status(status, action, actor_role=actor)
    assert status is S.CANDIDATE


def test_every_status_is_reachable_from_candidate() -> None:
    seen, frontier = {S.CANDIDATE}, [S.CANDIDATE]
    while frontier:
        current = frontier.pop()
        for (source, _), target in TRANSITIONS.items():
            if source is current and target not in seen:
                seen.add(target)
                frontier.append(target)
    assert seen == set(Status)


def test_lead_never_confirms_or_declines_and_partner_only_answers() -> None:
    partner_actions = {a for a, who in ACTION_ACTORS.items() if PARTNER in who}
    lead_actions = {a for a, who in ACTION_ACTORS.items() if LEAD in who}
    assert partner_actions == {A.CONFIRM, A.RECONFIRM, A.DECLINE, A.CHANGE}
    assert lead_actions == set(Action) - {A.CONFIRM, A.RECONFIRM, A.DECLINE}
    assert set(ACTION_ACTORS) == set(Action)


def test_labels_cover_every_member() -> None:
    assert set(workflow.STATUS_LABELS) == set(Status)
    assert set(workflow.ACTION_LABELS) == set(Action)
    assert workflow.status_label("to_reconfirm") == "To re-confirm"


@pytest.mark.parametrize(
    ("role", "short", "eu", "counts", "pic"),
    [
        (ParticipantRole.COORDINATING_BENEFICIARY, "coordinator", True, True, True),
        (ParticipantRole.BENEFICIARY, "beneficiary", True, True, True),
        (ParticipantRole.AFFILIATED_ENTITY, "affiliated_entity", True, False, True),
        (ParticipantRole.ASSOCIATED_PARTNER, "associated_partner", False, False, True),
        (ParticipantRole.SUBCONTRACTOR, "subcontractor", False, False, False),
    ],
)
def test_role_flags(role: ParticipantRole, short: str, eu: bool, counts: bool, pic: bool) -> None:
    assert (
        role.short,
        role.receives_eu_funding,
        role.counts_as_beneficiary,
        role.pic_required,
    ) == (short, eu, counts, pic)
    assert ParticipantRole.parse(short) is role
    assert ParticipantRole.parse(role.value.upper()) is role


def test_only_affiliated_entities_are_linked_to_a_beneficiary() -> None:
    linked = {r for r in ParticipantRole if r.flags.linked_to_beneficiary}
    assert linked == {ParticipantRole.AFFILIATED_ENTITY}
    assert ParticipantRole.parse(" Associated-Partner ") is ParticipantRole.ASSOCIATED_PARTNER
    with pytest.raises(ValueError, match="unknown role"):
        ParticipantRole.parse("sponsor")


PO_PATH = "consortium/commitments/translations/fr/LC_MESSAGES/messages.po"


@pytest.mark.parametrize("module", ["workflow", "budget"])
def test_every_marked_message_has_a_french_translation(module: str) -> None:
    with open(PO_PATH, "rb") as handle:
        catalog = read_po(handle)
    assert catalog.charset.lower() == "utf-8"
    marked = [
        m[1]
        for m in extract_from_file(
            "python", f"consortium/commitments/{module}.py", keywords={"N_": None}
        )
    ]
    assert marked
    for msgid in marked:
        message = catalog.get(msgid)
        assert message is not None, msgid
        assert message.string, msgid
        placeholders = sorted(_placeholders(msgid))
        assert sorted(_placeholders(message.string)) == placeholders, msgid


def _placeholders(text: str) -> list[str]:
    """``%(name)s`` placeholders of ``text``."""
    return re.findall(r"%\((\w+)\)s", text)
