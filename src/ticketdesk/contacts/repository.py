"""Contact and organisation queries, each scoped to one workspace by _in_workspace().

Search is index-backed on both databases (migration 0016): on PostgreSQL trigram GIN indexes
serve `LIKE` on `lower(name)` and `email`; on SQLite the FTS5 trigram table `contacts_fts`
serves three characters and more, and btree ranges over `lower(name)` and `email` serve the
one- and two-character prefixes. Ticket counts are one grouped query per page.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVarTuple

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    String,
    and_,
    func,
    literal_column,
    not_,
    or_,
    select,
    text,
    union,
)
from sqlalchemy.ext.asyncio import AsyncSession

from ticketdesk.db import dialect_name
from ticketdesk.models import Contact, Ticket
from ticketdesk.models.ticket import contact_domain

Ts = TypeVarTuple("Ts")

UNSOLVED = ("open", "pending")


def _in_workspace(stmt: Select[*Ts], workspace_id: uuid.UUID) -> Select[*Ts]:
    """The tenant scope: every contact query goes through here."""
    return stmt.where(Contact.workspace_id == workspace_id)


# the expression ix_contacts_search_trgm indexes (0016): a name is one line, so a newline
# parts it from the email and no match spans both
_PG_SEARCH_TEXT: ColumnElement[str] = func.lower(
    func.coalesce(Contact.name, literal_column("''"))
    + literal_column("E'\\n'", String)
    + Contact.email,
    type_=String,
)


def _like_escaped(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _search_condition(dialect: str, workspace_id: uuid.UUID, q: str) -> ColumnElement[bool]:
    """Name or email: starting with `q` (one or two characters), holding it (three or more).
    `q` is lower case."""
    name = func.lower(Contact.name)
    if dialect == "postgresql":  # backslash is PostgreSQL's default LIKE escape
        escaped = _like_escaped(q)
        if len(q) >= 3:
            return _PG_SEARCH_TEXT.like(f"%{escaped}%")
        return or_(_PG_SEARCH_TEXT.like(f"{escaped}%"), _PG_SEARCH_TEXT.like(f"%\n{escaped}%"))
    if len(q) >= 3:
        phrase = '"' + q.replace('"', '""') + '"'
        matching = text("SELECT rowid FROM contacts_fts WHERE contacts_fts MATCH :phrase")
        return literal_column("contacts.rowid").in_(matching.bindparams(phrase=phrase))
    # a prefix: each range on its own index, the rows then found by rowid (an OR beside
    # ORDER BY email can walk the workspace's whole email index instead)
    after = q + "\U0010ffff"  # above every text that starts with q (UTF-8 sorts by code point)
    rowid: ColumnElement[int] = literal_column("contacts.rowid", Integer)
    by_name = select(rowid).where(Contact.workspace_id == workspace_id, name >= q, name < after)
    by_email = select(rowid).where(
        Contact.workspace_id == workspace_id, Contact.email >= q, Contact.email < after
    )
    return rowid.in_(union(by_name, by_email))


def _free_mail_condition(
    domain: ColumnElement[str], free: Sequence[str], families: Sequence[str]
) -> ColumnElement[bool]:
    return or_(domain.in_(free), *(domain.like(f"{family}.%") for family in families))


@dataclass(frozen=True)
class Counts:
    tickets_open: int = 0
    tickets_total: int = 0
    last_ticket_at: datetime | None = None


async def list_contacts(
    session: AsyncSession,
    workspace_id: uuid.UUID,
    *,
    q: str | None,
    organization: str | None,
    after_email: str | None,
    limit: int,
) -> Sequence[Contact]:
    """Contacts by email (the unique `(workspace_id, email)` index gives the keyset order)."""
    stmt = contacts_statement(
        dialect_name(session),
        workspace_id,
        q=q,
        organization=organization,
        after_email=after_email,
        limit=limit,
    )
    return (await session.scalars(stmt)).all()


def contacts_statement(
    dialect: str,
    workspace_id: uuid.UUID,
    *,
    q: str | None,
    organization: str | None,
    after_email: str | None,
    limit: int,
) -> Select[Contact]:
    stmt = _in_workspace(select(Contact), workspace_id)
    if q:
        stmt = stmt.where(_search_condition(dialect, workspace_id, q))
    if organization:
        stmt = stmt.where(contact_domain(dialect) == organization)
    if after_email is not None:
        stmt = stmt.where(Contact.email > after_email)
    return stmt.order_by(Contact.email).limit(limit)


async def find_contact(
    session: AsyncSession, workspace_id: uuid.UUID, contact_id: uuid.UUID
) -> Contact | None:
    stmt = _in_workspace(select(Contact), workspace_id).where(Contact.id == contact_id)
    contact: Contact | None = await session.scalar(stmt)
    return contact


async def counts_by_contact(
    session: AsyncSession, workspace_id: uuid.UUID, contact_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, Counts]:
    """Open and total tickets and the newest ticket's time of each contact: one grouped query
    over `ix_tickets_ws_requester`."""
    if not contact_ids:
        return {}
    stmt = (
        select(
            Ticket.requester_id,
            func.count().filter(Ticket.status_category.in_(UNSOLVED)),
            func.count(),
            func.max(Ticket.created_at),
        )
        .where(Ticket.workspace_id == workspace_id, Ticket.requester_id.in_(contact_ids))
        .group_by(Ticket.requester_id)
    )
    rows = await session.execute(stmt)
    return {row[0]: Counts(row[1], row[2], row[3]) for row in rows if row[0] is not None}


async def list_organizations(
    session: AsyncSession,
    workspace_id: uuid.UUID,
    *,
    q: str | None,
    after_domain: str | None,
    limit: int,
    free_mail: Sequence[str],
    free_mail_families: Sequence[str],
) -> list[tuple[str, int]]:
    """(domain, contacts) in domain order, free-mail domains left out; walks the
    `(workspace_id, domain)` expression index."""
    domain = contact_domain(dialect_name(session))
    stmt = _in_workspace(select(domain, func.count()), workspace_id).where(
        not_(_free_mail_condition(domain, free_mail, free_mail_families))
    )
    if q:
        stmt = stmt.where(domain.like(f"%{_like_escaped(q)}%", escape="\\"))
    if after_domain is not None:
        stmt = stmt.where(domain > after_domain)
    stmt = stmt.group_by(domain).order_by(domain).limit(limit)
    return [(row[0], row[1]) for row in await session.execute(stmt)]


async def contacts_in_domain(
    session: AsyncSession, workspace_id: uuid.UUID, domain_name: str
) -> int:
    domain = contact_domain(dialect_name(session))
    stmt = _in_workspace(select(func.count()), workspace_id).where(domain == domain_name)
    return int(await session.scalar(stmt) or 0)


async def counts_by_domain(
    session: AsyncSession, workspace_id: uuid.UUID, domains: Sequence[str]
) -> dict[str, Counts]:
    """Ticket counts of each domain's contacts: one grouped join for the page."""
    if not domains:
        return {}
    domain = contact_domain(dialect_name(session))
    stmt = (
        _in_workspace(
            select(
                domain,
                func.count().filter(Ticket.status_category.in_(UNSOLVED)),
                func.count(),
                func.max(Ticket.created_at),
            ),
            workspace_id,
        )
        .select_from(Contact)
        .join(
            Ticket,
            and_(Ticket.workspace_id == workspace_id, Ticket.requester_id == Contact.id),
        )
        .where(domain.in_(domains))
        .group_by(domain)
    )
    rows = await session.execute(stmt)
    return {row[0]: Counts(row[1], row[2], row[3]) for row in rows}
