"""The territory's organisations, their people, past projects and cooperation ties."""

from __future__ import annotations

from collections.abc import Collection, Iterator
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any
from uuid import uuid4

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    event,
    insert,
    select,
    text,
    update,
)
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Mapped, ORMExecuteState, Session, mapped_column, relationship
from sqlalchemy.orm.attributes import PASSIVE_NO_INITIALIZE, get_history

from ..auth.models import User, utcnow
from ..extensions import db
from ..folding import collation_key

ORG_TYPES = (
    "public_authority",
    "research",
    "ngo",
    "sme",
    "large_company",
    "social_economy",
    "international",
    "other",
)
EU_EXPERIENCE = ("none", "participant", "coordinator")
TIE_KINDS = (
    "past_project",
    "formal_agreement",
    "supplier_client",
    "same_network",
    "informal",
    "other",
)


class Organisation(db.Model):
    __tablename__ = "organisation"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    acronym: Mapped[str | None] = mapped_column(String(60))
    org_type: Mapped[str] = mapped_column(String(30), default="other")
    natural_person: Mapped[bool] = mapped_column(default=False)
    country: Mapped[str] = mapped_column(String(2), index=True)
    region: Mapped[str | None] = mapped_column(String(120))
    city: Mapped[str | None] = mapped_column(String(120))
    pic: Mapped[str | None] = mapped_column(String(9), unique=True)
    # VAT or national registry number (SIRET, KvK...), compact upper case: names a tie's end.
    registry_number: Mapped[str | None] = mapped_column(String(40), index=True)
    website: Mapped[str | None] = mapped_column(String(500))
    email: Mapped[str | None] = mapped_column(String(254))
    description: Mapped[str] = mapped_column(Text, default="")
    keywords: Mapped[list[str]] = mapped_column(JSON, default=list)
    languages: Mapped[list[str]] = mapped_column(JSON, default=list)
    staff: Mapped[int | None]
    annual_budget_eur: Mapped[Decimal | None] = mapped_column(Numeric(16, 2))
    eu_experience: Mapped[str] = mapped_column(String(20), default="none")
    # Private notes of the leads; never shown to partners.
    notes: Mapped[str] = mapped_column(Text, default="")
    # Leads choose which entries partners may see (public fields only).
    shared_with_partners: Mapped[bool] = mapped_column(default=False)
    # Folded name + acronym + city + description + keywords, for accent-insensitive search.
    search_text: Mapped[str] = mapped_column(Text, default="")
    # Folded name without legal forms, for duplicate detection.
    name_key: Mapped[str] = mapped_column(String(300), default="", index=True)
    # The name's collation key (folding.collation_key): the directory's locale-aware order.
    sort_key: Mapped[str] = mapped_column(String(300), default="", index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    version: Mapped[int] = mapped_column(default=1)

    themes: Mapped[list[OrganisationTheme]] = relationship(
        back_populates="organisation",
        cascade="all, delete-orphan",
        order_by="OrganisationTheme.theme",
    )
    contacts: Mapped[list[Contact]] = relationship(
        back_populates="organisation", cascade="all, delete-orphan", order_by="Contact.id"
    )
    past_projects: Mapped[list[PastProject]] = relationship(
        back_populates="organisation",
        cascade="all, delete-orphan",
        order_by="PastProject.year.desc(), PastProject.id",
    )
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    updated_by: Mapped[User | None] = relationship(foreign_keys=[updated_by_id])

    __mapper_args__ = {"version_id_col": version}

    @property
    def theme_codes(self) -> list[str]:
        return [link.theme for link in self.themes]

    @property
    def display_name(self) -> str:
        return f"{self.name} ({self.acronym})" if self.acronym else self.name

    @property
    def short_name(self) -> str:
        return self.acronym or self.name


class OrganisationTheme(db.Model):
    __tablename__ = "organisation_theme"

    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), primary_key=True
    )
    theme: Mapped[str] = mapped_column(String(40), primary_key=True, index=True)

    organisation: Mapped[Organisation] = relationship(back_populates="themes")


class Contact(db.Model):
    __tablename__ = "contact"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(120))
    function: Mapped[str | None] = mapped_column(String(120))
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(40))

    organisation: Mapped[Organisation] = relationship(back_populates="contacts")


