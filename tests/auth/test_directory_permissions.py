"""The directory privacy predicates, per role and holding, without HTTP (issue #15 item 2;
the same rules through pages and the API: tests/directory/test_privacy.py)."""

import pytest

from consortium.auth.permissions import (
    DirectoryAccess,
    may_edit_organisation_of,
    may_restructure_organisation,
    sees_organisation_private_fields,
    sees_participation,
)

EDIT, READ, PARTNER, NONE = (
    DirectoryAccess.EDIT,
    DirectoryAccess.READ,
    DirectoryAccess.PARTNER,
    DirectoryAccess.NONE,
)


@pytest.mark.parametrize(
    ("access", "admin", "own", "holding", "readers", "expected"),
    [
        (EDIT, True, False, {2}, set(), True),  # administrator
        (EDIT, False, False, {2}, {1}, False),  # lead of proposal 1, organisation in 2 only
        (READ, False, False, {2}, {1}, False),  # writer or viewer of 1
        (READ, False, False, {1, 2}, {1}, True),  # held by 1 too
        (EDIT, False, False, set(), {1}, True),  # held by no proposal: the directory's own
        (READ, False, False, set(), {1}, True),
        (PARTNER, False, True, {2}, set(), True),  # its own partner
        (PARTNER, False, False, set(), set(), False),  # another partner, even unheld
        (NONE, False, False, set(), set(), False),
    ],
)
def test_private_fields_belong_to_the_holding_proposals(
    access, admin, own, holding, readers, expected
):
    assert (
        sees_organisation_private_fields(
            access,
            is_admin=admin,
            is_own=own,
            holding_proposal_ids=holding,
            reader_proposal_ids=readers,
        )
        is expected
    )


@pytest.mark.parametrize(
    ("access", "admin", "own", "holding", "led", "edit", "restructure"),
    [
        (EDIT, True, False, {1, 2}, set(), True, True),
        (EDIT, False, False, {1, 2}, {1}, True, False),  # leads one holder of two
        (EDIT, False, False, {1, 2}, {1, 2}, True, True),
        (EDIT, False, False, {2}, {1}, False, False),
        (EDIT, False, False, set(), {1}, True, True),
        (READ, False, False, set(), set(), False, False),
        (PARTNER, False, True, {1}, set(), True, False),
        (PARTNER, False, False, set(), set(), False, False),
        (NONE, False, False, set(), set(), False, False),
    ],
)
def test_edit_needs_a_holders_lead_and_merge_or_delete_every_holders_lead(
    access, admin, own, holding, led, edit, restructure
):
    assert (
        may_edit_organisation_of(
            access, is_admin=admin, is_own=own, holding_proposal_ids=holding, led_proposal_ids=led
        )
        is edit
    )
    assert (
        may_restructure_organisation(
            access, is_admin=admin, holding_proposal_ids=holding, led_proposal_ids=led
        )
        is restructure
    )


@pytest.mark.parametrize(
    ("role", "status", "expected"),
    [
        ("partner", "candidate", False),
        ("partner", "shortlisted", True),
        ("partner", "declined", False),
        ("lead", "candidate", True),
        ("viewer", "candidate", True),
        ("lead", "withdrawn", False),
        (None, "candidate", False),
    ],
)
def test_partners_do_not_see_candidates(role, status, expected):
    assert sees_participation(role, status) is expected
    assert sees_participation(None, status, is_admin=True) is (
        status not in ("declined", "withdrawn")
    )
