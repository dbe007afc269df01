"""Outbound notifications over real SMTP: what is mailed, threaded, retried, swept, skipped."""

from __future__ import annotations

import ssl
import subprocess
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import update

from tests.email.conftest import Mailbox, drain, inbound_token, reply_to, start_relay
from tests.support import Tenant, eventually
from ticketdesk.db import Database, utcnow
from ticketdesk.email.outbound import SEND_JOB, sweep_unsent
from ticketdesk.jobs import JobContext
from ticketdesk.models import EmailMessage as EmailRow


async def test_agent_replies_and_status_changes_are_mailed_and_threaded(
    desk: Tenant, mail_app: Any, inbox: Mailbox
) -> None:
    sender = f"grace@{desk.slug}.example"
    put = await desk.put(
        "/settings/email", json={"notify_statuses": ["waiting"], "brand_name": "Mailco Care"}
    )
    assert put.status_code == 200, put.text
    ticket = await desk.create_ticket(
        subject="Refund for order 78932", requester={"email": sender, "name": "Grace"}
    )
    key = ticket["key"]
    await drain(mail_app)
    (opened,) = inbox.to(sender)
    assert opened["Subject"] == f"[{key}] Refund for order 78932"
    assert opened["From"].addresses[0].display_name == "Mailco Care"

    note = await desk.post(
        f"/tickets/{key}/comments", json={"body": "internal: check stock", "visibility": "internal"}
    )
    assert note.status_code == 201
    reply = await desk.post(
        f"/tickets/{key}/comments",
        json={"body": "We refunded 20 EUR.", "visibility": "public"},
        role="agent",
    )
    assert reply.status_code == 201
    await drain(mail_app)  # one at a time, so the order of arrival is known
    waiting = await desk.patch(f"/tickets/{key}", json={"status": "waiting"})
    assert waiting.status_code == 200
    await drain(mail_app)
    in_progress = await desk.patch(f"/tickets/{key}", json={"status": "in_progress"})
    assert in_progress.status_code == 200  # not opted in: no mail
    resolved = await desk.patch(f"/tickets/{key}", json={"status": "resolved"})
    assert resolved.status_code == 200
    await drain(mail_app)

    mails = inbox.to(sender)
    subjects = [m["Subject"] for m in mails]
    assert subjects == [
        f"[{key}] Refund for order 78932",
        f"[{key}] Re: Refund for order 78932",
        f"[{key}] Refund for order 78932 is now Waiting",
        f"[{key}] Resolved: Refund for order 78932",
    ]
    agent_reply = mails[1]
    text = agent_reply.get_body(("plain",)).get_content()
    assert "We refunded 20 EUR." in text
    assert "check stock" not in text
    assert "Bob Agent replied" in text
    assert agent_reply["Auto-Submitted"] is None  # a person wrote it
    assert mails[2]["Auto-Submitted"] == "auto-generated"
    # every later mail answers the first one, so mail clients show one thread
    for later in mails[1:]:
        assert opened["Message-ID"] in later["References"]
        assert later["In-Reply-To"]
    assert len({m["Message-ID"] for m in mails}) == 4

    # resolved, then the customer replies to the agent's mail: the ticket reopens
    answer = reply_to(agent_reply, sender, "Money is not there yet.")
    result = await desk.client.post(
        "/inbound/email", content=answer, headers=await inbound_token(desk)
    )
    assert result.status_code == 200
    assert result.json()["ticket"] == key
    assert (await desk.get(f"/tickets/{key}")).json()["status"] == "open"


async def test_sending_is_idempotent_when_a_job_runs_twice(
    desk: Tenant, mail_app: Any, inbox: Mailbox
) -> None:
    sender = f"once@{desk.slug}.example"
    ticket = await desk.create_ticket(subject="Only once", requester={"email": sender})
    await drain(mail_app)
    assert len(inbox.to(sender)) == 1
    (logged,) = (await desk.get(f"/tickets/{ticket['key']}/emails")).json()
    await mail_app.state.db.job_runner.enqueue(SEND_JOB, {"email_id": logged["id"]})
    await drain(mail_app)
    assert len(inbox.to(sender)) == 1