class PastProject(db.Model):
    __tablename__ = "past_project"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    programme: Mapped[str] = mapped_column(String(60))
    reference: Mapped[str | None] = mapped_column(String(80), index=True)
    title: Mapped[str] = mapped_column(String(300))
    year: Mapped[int | None]
    role: Mapped[str] = mapped_column(String(30), default="partner")
    #: What the project did (e.g. CORDIS's objective): the partner fit reads it.
    summary: Mapped[str | None] = mapped_column(Text)

    organisation: Mapped[Organisation] = relationship(back_populates="past_projects")


class Tie(db.Model):
    """A declared cooperation tie; stored with ``organisation_a_id < organisation_b_id``."""

    __tablename__ = "tie"
    __table_args__ = (
        UniqueConstraint("organisation_a_id", "organisation_b_id", "kind"),
        CheckConstraint("organisation_a_id < organisation_b_id", name="ordered_pair"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_a_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    organisation_b_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(30))
    year: Mapped[int | None]
    note: Mapped[str] = mapped_column(Text, default="")
    # Strength: 1 for a declared tie; shared projects add to it (opendata/coparticipation.py).
    weight: Mapped[float] = mapped_column(default=1.0, server_default="1")
    # Source projects or rows that back the tie: ["H2020 814985", ...], without repeats.
    evidence: Mapped[list[str]] = mapped_column(JSON, default=list, server_default=text("'[]'"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    organisation_a: Mapped[Organisation] = relationship(foreign_keys=[organisation_a_id])
    organisation_b: Mapped[Organisation] = relationship(foreign_keys=[organisation_b_id])


class OrganisationMerge(db.Model):
    """What a merge folded into the kept organisation, for the record."""

    __tablename__ = "organisation_merge"

    id: Mapped[int] = mapped_column(primary_key=True)
    kept_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    merged_name: Mapped[str] = mapped_column(String(300))
    merged_pic: Mapped[str | None] = mapped_column(String(9))
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    at: Mapped[datetime] = mapped_column(default=utcnow)


@event.listens_for(Organisation, "before_insert")
@event.listens_for(Organisation, "before_update")
def _keep_sort_key(_mapper, _connection, org: Organisation) -> None:
    """Whatever path saves an organisation (form, import, merge, demo), its sort key follows
    its name."""
    org.sort_key = collation_key(org.name)


# --------------------------------------------------------------------------- data version


class DirectoryRevision(db.Model):
    """The directory's data version: one row whose token changes, in the same transaction,
    with every write to the organisations, their themes, past projects or ties. Readers that
    keep something computed from those tables (the partner fit's profiles, index and ties)
    compare one token instead of re-reading thousands of rows. The token is random, never a
    counter: a version written by a transaction that rolled back is never seen again. Only
    writes through the application's sessions change it: after editing those tables by hand
    (``psql``), restart the application.

    The row also says which version the last one replaced and which organisations it changed
    (none listed after a bulk statement, whose rows are unknown), so a reader one version
    behind reads those organisations again instead of the whole directory."""

    __tablename__ = "directory_revision"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(32))
    previous: Mapped[str | None] = mapped_column(String(32))
    #: ids of the organisations the last version changed; None: any may have changed
    changed: Mapped[list[int] | None] = mapped_column(JSON)


@dataclass(frozen=True)
class DirectoryVersion:
    """The directory's data version, the one it replaced, and the organisations it changed
    (None: any may have changed)."""

    token: str
    previous: str | None
    changed: frozenset[int] | None


_REVISION_ROW = 1
#: ``session.info`` key, present once this transaction has written the directory and not yet
#: committed: the ids of the organisations it changed, or None when any may have changed.
_CHANGED = "directory_changed"
#: The tables the directory's data version covers, and the columns naming the organisations
#: a row belongs to.
_ORGANISATION_KEYS: dict[str, tuple[str, ...]] = {
    Organisation.__tablename__: ("id",),
    OrganisationTheme.__tablename__: ("organisation_id",),
    PastProject.__tablename__: ("organisation_id",),
    Tie.__tablename__: ("organisation_a_id", "organisation_b_id"),
}
VERSIONED_TABLES = frozenset(_ORGANISATION_KEYS)


#: A version that changes more organisations than this records "any": a reader would read
#: the whole directory again anyway, and the row stays small.
LISTED_LIMIT = 500


def new_revision(connection: Connection, changed: Collection[int] | None = None) -> None:
    """Give the directory a new data version (inside the caller's transaction); ``changed``:
    the organisations it changes, None when any may have changed."""
    table = DirectoryRevision.__table__
    listed = sorted(changed) if changed is not None and len(changed) <= LISTED_LIMIT else None
    # ``previous`` takes the token this statement replaces: under the row's lock, so two
    # transactions committing at once each name the version they really replaced
    written = connection.execute(
        update(table)
        .where(table.c.id == _REVISION_ROW)
        .values(previous=table.c.token, token=uuid4().hex, changed=listed)
    )
    if written.rowcount == 0:  # an emptied database: the row comes back with the first write
        connection.execute(insert(table).values(id=_REVISION_ROW, token=uuid4().hex))


def current_revision(session: Session) -> str | None:
    """The directory's data version as this transaction sees it; None while the transaction
    holds directory changes of its own (nothing kept for another version fits them)."""
    session.flush()
    token = session.scalar(
        select(DirectoryRevision.token).where(DirectoryRevision.id == _REVISION_ROW)
    )
    return None if _CHANGED in session.info else token


def current_version(session: Session) -> DirectoryVersion | None:
    """The directory's data version with the change that made it, read in one statement (a
    version and another's change must never be paired); None as for
    :func:`current_revision`."""
    session.flush()
    row = session.execute(
        select(
            DirectoryRevision.token, DirectoryRevision.previous, DirectoryRevision.changed
        ).where(DirectoryRevision.id == _REVISION_ROW)
    ).one_or_none()
    if row is None or _CHANGED in session.info:
        return None
    changed = frozenset(row.changed) if row.changed is not None else None
    return DirectoryVersion(row.token, row.previous, changed)


@event.listens_for(DirectoryRevision.__table__, "after_create")
def _first_revision(_table, connection: Connection, **_kw) -> None:
    new_revision(connection)


def _versioned(obj: object) -> bool:
    return getattr(obj, "__tablename__", None) in VERSIONED_TABLES


def _organisation_ids(obj: object) -> Iterator[int | None]:
    """The organisations a saved or deleted row belongs to, after the flush and before it (a
    past project moved to another organisation changes both); None for a value not loaded.
    Reads no row: this runs inside the flush."""
    for key in _ORGANISATION_KEYS[getattr(obj, "__tablename__", "")]:
        yield vars(obj).get(key)
        # the module function, not ``inspect(obj).attrs``: that one ties each object to its
        # state in a reference cycle, and a large import would wait for the collector
        yield from get_history(obj, key, passive=PASSIVE_NO_INITIALIZE).deleted


@event.listens_for(Session, "after_flush")
def _note_flushed_changes(session: Session, _context) -> None:
    """Objects saved or deleted through the unit of work (forms, imports, merges, demo)."""
    written = [obj for obj in (*session.new, *session.deleted) if _versioned(obj)]
    written += [obj for obj in session.dirty if _versioned(obj) and session.is_modified(obj)]
    if not written:
        return
    ids = {oid for obj in written for oid in _organisation_ids(obj)}
    known = session.info.setdefault(_CHANGED, set())
    if known is None:
        return
    if None in ids:  # a row whose organisation is not known: any may have changed
        session.info[_CHANGED] = None
    else:
        known.update(ids)


@event.listens_for(Session, "do_orm_execute")
def _note_bulk_writes(state: ORMExecuteState) -> None:
    """Statements that write without the unit of work (bulk inserts, ``update()``,
    ``delete()``, merges repointing past projects)."""
    if not (state.is_insert or state.is_update or state.is_delete):
        return
    table = getattr(state.statement, "table", None)
    if getattr(table, "name", None) in VERSIONED_TABLES:
        state.session.info[_CHANGED] = None  # which rows it wrote is not known


@event.listens_for(Session, "before_commit")
def _new_revision_on_commit(session: Session) -> None:
    """The version changes as the last write of the transaction: the row is locked only for
    the commit itself, so long imports and concurrent edits do not queue behind it."""
    session.flush()
    if _CHANGED in session.info:
        new_revision(session.connection(), session.info.pop(_CHANGED))


@event.listens_for(Session, "after_transaction_end")
def _forget_changes(session: Session, transaction) -> None:
    """A transaction rolled back or closed: its changes are gone (savepoints apart)."""
    if transaction.parent is None:
        session.info.pop(_CHANGED, None)
