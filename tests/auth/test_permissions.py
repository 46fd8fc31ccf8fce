import pytest

from consortium.auth.permissions import (
    ROLE_CAPABILITIES,
    Capability,
    DirectoryAccess,
    can,
    can_create_proposal,
    directory_access,
    sees_private_fields,
    sees_proposal,
)

EXPECTED = {
    "lead": set(Capability) - {Capability.EDIT_OWN_COMMITMENT},
    "writer": {
        Capability.VIEW,
        Capability.VIEW_WORKSHOPS,
        Capability.VIEW_FIT,
        Capability.VIEW_NETWORK,
        Capability.VIEW_BUDGETS,
        Capability.VIEW_SECTIONS,
        Capability.EDIT_SECTIONS,
        Capability.EXPORT_DOSSIER,
    },
    "viewer": {
        Capability.VIEW,
        Capability.VIEW_WORKSHOPS,
        Capability.VIEW_FIT,
        Capability.VIEW_NETWORK,
        Capability.VIEW_BUDGETS,
        Capability.VIEW_SECTIONS,
    },
    "partner": {Capability.VIEW, Capability.EDIT_OWN_COMMITMENT},
    None: set(),
}


@pytest.mark.parametrize("role", list(EXPECTED))
@pytest.mark.parametrize("capability", list(Capability))
def test_capability_grid(role, capability):
    assert can(role, capability) is (capability in EXPECTED[role])


@pytest.mark.parametrize("capability", list(Capability))
def test_admin_may_do_everything_but_speak_for_a_partner(capability):
    assert can(None, capability, is_admin=True) is (capability != Capability.EDIT_OWN_COMMITMENT)


def test_roles_table_has_exactly_four_roles():
    assert set(ROLE_CAPABILITIES) == {"lead", "writer", "viewer", "partner"}


@pytest.mark.parametrize(
    ("role", "admin", "expected"),
    [
        ("lead", False, True),
        ("partner", False, True),
        (None, False, False),
        ("unknown", False, False),
        (None, True, True),
    ],
)
def test_sees_proposal(role, admin, expected):
    assert sees_proposal(role, is_admin=admin) is expected


@pytest.mark.parametrize(
    ("roles", "admin", "expected"),
    [
        ([], True, DirectoryAccess.EDIT),
        (["viewer", "lead"], False, DirectoryAccess.EDIT),
        (["writer"], False, DirectoryAccess.READ),
        (["viewer", "partner"], False, DirectoryAccess.READ),
        (["partner"], False, DirectoryAccess.PARTNER),
        ([], False, DirectoryAccess.NONE),
    ],
)
def test_directory_access_takes_the_strongest_role(roles, admin, expected):
    assert directory_access(roles, is_admin=admin) is expected


def test_only_leads_writers_and_viewers_see_private_fields():
    assert sees_private_fields(DirectoryAccess.PARTNER) is False
    assert sees_private_fields(DirectoryAccess.READ) is True


@pytest.mark.parametrize(
    ("roles", "admin", "expected"),
    [
        ([], True, True),
        (["lead"], False, True),
        (["writer", "partner"], False, False),
        ([], False, False),
    ],
)
def test_who_creates_proposals(roles, admin, expected):
    assert can_create_proposal(roles, is_admin=admin) is expected