async def test_without_smtp_mail_is_skipped_and_logged(tenant: Tenant, app: Any) -> None:
    ticket = await tenant.create_ticket(subject="No relay", requester={"email": "x@y.example"})
    await app.state.db.job_runner.drain()
    (logged,) = (await tenant.get(f"/tickets/{ticket['key']}/emails")).json()
    assert logged["status"] == "skipped"
    assert logged["kind"] == "ticket_opened"


async def test_smtp_failure_is_retried_not_lost(desk: Tenant, mail_app: Any) -> None:
    """A relay that refuses the connection: the row stays queued with the error, never `sent`."""
    settings = mail_app.state.settings
    original = settings.smtp_url
    settings.smtp_url = "smtp://127.0.0.1:1"
    try:
        ticket = await desk.create_ticket(subject="Relay down", requester={"email": "r@y.example"})

        async def attempted() -> list[dict[str, Any]] | None:
            # drain's short horizon leaves the retry (10 s later) alone; the loop, not drain's
            # deadline, waits for the first attempt however slow the machine is
            await mail_app.state.db.job_runner.drain(timeout=1.0)
            emails: list[dict[str, Any]] = (
                await desk.get(f"/tickets/{ticket['key']}/emails")
            ).json()
            return emails if emails and emails[0]["attempts"] >= 1 else None

        (logged,) = await eventually(attempted, "the first delivery attempt")
    finally:
        settings.smtp_url = original
    assert logged["status"] == "pending"
    assert logged["attempts"] == 1
    assert logged["last_error"]
    assert logged["sent_at"] is None


async def test_sweep_delivers_mail_whose_job_was_lost(
    desk: Tenant, mail_app: Any, inbox: Mailbox, db: Database
) -> None:
    """The email rows are the outbox: a row still pending after a crash is sent by the sweep."""
    sender = f"lost@{desk.slug}.example"
    ticket = await desk.create_ticket(subject="Lost job", requester={"email": sender})
    await drain(mail_app)
    (logged,) = (await desk.get(f"/tickets/{ticket['key']}/emails")).json()
    # as if the process had died between commit and enqueue: pending, and a while ago
    async with db.unit_of_work() as session:
        await session.execute(
            update(EmailRow)
            .where(EmailRow.id == uuid.UUID(logged["id"]))
            .values(status="pending", created_at=utcnow() - timedelta(minutes=5))
        )
    await sweep_unsent(JobContext(mail_app.state.db, mail_app.state.settings, "test-sweep"))
    await drain(mail_app)
    copies = inbox.to(sender)
    assert len(copies) == 2
    assert copies[0]["Message-ID"] == copies[1]["Message-ID"]  # the same message, not a new one
    (after,) = (await desk.get(f"/tickets/{ticket['key']}/emails")).json()
    assert after["status"] == "sent"


