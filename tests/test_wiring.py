"""The rooms are connected in wiring.py, in a chosen order, and by nothing else."""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime, timedelta

from ticketdesk import wiring


def names(functions):
    return [f"{f.__module__}.{f.__name__}" for f in functions]


def test_ticket_change_rules_run_in_the_chosen_order():
    assert names(wiring.TICKET_OBSERVERS) == [
        "ticketdesk.triage.service.on_ticket_change",
        "ticketdesk.notifications.observers.notify_ticket_change",
        "ticketdesk.email.outbound.on_ticket_change",
        "ticketdesk.csat.service.on_ticket_change",
        "ticketdesk.automations.service.on_ticket_change",
        "ticketdesk.sla.service.on_ticket_change",
        "ticketdesk.reports.service.on_ticket_change",
    ]
    assert names(wiring.COMMENT_OBSERVERS) == [
        "ticketdesk.notifications.observers.notify_mentions",
        "ticketdesk.conversations.service.on_comment_added",
        "ticketdesk.email.outbound.on_comment_added",
    ]


def test_importing_every_module_registers_nothing_until_wiring_does():
    script = """
import importlib, pkgutil, ticketdesk
for module in pkgutil.walk_packages(ticketdesk.__path__, "ticketdesk."):
    if module.name not in ("ticketdesk.__main__", "ticketdesk.main"):
        importlib.import_module(module.name)
from ticketdesk import jobs, wiring
from ticketdesk.comments import service as comments
from ticketdesk.tickets import service as tickets
assert tickets._observers == [] and comments._observers == [], "registered on import"
assert jobs.JOBS == {} and jobs.CRONS == {}, "jobs registered on import"
wiring.register()
wiring.register()  # every process calls it; twice changes nothing
assert tickets._observers == list(wiring.TICKET_OBSERVERS)
assert comments._observers == list(wiring.COMMENT_OBSERVERS)
assert list(jobs.JOBS) == [j.name for j in wiring.JOBS]
assert list(jobs.CRONS) == [c.name for c in wiring.CRONS]
print("ok")
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"


async def test_sla_due_times_follow_the_priority_a_rule_just_set(tenant):
    """Automations run before the SLA clock: a rule raising the priority on creation gets the
    urgent target, not the one of the priority the ticket was sent with."""
    policy = await tenant.post(
        "/sla-policies",
        json={
            "name": "Tiers",
            "targets": {
                "normal": {"first_response_minutes": 600},
                "urgent": {"first_response_minutes": 15},
            },
        },
    )
    assert policy.status_code == 201, policy.text
    rule = await tenant.post(
        "/automations",
        json={
            "name": "Outage is urgent",
            "trigger": "ticket.created",
            "conditions": {"all": [{"field": "subject", "op": "contains", "value": "outage"}]},
            "actions": [{"type": "set_priority", "value": "urgent"}],
        },
    )
    assert rule.status_code == 201, rule.text
    created = await tenant.create_ticket(subject="Total outage", priority="normal")
    assert created["priority"] == "urgent"
    opened = datetime.fromisoformat(created["created_at"])
    due = datetime.fromisoformat(created["sla"]["first_response_due_at"])
    assert due - opened == timedelta(minutes=15)


def test_a_sent_or_answered_survey_updates_the_reports_metrics():
    from ticketdesk.csat import service as csat
    from ticketdesk.reports import service as reports

    wiring.register()
    assert csat._observers == [reports.on_csat]
