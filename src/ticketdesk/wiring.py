"""The one place that connects the rooms: what runs inside a ticket or comment change, in which
order, and which jobs, crons and event listeners a process has. Nothing registers itself on
import; `register()` does it here, and tests/test_wiring.py pins the order.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from ticketdesk import events, jobs
from ticketdesk.automations import jobs as automations_jobs
from ticketdesk.automations import service as automations
from ticketdesk.comments import service as comments
from ticketdesk.config import Settings
from ticketdesk.conversations import service as conversations
from ticketdesk.csat import service as csat
from ticketdesk.db import Database
from ticketdesk.email import outbound as email
from ticketdesk.fields import service as fields
from ticketdesk.jobs import CronSpec, JobSpec, cron_spec
from ticketdesk.notifications import observers as notifications
from ticketdesk.realtime.broker import Broker, start_broker, stop_broker
from ticketdesk.reports import service as reports
from ticketdesk.sla import jobs as sla_jobs
from ticketdesk.sla import service as sla
from ticketdesk.tickets import service as tickets
from ticketdesk.triage import jobs as triage_jobs
from ticketdesk.triage import service as triage
from ticketdesk.webhooks import tasks as webhooks

# Inside the transaction of every ticket create and update, in this order:
# 1. triage first fills in what a new ticket's creator left empty, so everything after sees it;
# 2. notifications and 3. email only note what the caller changed (rows and after-commit jobs);
# 4. CSAT schedules the survey of a ticket just solved (its email goes later, by a job);
# 5. automations may then change the ticket further (a rule's own change runs these observers
#    again, but never the rules: no loops);
# 6. SLA, so its due times follow the final state (a priority a rule just raised);
# 7. reports last: a ticket's metrics fold in every event the change wrote (the rules' too)
#    and read the SLA policy, business hours and due times SLA has just settled. A new
#    comment reaches it here as well (add_comment runs these observers with a `comment`
#    change), so it needs no comment observer of its own.
TICKET_OBSERVERS: tuple[tickets.TicketObserver, ...] = (
    triage.on_ticket_change,
    notifications.notify_ticket_change,
    email.on_ticket_change,
    csat.on_ticket_change,
    automations.on_ticket_change,
    sla.on_ticket_change,
    reports.on_ticket_change,
)

# Inside the transaction of every new comment: mentions first (they notify even on internal
# notes), then the chat transcript (a public agent reply goes back to the visitor), then email.
COMMENT_OBSERVERS: tuple[comments.CommentObserver, ...] = (
    notifications.notify_mentions,
    conversations.on_comment_added,
    email.on_comment_added,
)

JOBS: tuple[JobSpec, ...] = (
    JobSpec(email.TEMPLATE_JOB, email.send_template, timeout_seconds=60, max_tries=5),
    JobSpec(email.SEND_JOB, email.send_ticket_notification, timeout_seconds=90, max_tries=8),
    JobSpec(csat.SEND_JOB, csat.send_survey_job, timeout_seconds=60, max_tries=5),
    *webhooks.JOBS,
    *fields.JOBS,
    # a changed policy's due times for the open tickets: each job runs ~20 s of pages, then
    # hands its cursor to the next one, well inside its timeout
    JobSpec(sla.APPLY_POLICIES_JOB, sla_jobs.apply_policies, timeout_seconds=120, max_tries=5),
    # CPU work in a thread; 10,000 tickets train in well under a minute (bench/triage.py)
    JobSpec(triage.TRAIN_JOB, triage_jobs.train_workspace, timeout_seconds=900, max_tries=2),
)

CRONS: tuple[CronSpec, ...] = (
    cron_spec("email.sweep_unsent", email.sweep_unsent, every_seconds=60),
    cron_spec("sla.sweep", sla_jobs.sla_sweep, every_seconds=60),
    cron_spec("automations.schedule", automations_jobs.automations_schedule, every_seconds=60),
    cron_spec("auto_close", automations_jobs.auto_close, every_seconds=300),
    cron_spec("csat.send_due", csat.sweep_due, every_seconds=60),
    *webhooks.CRONS,
    # nightly, and as soon as enough new tickets were solved (triage.jobs)
    cron_spec("triage.schedule", triage_jobs.schedule_training, every_seconds=600),
)


def register() -> None:
    """Install the observers, jobs and crons above (idempotent: every process calls it)."""
    for ticket_observer in TICKET_OBSERVERS:
        tickets.add_observer(ticket_observer)
    for comment_observer in COMMENT_OBSERVERS:
        comments.add_observer(comment_observer)
    # a survey sent or answered changes the ticket's CSAT metrics, in the same transaction
    csat.add_observer(reports.on_csat)
    for job in JOBS:
        jobs.register_job(job)
    for cron in CRONS:
        jobs.register_cron(cron)


@dataclass
class Running:
    """What a started process holds: its job runner (on the Database) and its live broker."""

    db: Database
    broker: Broker


async def start(db: Database, settings: Settings) -> Running:
    """Start what an API or worker process runs beside its requests or jobs: the job runner,
    the webhook dispatch listener, then the live-update broker (both hear every commit)."""
    register()
    await jobs.start_runner(db, settings)
    if webhooks.on_events not in db.event_listeners:
        events.add_listener(db, webhooks.on_events)
    broker = await start_broker(db, settings)
    return Running(db, broker)


async def stop(running: Running) -> None:
    """Stop in the reverse order of start()."""
    await stop_broker(running.db, running.broker)
    if webhooks.on_events in running.db.event_listeners:
        running.db.event_listeners.remove(webhooks.on_events)
    await jobs.stop_runner(running.db)


@asynccontextmanager
async def running(db: Database, settings: Settings) -> AsyncIterator[Running]:
    started = await start(db, settings)
    try:
        yield started
    finally:
        await stop(started)