async def test_starttls_is_used_when_the_relay_offers_it(
    desk: Tenant, mail_app: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A relay that requires STARTTLS (530 otherwise): delivery proves the upgrade happened."""
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    box = Mailbox()
    controller, port = start_relay(box, tls_context=context, require_starttls=True)
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))  # trust the test relay's certificate
    settings = mail_app.state.settings
    original = settings.smtp_url
    settings.smtp_url = f"smtp://127.0.0.1:{port}"
    try:
        sender = f"tls@{desk.slug}.example"
        await desk.create_ticket(subject="Over TLS", requester={"email": sender})
        await drain(mail_app)
    finally:
        settings.smtp_url = original
        controller.stop()
    (received,) = box.to(sender)
    assert received["Subject"].endswith("Over TLS")


async def test_template_job_for_automations_sends_once_per_job(
    desk: Tenant, mail_app: Any, inbox: Mailbox
) -> None:
    """`email.send_template` is what automations' send_email and auto-close enqueue."""
    sender = f"idle@{desk.slug}.example"
    ticket = await desk.create_ticket(subject="Idle ticket", requester={"email": sender})
    await desk.post(
        f"/tickets/{ticket['key']}/comments",
        json={"body": "Are you still there?", "visibility": "public"},
    )
    await drain(mail_app)
    runner = mail_app.state.db.job_runner
    kwargs = {
        "workspace_id": desk.workspace_id,
        "ticket_id": ticket["id"],
        "template": "auto_close_reminder",
        "to": "requester",
    }
    for _ in range(2):  # the same job run twice (a redelivery) mails once
        await runner.enqueue("email.send_template", kwargs, job_id=f"tpl-{ticket['id']}")
        await drain(mail_app)
    reminders = [m for m in inbox.to(sender) if "Waiting for your reply" in m["Subject"]]
    assert len(reminders) == 1
    assert reminders[0]["Subject"] == f"[{ticket['key']}] Waiting for your reply: Idle ticket"
    assert "Are you still there?" in reminders[0].get_body(("plain",)).get_content()

    other = {**kwargs, "template": "auto_close_closed", "to": f"boss@{desk.slug}.example"}
    await runner.enqueue("email.send_template", other)
    await runner.enqueue("email.send_template", {**kwargs, "template": "no_such_template"})
    await drain(mail_app)
    (closed,) = inbox.to(f"boss@{desk.slug}.example")
    assert closed["Subject"] == f"[{ticket['key']}] Closed: Idle ticket"


async def test_status_changes_are_emailed_by_default_with_a_per_status_opt_out(
    desk: Tenant, mail_app: Any, inbox: Mailbox
) -> None:
    """The product brief: "Customers are notified by email at each status change"."""
    sender = f"status@{desk.slug}.example"
    ticket = await desk.create_ticket(subject="Kettle", requester={"email": sender})
    key = ticket["key"]
    await drain(mail_app)

    async def moved(to: str) -> list[str]:
        response = await desk.patch(f"/tickets/{key}", json={"status": to}, role="agent")
        assert response.status_code == 200, response.text
        await drain(mail_app)
        return [m["Subject"] for m in inbox.to(sender)]

    assert await moved("in_progress") == [
        f"[{key}] Kettle",
        f"[{key}] Kettle is now In progress",
    ]
    assert (await moved("closed"))[-1] == f"[{key}] Kettle is now In progress"  # opted out
    assert (await moved("open"))[-1] == f"[{key}] Kettle is now Open"  # reopened by an agent
    opt_out = await desk.put("/settings/email", json={"notify_status_opt_out": ["in_progress"]})
    assert opt_out.status_code == 200, opt_out.text
    assert opt_out.json()["notify_status_opt_out"] == ["in_progress"]
    assert "in_progress" not in opt_out.json()["notify_statuses"]
    assert (await moved("in_progress"))[-1] == f"[{key}] Kettle is now Open"
    template = await desk.put(
        "/email/templates/status_changed",
        json={"subject": "{{ change.to_label }} now", "text": "Now {{ change.to }}.", "html": "h"},
    )
    assert template.status_code == 200, template.text
    assert (await moved("waiting"))[-1] == f"[{key}] Waiting now"
    off = await desk.put("/settings/email", json={"notify_status_changed": False})
    assert off.json()["notify_statuses"] == []
    assert (await moved("open"))[-1] == f"[{key}] Waiting now"
    kinds = [e["kind"] for e in (await desk.get(f"/tickets/{key}/emails")).json()]
    assert kinds == ["ticket_opened"] + ["status_changed"] * 3


async def test_the_team_gets_its_own_new_ticket_email(
    desk: Tenant, mail_app: Any, inbox: Mailbox
) -> None:
    team = f"team@{desk.slug}.example"
    own = (await desk.get("/settings/email")).json()["from_address"]
    loop = await desk.put("/settings/email", json={"team_address": own})
    assert loop.status_code == 422, loop.text  # its mail would come back as a ticket
    assert loop.json()["errors"][0]["loc"] == ["body", "team_address"]
    saved = await desk.put("/settings/email", json={"team_address": team})
    assert saved.status_code == 200, saved.text
    assert (saved.json()["team_address"], saved.json()["notify_team_new_ticket"]) == (team, True)

    customer = f"cust@{desk.slug}.example"
    ticket = await desk.create_ticket(
        subject="Broken kettle",
        description="It leaks since Monday.",
        requester={"email": customer, "name": "Cleo"},
    )
    await drain(mail_app)
    (to_team,) = inbox.to(team)
    assert to_team["Subject"] == f"[{ticket['key']}] New ticket: Broken kettle"
    text = to_team.get_body(("plain",)).get_content()
    assert f"From: Cleo <{customer}>" in text
    assert "It leaks since Monday." in text
    assert f"https://desk.example.com/tickets/{ticket['key']}" in text
    assert "Please type your reply" not in text  # not the customer's template
    assert to_team["Reply-To"] == team
    assert to_team["Auto-Submitted"] == "auto-generated"  # the desk's inbound ignores it
    (to_customer,) = inbox.to(customer)
    assert to_customer["Subject"] == f"[{ticket['key']}] Broken kettle"

    custom = await desk.put(
        "/email/templates/team_new_ticket",
        json={"subject": "NEW {{ ticket.key }}", "text": "{{ ticket.url }}", "html": "h"},
    )
    assert custom.status_code == 200, custom.text
    no_requester = await desk.create_ticket(subject="From the API")
    await drain(mail_app)
    assert inbox.to(team)[-1]["Subject"] == f"[{no_requester['key']}] NEW {no_requester['key']}"
    assert (await desk.get("/email/templates/ticket_opened")).json()["is_default"] is True

    # an answer to the team's mail is the team talking: it never lands on the ticket as the
    # requester's reply
    answer = reply_to(to_team, f"colleague@{desk.slug}.example", "I'll take it.")
    threaded = await desk.client.post(
        "/inbound/email", content=answer, headers=await inbound_token(desk)
    )
    assert threaded.json()["ticket"] != ticket["key"]
    assert (await desk.get(f"/tickets/{ticket['key']}/comments")).json() == []

    await drain(mail_app)
    told = len(inbox.to(team))
    await desk.put("/settings/email", json={"notify_team_new_ticket": False})
    await desk.create_ticket(subject="Quiet")
    await drain(mail_app)
    assert len(inbox.to(team)) == told


async def test_email_settings_refuse_unknown_statuses_and_mixed_status_lists(
    tenant: Tenant,
) -> None:
    for body, field in (
        ({"notify_status_opt_out": ["on_the_moon"]}, "notify_status_opt_out"),
        ({"notify_statuses": ["waiting"], "notify_status_opt_out": []}, "notify_statuses"),
        ({"notify_status_changed": None}, "notify_status_changed"),
        ({"team_address": "not an address"}, "team_address"),
    ):
        refused = await tenant.put("/settings/email", json=body)
        assert refused.status_code == 422, (body, refused.text)
        assert refused.json()["errors"][0]["loc"] == ["body", field]
    # the deprecated opt-in list still works: every other status is opted out
    legacy = await tenant.put("/settings/email", json={"notify_statuses": ["waiting"]})
    assert legacy.json()["notify_statuses"] == ["waiting"]
    assert legacy.json()["notify_status_opt_out"] == ["closed", "in_progress", "open", "resolved"]
    cleared = await tenant.put("/settings/email", json={"team_address": None})
    assert cleared.json()["team_address"] is None


async def test_a_requester_address_beyond_ascii_is_queued_not_a_500(
    desk: Tenant, mail_app: Any
) -> None:
    """RFC 6531 addresses (non-ASCII local part) are real customers' addresses: the ticket is
    created and its mail queued; control characters in an address are refused."""
    created = await desk.post(
        "/tickets", json={"subject": "Umlaut", "requester": {"email": "ğüé@example.com"}}
    )
    assert created.status_code == 201, created.text
    rows = await desk.get(f"/tickets/{created.json()['key']}/emails")
    assert rows.status_code == 200
    assert [row["to_address"] for row in rows.json()] == ["ğüé@example.com"]
    await drain(mail_app)  # sending it does not crash the job either
    refused = await desk.post(
        "/tickets", json={"subject": "C1", "requester": {"email": "a\x89b@example.com"}}
    )
    assert refused.status_code == 422, refused.text
