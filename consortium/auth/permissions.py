"""Who may do what: small pure predicates over roles, tested per role without HTTP.

A user's role on a proposal is one of ``lead``, ``writer``, ``partner``, ``viewer`` (or none);
instance administrators may do everything.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum


class Capability(StrEnum):
    VIEW = "view"  # see the proposal, its dashboard and members list
    EDIT_PROPOSAL = "edit_proposal"  # title, topic, summary, languages, weights
    MANAGE_MEMBERS = "manage_members"  # give and remove roles on the proposal
    VIEW_WORKSHOPS = "view_workshops"
    EDIT_WORKSHOPS = "edit_workshops"  # workshops, attendance, outputs, actions
    VIEW_FIT = "view_fit"  # rankings, checks, what-if
    VIEW_NETWORK = "view_network"
    MANAGE_COMMITMENTS = "manage_commitments"  # board, invitations, every participation
    VIEW_BUDGETS = "view_budgets"  # every partner's budget (not only one's own)
    EDIT_OWN_COMMITMENT = "edit_own_commitment"
    VIEW_SECTIONS = "view_sections"
    EDIT_SECTIONS = "edit_sections"
    EXPORT_DOSSIER = "export_dossier"


_ALL = frozenset(Capability)
ROLE_CAPABILITIES: dict[str, frozenset[Capability]] = {
    "lead": _ALL - {Capability.EDIT_OWN_COMMITMENT},
    "writer": frozenset(
        {
            Capability.VIEW,
            Capability.VIEW_WORKSHOPS,
            Capability.VIEW_FIT,
            Capability.VIEW_NETWORK,
            Capability.VIEW_BUDGETS,
            Capability.VIEW_SECTIONS,
            Capability.EDIT_SECTIONS,
            Capability.EXPORT_DOSSIER,
        }
    ),
    "viewer": frozenset(
        {
            Capability.VIEW,
            Capability.VIEW_WORKSHOPS,
            Capability.VIEW_FIT,
            Capability.VIEW_NETWORK,
            Capability.VIEW_BUDGETS,
            Capability.VIEW_SECTIONS,
        }
    ),
    # Partners see the proposal summary and members list and handle their own commitment.
    "partner": frozenset({Capability.VIEW, Capability.EDIT_OWN_COMMITMENT}),
}


def can(role: str | None, capability: Capability, *, is_admin: bool = False) -> bool:
    """May someone with ``role`` on a proposal do ``capability``?"""
    if is_admin:
        return capability is not Capability.EDIT_OWN_COMMITMENT
    return role is not None and capability in ROLE_CAPABILITIES.get(role, frozenset())


def sees_proposal(role: str | None, *, is_admin: bool = False) -> bool:
    """Without any role the proposal is hidden (404), so its existence does not leak."""
    return is_admin or role in ROLE_CAPABILITIES


class DirectoryAccess(StrEnum):
    EDIT = "edit"  # every field of every organisation
    READ = "read"  # every field, read only
    PARTNER = "partner"  # shared entries' public fields; edit only one's own organisation
    NONE = "none"


def directory_access(roles: Iterable[str], *, is_admin: bool = False) -> DirectoryAccess:
    """The directory spans proposals: the strongest role held on any proposal decides."""
    held = set(roles)
    if is_admin or "lead" in held:
        return DirectoryAccess.EDIT
    if held & {"writer", "viewer"}:
        return DirectoryAccess.READ
    if "partner" in held:
        return DirectoryAccess.PARTNER
    return DirectoryAccess.NONE


def sees_private_fields(access: DirectoryAccess) -> bool:
    """Whether private fields of *some* organisations are shown (leads, writers, viewers);
    which ones: sees_organisation_private_fields."""
    return access in (DirectoryAccess.EDIT, DirectoryAccess.READ)


# Private fields of organisations belong to the proposals holding them (a participation of
# any status, or a partner account for the organisation). See SECURITY.md, "Directory".
READER_ROLES = frozenset({"lead", "writer", "viewer"})


def sees_organisation_private_fields(
    access: DirectoryAccess,
    *,
    is_admin: bool,
    is_own: bool,
    holding_proposal_ids: Iterable[int],
    reader_proposal_ids: Iterable[int],
) -> bool:
    """Budget, contact people, private notes and the proposals it takes part in: the
    leads, writers and viewers of a proposal holding it (of any proposal if none holds
    it), its own partner, administrators."""
    if is_admin or (is_own and access is not DirectoryAccess.NONE):
        return True
    if access not in (DirectoryAccess.EDIT, DirectoryAccess.READ):
        return False
    holding = set(holding_proposal_ids)
    return not holding or bool(holding & set(reader_proposal_ids))


def may_edit_organisation_of(
    access: DirectoryAccess,
    *,
    is_admin: bool,
    is_own: bool,
    holding_proposal_ids: Iterable[int],
    led_proposal_ids: Iterable[int],
) -> bool:
    """Edit: administrators, the lead of a proposal holding it (any lead if none holds it),
    and its own partner."""
    if is_admin:
        return True
    if access is DirectoryAccess.PARTNER:
        return is_own
    if access is not DirectoryAccess.EDIT:
        return False
    holding = set(holding_proposal_ids)
    return not holding or bool(holding & set(led_proposal_ids))


def may_restructure_organisation(
    access: DirectoryAccess,
    *,
    is_admin: bool,
    holding_proposal_ids: Iterable[int],
    led_proposal_ids: Iterable[int],
) -> bool:
    """Merge or delete: administrators, or a lead who leads every proposal holding it."""
    if is_admin:
        return True
    return access is DirectoryAccess.EDIT and set(holding_proposal_ids) <= set(led_proposal_ids)


def sees_participation(role: str | None, status: str, *, is_admin: bool = False) -> bool:
    """Members list of a proposal: declined and withdrawn organisations are gone for all;
    candidates are the lead's working list, hidden from partners."""
    if status in ("declined", "withdrawn"):
        return False
    return status != "candidate" or is_admin or role in READER_ROLES


def can_create_proposal(roles: Iterable[str], *, is_admin: bool = False) -> bool:
    """Administrators and people already leading a proposal start new ones."""
    return is_admin or "lead" in set(roles)
