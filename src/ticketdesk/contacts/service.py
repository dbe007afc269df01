"""The rules of contacts: who the requesters are, their organisation (the email's domain
unless it is a free-mail provider's), and what they have asked.

A contact edit is not a ticket event: it writes `contact.updated` on no ticket (as
conversations do), which webhooks can subscribe to.
"""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from ticketdesk import events
from ticketdesk.auth.principal import Principal
from ticketdesk.contacts import repository
from ticketdesk.contacts.repository import Counts
from ticketdesk.contacts.schemas import ContactProfileRead, ContactUpdate, OrganizationRead
from ticketdesk.crud import ensure_found
from ticketdesk.errors import NotFound, ValidationFailed
from ticketdesk.models import Contact
from ticketdesk.pagination import decode_cursor, keyset_page

# Mailbox providers: their users are people, not an organisation.
FREE_MAIL_DOMAINS = (
    "126.com",
    "163.com",
    "aol.com",
    "fastmail.com",
    "free.fr",
    "freenet.de",
    "googlemail.com",
    "gmail.com",
    "hey.com",
    "icloud.com",
    "laposte.net",
    "libero.it",
    "mac.com",
    "mail.com",
    "mail.ru",
    "me.com",
    "msn.com",
    "naver.com",
    "orange.fr",
    "pm.me",
    "posteo.de",
    "proton.me",
    "protonmail.com",
    "qq.com",
    "seznam.cz",
    "t-online.de",
    "tuta.io",
    "tutanota.com",
    "web.de",
    "yandex.com",
    "yandex.ru",
    "ymail.com",
    "zoho.com",
)
# every country's variant: gmx.de, gmx.net, yahoo.co.uk, hotmail.fr, outlook.de, live.com …
FREE_MAIL_FAMILIES = ("gmx", "hotmail", "live", "outlook", "yahoo")


class ContactNotFound(NotFound):
    title = "Contact not found"


class OrganizationNotFound(NotFound):
    title = "Organization not found"


def email_domain(email: str) -> str:
    return email.rpartition("@")[2].lower()


def is_free_mail(domain: str) -> bool:
    family, dot, _ = domain.partition(".")
    return domain in FREE_MAIL_DOMAINS or (bool(dot) and family in FREE_MAIL_FAMILIES)


def organization_of(email: str) -> str | None:
    """The contact's organisation: its email's domain, unless that is a mailbox provider."""
    domain = email_domain(email)
    return None if not domain or is_free_mail(domain) else domain


def _search(text: str | None) -> str | None:
    """A search or filter word as the queries compare it (trimmed, lower case); blank is none."""
    return text.strip().lower() if text and text.strip() else None


def _text_cursor(cursor: str | None) -> str | None:
    """The email or domain a page ends with, from its `next_cursor`."""
    if not cursor:
        return None
    value = decode_cursor(cursor, 1)[0]
    if not isinstance(value, str):
        raise ValidationFailed(
            "The cursor is not valid; use `next_cursor` from a previous page.",
            loc=("query", "cursor"),
        )
    return value


def _profile(contact: Contact, counts: Counts) -> ContactProfileRead:
    return ContactProfileRead(
        id=contact.id,
        email=contact.email,
        name=contact.name,
        organization=organization_of(contact.email),
        created_at=contact.created_at,
        tickets_open=counts.tickets_open,
        tickets_total=counts.tickets_total,
        last_ticket_at=counts.last_ticket_at,
    )


async def list_contacts(
    session: AsyncSession,
    principal: Principal,
    *,
    q: str | None,
    organization: str | None,
    limit: int,
    cursor: str | None,
) -> tuple[list[ContactProfileRead], str | None]:
    """One keyset page of contacts by email, with their ticket counts (one grouped query)."""
    after = _text_cursor(cursor)
    rows = await repository.list_contacts(
        session,
        principal.workspace_id,
        q=_search(q),
        organization=_search(organization),
        after_email=after,
        limit=limit + 1,
    )
    page, next_cursor = keyset_page(rows, limit, lambda contact: [contact.email])
    counts = await repository.counts_by_contact(
        session, principal.workspace_id, [c.id for c in page]
    )
    return [_profile(contact, counts.get(contact.id, Counts())) for contact in page], next_cursor


async def get_contact(
    session: AsyncSession, principal: Principal, contact_id: uuid.UUID
) -> Contact:
    contact = await repository.find_contact(session, principal.workspace_id, contact_id)
    return ensure_found(contact, "No such contact in this workspace.", ContactNotFound)


async def contact_profile(
    session: AsyncSession, principal: Principal, contact: Contact
) -> ContactProfileRead:
    counts = await repository.counts_by_contact(session, principal.workspace_id, [contact.id])
    return _profile(contact, counts.get(contact.id, Counts()))


async def update_contact(
    session: AsyncSession, principal: Principal, contact: Contact, data: ContactUpdate
) -> Contact:
    """Rename a contact; a change writes `contact.updated` with `{name: {from, to}}`."""
    if "name" in data.model_fields_set and data.name != contact.name:
        before, contact.name = contact.name, data.name
        events.record(
            session,
            workspace_id=principal.workspace_id,
            ticket_id=None,
            type="contact.updated",
            actor=principal.actor(),
            data={
                "contact_id": contact.id,
                "email": contact.email,
                "changes": {"name": {"from": before, "to": contact.name}},
            },
        )
        await session.flush()
    return contact


async def list_organizations(
    session: AsyncSession,
    principal: Principal,
    *,
    q: str | None,
    limit: int,
    cursor: str | None,
) -> tuple[list[OrganizationRead], str | None]:
    """One keyset page of organisations by domain, with contact and ticket counts."""
    after = _text_cursor(cursor)
    rows = await repository.list_organizations(
        session,
        principal.workspace_id,
        q=_search(q),
        after_domain=after,
        limit=limit + 1,
        free_mail=FREE_MAIL_DOMAINS,
        free_mail_families=FREE_MAIL_FAMILIES,
    )
    page, next_cursor = keyset_page(rows, limit, lambda row: [row[0]])
    counts = await repository.counts_by_domain(
        session, principal.workspace_id, [domain for domain, _ in page]
    )
    items = [
        _organization(domain, contacts, counts.get(domain, Counts())) for domain, contacts in page
    ]
    return items, next_cursor


def _organization(domain: str, contacts: int, counts: Counts) -> OrganizationRead:
    return OrganizationRead(
        domain=domain,
        contacts=contacts,
        tickets_open=counts.tickets_open,
        tickets_total=counts.tickets_total,
        last_ticket_at=counts.last_ticket_at,
    )


async def get_organization(
    session: AsyncSession, principal: Principal, domain: str
) -> OrganizationRead:
    wanted = domain.strip().lower()
    contacts = (
        0
        if is_free_mail(wanted)
        else await repository.contacts_in_domain(session, principal.workspace_id, wanted)
    )
    if not contacts:
        raise OrganizationNotFound(f"No organization {domain[:100]!r} in this workspace.")
    counts = await repository.counts_by_domain(session, principal.workspace_id, [wanted])
    return _organization(wanted, contacts, counts.get(wanted, Counts()))
