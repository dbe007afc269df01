"""Satisfaction surveys: one per ticket, emailed to the requester a while after the ticket is
first solved, answered on a public page by the link's token, changeable until the ticket
closes.

A survey row is the outbox: it is written in the transaction that solves the ticket, and a
job (deferred by the delay) or the sweep sends it, whichever comes first; sending writes the
token's hash, queues the email and records `ticket.survey_sent` in one transaction, so a
survey is never sent twice. The token (256 bits from `secrets`) exists only in the email: it
names one ticket's survey and authenticates nothing else.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from ticketdesk import events
from ticketdesk.config import Settings
from ticketdesk.csat import repository
from ticketdesk.csat.schemas import (
    CsatSettings,
    CsatSettingsRead,
    Scale,
    SurveyAnswer,
    SurveyAnswerRead,
)
from ticketdesk.db import Database, new_id, utcnow
from ticketdesk.email import outbound as email
from ticketdesk.email import service as email_settings
from ticketdesk.errors import Gone, NotFound, ValidationFailed
from ticketdesk.jobs import JobContext, enqueue_after_commit
from ticketdesk.models import CsatSurvey, Ticket, Workspace
from ticketdesk.tickets import service as tickets

SEND_JOB = "csat.send_survey"

# Called in the transaction that records `ticket.survey_sent` or `ticket.csat_received`
# (events has no in-transaction listeners); wiring.py registers the reports room's metrics.
SurveyObserver = Callable[[AsyncSession, Workspace, Ticket], Awaitable[None]]
_observers: list[SurveyObserver] = []


def add_observer(observer: SurveyObserver) -> None:
    if observer not in _observers:
        _observers.append(observer)


async def _notify_observers(session: AsyncSession, workspace: Workspace, ticket: Ticket) -> None:
    for observer in _observers:
        await observer(session, workspace, ticket)


TEMPLATE = "csat_survey"
TOKEN_BYTES = 32
TOKEN_LIFETIME = timedelta(days=30)
MAX_TOKEN_LENGTH = 100
SWEEP_BATCH = 200
CSAT_ACTOR = events.system_actor("CSAT")
REOPENED_FROM = ("solved", "closed")
WORKING = ("open", "pending")


class SurveyNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__("This survey link is not valid, or it has expired.")


class SurveyClosed(Gone):
    def __init__(self) -> None:
        super().__init__("The ticket is closed: its survey can no longer be answered or changed.")


# -- settings -------------------------------------------------------------------------------


def csat_settings(workspace: Workspace) -> CsatSettingsRead:
    stored = (workspace.settings or {}).get("csat") or {}
    return CsatSettingsRead(
        enabled=bool(stored.get("enabled", False)),
        scale=stored.get("scale", "good_bad"),
        delay_minutes=int(stored.get("delay_minutes", 0)),
    )


async def set_csat_settings(
    session: AsyncSession, workspace: Workspace, data: CsatSettings
) -> CsatSettingsRead:
    settings = dict(workspace.settings or {})
    settings["csat"] = data.model_dump()
    workspace.settings = settings
    await session.flush()
    return csat_settings(workspace)


# -- scheduling -----------------------------------------------------------------------------


async def on_ticket_change(session: AsyncSession, change: tickets.TicketChange) -> None:
    """Solved (created solved, or moved to a solved status) with CSAT on: schedule the
    ticket's one survey. Reopened before its survey went out: the survey waits for the next
    solve."""
    ticket, workspace = change.ticket, change.workspace
    status = change.changes.get("status")
    if change.created:
        if ticket.status_category != "solved" or ticket.created_at < utcnow() - email.IMPORT_AGE:
            return  # history being imported: nobody is asked about old tickets
        to_category = "solved"
    elif status is None:
        return
    else:
        to_category = status["to_category"]
    if to_category == "solved":
        config = csat_settings(workspace)
        if config.enabled:
            await schedule_survey(
                session, workspace, ticket, delay=timedelta(minutes=config.delay_minutes)
            )
    elif status is not None and status["from_category"] in REOPENED_FROM and to_category in WORKING:
        survey = await repository.survey_of_ticket(session, ticket)
        if survey is not None and survey.sent_at is None:
            survey.send_after = None


async def send_survey_now(session: AsyncSession, workspace: Workspace, ticket: Ticket) -> None:
    """Automations' `send_survey`: the ticket's survey goes out now, whatever the workspace's
    CSAT switch and delay say; never a second one."""
    await schedule_survey(session, workspace, ticket, delay=timedelta(0))


async def schedule_survey(
    session: AsyncSession, workspace: Workspace, ticket: Ticket, *, delay: timedelta
) -> CsatSurvey | None:
    """The ticket's survey, due `delay` from now (or sooner, if it already was); None when
    there is nobody to ask or it was already sent."""
    if ticket.requester_id is None:
        return None
    now = utcnow()
    send_after = now + delay
    survey = await repository.survey_of_ticket(session, ticket)
    if survey is None:
        survey = CsatSurvey(
            id=new_id(),
            workspace_id=workspace.id,
            ticket_id=ticket.id,
            send_after=send_after,
            created_at=now,
        )
        session.add(survey)
    elif survey.sent_at is not None:
        return None
    elif survey.send_after is not None and survey.send_after <= send_after:
        return survey  # already due as soon or sooner: its job is on its way
    else:
        survey.send_after = send_after
    # one job per due time (a rescheduled survey gets its own); the sweep is the safety net
    enqueue_after_commit(
        session,
        SEND_JOB,
        job_id=f"csat:{survey.id}:{int(send_after.timestamp())}",
        defer_seconds=delay.total_seconds() or None,
        survey_id=str(survey.id),
    )
    return survey


# -- sending --------------------------------------------------------------------------------


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def survey_links(settings: Settings, token: str) -> dict[str, str]:
    url = f"{settings.public_url.rstrip('/')}/survey/{token}"
    return {"url": url, "good_url": f"{url}?rating=good", "bad_url": f"{url}?rating=bad"}


async def send_survey(
    db: Database, settings: Settings, survey_id: uuid.UUID, *, now: datetime | None = None
) -> bool:
    """Send one due survey: a fresh token, the email queued, `ticket.survey_sent`, in one
    transaction (the rows are locked: a second run finds it sent). A closed ticket, or one
    without a requester, is not asked; whether it was sent."""
    now = now or utcnow()
    async with db.unit_of_work(settings) as session:
        row = await repository.locked_survey(session, survey_id)
        if row is None:
            return False
        survey, ticket, workspace = row
        if survey.sent_at is not None or survey.send_after is None or survey.send_after > now:
            return False
        if ticket.status_category == "closed" or ticket.requester_id is None:
            survey.send_after = None  # never: it can no longer be answered
            return False
        token = secrets.token_urlsafe(TOKEN_BYTES)
        survey.token_hash = hash_token(token)
        survey.sent_at = now
        survey.expires_at = now + TOKEN_LIFETIME
        await email.queue_notification(
            session,
            settings,
            workspace,
            ticket,
            TEMPLATE,
            event_key=f"csat:{survey.id}",
            survey=survey_links(settings, token),
        )
        key = tickets.ticket_key(workspace, ticket)  # live clients refresh the ticket it names
        events.record_ticket_event(
            session, ticket, "ticket.survey_sent", CSAT_ACTOR, {"ticket": key}
        )
        await _notify_observers(session, workspace, ticket)
    return True


async def send_survey_job(ctx: JobContext, survey_id: str) -> None:
    """The deferred job of one survey (safe to run twice, early or late)."""
    await send_survey(ctx.db, ctx.settings, uuid.UUID(survey_id))


async def send_due(
    db: Database, settings: Settings, *, now: datetime | None = None, batch: int = SWEEP_BATCH
) -> int:
    """Send the surveys that are due: the outbox sweep, for jobs lost with a process (or
    deferred longer than a restart)."""
    now = now or utcnow()
    async with db.unit_of_work(settings) as session:
        ids = await repository.due_survey_ids(session, now, batch)
    sent = 0
    for survey_id in ids:
        sent += await send_survey(db, settings, survey_id, now=now)
    return sent


async def sweep_due(ctx: JobContext) -> None:
    await send_due(ctx.db, ctx.settings)


# -- answering ------------------------------------------------------------------------------


@dataclass(frozen=True)
class SurveyView:
    """What the public survey page shows."""

    key: str
    subject: str
    scale: Scale
    brand_name: str
    brand_color: str
    rating: str | int | None
    comment: str | None
    closed: bool


async def _find(
    session: AsyncSession, token: str, now: datetime, *, for_update: bool = False
) -> tuple[CsatSurvey, Ticket, Workspace]:
    if not token or len(token) > MAX_TOKEN_LENGTH:
        raise SurveyNotFound()
    row = await repository.survey_by_token(session, hash_token(token), for_update=for_update)
    if row is None:
        raise SurveyNotFound()
    survey, ticket, workspace = row
    if survey.expires_at is None or survey.expires_at <= now:
        raise SurveyNotFound()
    return survey, ticket, workspace


def _shown(rating: str) -> str | int:
    return int(rating) if rating.isdigit() else rating


def is_good(rating: str | int) -> bool:
    """Good: `good`, 4 or 5."""
    return rating == "good" or (isinstance(rating, int) and rating >= 4)


def _stored_rating(scale: Scale, rating: str | int) -> str:
    if scale == "good_bad" and not isinstance(rating, str):
        raise ValidationFailed(
            "This survey asks good or bad: send `good` or `bad`.", loc=("body", "rating")
        )
    if scale == "five" and not isinstance(rating, int):
        raise ValidationFailed(
            "This survey asks for 1 to 5: send a number from 1 to 5.", loc=("body", "rating")
        )
    return str(rating)


async def survey_view(
    session: AsyncSession, token: str, *, now: datetime | None = None
) -> SurveyView:
    """The survey behind a link, for its page (a closed ticket's too: the page says so)."""
    _, ticket, workspace = await _find(session, token, now or utcnow())
    brand = await email_settings.channel_settings(session, workspace.id)
    return SurveyView(
        key=tickets.ticket_key(workspace, ticket),
        subject=ticket.subject,
        scale=csat_settings(workspace).scale,
        brand_name=brand.brand_name or workspace.name,
        brand_color=brand.brand_color,
        rating=_shown(ticket.csat_rating) if ticket.csat_rating is not None else None,
        comment=ticket.csat_comment,
        closed=ticket.status_category == "closed",
    )


async def answer_survey(
    session: AsyncSession, token: str, data: SurveyAnswer, *, now: datetime | None = None
) -> SurveyAnswerRead:
    """Record the requester's answer, or change it, until the ticket closes (410 after).
    A changed answer writes `ticket.csat_received` (actor: the requester) in the same
    transaction; the same answer again changes nothing."""
    now = now or utcnow()
    _, ticket, workspace = await _find(session, token, now, for_update=True)
    if ticket.status_category == "closed":
        raise SurveyClosed()
    rating = _stored_rating(csat_settings(workspace).scale, data.rating)
    comment = (data.comment or "").strip() or None
    if (ticket.csat_rating, ticket.csat_comment) != (rating, comment):
        ticket.csat_rating, ticket.csat_comment, ticket.csat_answered_at = rating, comment, now
        tickets.touch(ticket, now)
        requester = await repository.requester(session, ticket)
        name = (requester.name or requester.email) if requester is not None else None
        actor = events.Actor("contact", ticket.requester_id, name)
        events.record_ticket_event(
            session,
            ticket,
            "ticket.csat_received",
            actor,
            {
                "ticket": tickets.ticket_key(workspace, ticket),
                "rating": data.rating,
                "good": is_good(data.rating),
                "comment": comment,
            },
        )
        await _notify_observers(session, workspace, ticket)
        await session.flush()
    assert ticket.csat_rating is not None
    assert ticket.csat_answered_at is not None
    shown = _shown(ticket.csat_rating)
    return SurveyAnswerRead(
        ticket=tickets.ticket_key(workspace, ticket),
        rating=shown,
        good=is_good(shown),
        comment=ticket.csat_comment,
        answered_at=ticket.csat_answered_at,
    )
