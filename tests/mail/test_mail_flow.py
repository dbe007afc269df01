"""Inbound mail opens and threads tickets; notifications go out over real SMTP and thread back."""

from __future__ import annotations

import ssl
import subprocess
import uuid
from datetime import timedelta
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select, update

from tests.mail.conftest import Mailbox, _free_port, drain, inbound_token
from tests.support import Tenant
from ticketdesk.db import Database, utcnow
from ticketdesk.email.outbound import SEND_JOB, sweep_unsent
from ticketdesk.jobs import JobContext
from ticketdesk.models import Attachment
from ticketdesk.models import EmailMessage as EmailRow

FIXTURES = Path(__file__).parent / "fixtures"


def customer_mail(
    sender: str, subject: str, body: str, *, message_id: str | None = None, **headers: str
) -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = "support@desk.example.com"
    message["Subject"] = subject
    message["Message-ID"] = message_id or make_msgid(domain="customer.example")
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content(body)
    return bytes(message)


def reply_to(received: EmailMessage, sender: str, body: str) -> bytes:
    """What a mail client sends when the customer hits Reply on our notification."""
    quoted = "\n".join(
        f"> {line}" for line in received.get_body(("plain",)).get_content().splitlines()
    )
    message = EmailMessage()
    message["From"] = sender
    message["To"] = received["Reply-To"] or received["From"]
    message["Subject"] = f"Re: {received['Subject']}"
    message["Message-ID"] = make_msgid(domain="customer.example")
    message["In-Reply-To"] = received["Message-ID"]
    message["References"] = " ".join(
        filter(None, [received.get("References"), received["Message-ID"]])
    )
    message.set_content(f"{body}\n\nOn Mon, 23 Nov 2026 at 10:00, Support wrote:\n{quoted}\n")
    return bytes(message)


async def post_mail(client: Any, headers: dict[str, str], raw: bytes) -> Any:
    return await client.post("/inbound/email", content=raw, headers=headers)


async def test_new_mail_opens_ticket_and_the_requester_gets_a_threaded_receipt(
    desk: Tenant, mail_app: Any, inbox: Mailbox
) -> None:
    token = await inbound_token(desk)
    sender = f"ada@{desk.slug}.example"
    raw = customer_mail(f"Ada Lovelace <{sender}>", "Cannot log in", "The reset link is broken.")
    response = await post_mail(desk.client, token, raw)
    assert response.status_code == 201, response.text
    key = response.json()["ticket"]
    ticket = (await desk.get(f"/tickets/{key}")).json()
    assert ticket["channel"] == "email"
    assert ticket["subject"] == "Cannot log in"
    assert ticket["description"] == "The reset link is broken."
    assert ticket["requester"] == {
        "id": ticket["requester"]["id"],
        "email": sender,
        "name": "Ada Lovelace",
    }

    await drain(mail_app)
    (receipt,) = inbox.to(sender)
    assert receipt["Subject"] == f"[{key}] Cannot log in"
    assert receipt["To"] == f"Ada Lovelace <{sender}>"
    assert receipt["From"].addresses[0].addr_spec == f"{desk.slug}@desk.example.com"
    assert receipt["Auto-Submitted"] == "auto-replied"
    original_id = raw.split(b"Message-ID: ")[1].split(b"\n")[0].strip().decode()
    assert receipt["In-Reply-To"] == original_id
    assert receipt["X-Ticketdesk-Ticket"] == key
    assert receipt.get_body(("html",)) is not None

    log = (await desk.get(f"/tickets/{key}/emails")).json()
    sent = [e for e in log if e["direction"] == "out"]
    assert [(e["kind"], e["status"]) for e in sent] == [("ticket_opened", "sent")]
    assert f"<{sent[0]['message_id']}>" == receipt["Message-ID"]

    # the customer answers the receipt: the answer lands on the same ticket, quote stripped
    answer = await post_mail(desk.client, token, reply_to(receipt, sender, "Also, my 2FA is off."))
    assert answer.status_code == 200, answer.text
    assert answer.json()["status"] == "appended"
    assert answer.json()["ticket"] == key
    comments = (await desk.get(f"/tickets/{key}/comments")).json()
    assert [(c["body"], c["visibility"], c["author"]["kind"]) for c in comments] == [
        ("Also, my 2FA is off.", "public", "contact")
    ]
    await drain(mail_app)
    assert len(inbox.to(sender)) == 1  # the requester's own reply sends them nothing


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


async def test_reply_by_subject_tag_moves_waiting_to_open(desk: Tenant, mail_app: Any) -> None:
    token = await inbound_token(desk)
    sender = f"linus@{desk.slug}.example"
    created = await post_mail(desk.client, token, customer_mail(sender, "VPN down", "Since 9am."))
    key = created.json()["ticket"]
    assert (await desk.patch(f"/tickets/{key}", json={"status": "waiting"})).status_code == 200

    body = "It works again.\n\n-----Original Message-----\nFrom: support\nSent: today\nSince 9am."
    reply = await post_mail(
        desk.client, token, customer_mail(sender, f"RE: [{key}] VPN down", body)
    )
    assert reply.status_code == 200, reply.text
    assert reply.json()["status"] == "appended"
    ticket = (await desk.get(f"/tickets/{key}")).json()
    assert ticket["status"] == "open"
    comments = (await desk.get(f"/tickets/{key}/comments")).json()
    assert comments[-1]["body"] == "It works again."
    activity = (await desk.get(f"/tickets/{key}/activity?type=ticket.status_changed")).json()
    last = activity["items"][-1]
    assert (last["data"]["from"], last["data"]["to"], last["actor"]["kind"]) == (
        "waiting",
        "open",
        "contact",
    )


async def test_inbound_fixtures_open_tickets_with_their_content(
    desk: Tenant, db: Database, mail_app: Any
) -> None:
    token = await inbound_token(desk)

    multipart = await post_mail(
        desk.client, token, (FIXTURES / "multipart_attachments.eml").read_bytes()
    )
    assert multipart.status_code == 201, multipart.text
    ticket = (await desk.get(f"/tickets/{multipart.json()['ticket']}")).json()
    assert ticket["subject"] == "Drucker defekt — siehe Anhang"
    assert ticket["requester"]["name"] == "Jürgen Käfer"
    async with db.unit_of_work() as session:
        files = (
            await session.scalars(
                select(Attachment)
                .where(Attachment.ticket_id == uuid.UUID(ticket["id"]))
                .order_by(Attachment.filename)
            )
        ).all()
    assert [(f.filename, f.content_type, f.uploaded_by_kind) for f in files] == [
        ("Rechnung März.pdf", "application/pdf", "contact"),
        ("streifen.png", "image/png", "contact"),
    ]

    latin1 = await post_mail(desk.client, token, (FIXTURES / "latin1_qp.eml").read_bytes())
    ticket = (await desk.get(f"/tickets/{latin1.json()['ticket']}")).json()
    assert ticket["subject"] == "Rechnung für März"
    assert "Mit freundlichen Grüßen" in ticket["description"]

    html = await post_mail(desk.client, token, (FIXTURES / "html_only.eml").read_bytes())
    ticket = (await desk.get(f"/tickets/{html.json()['ticket']}")).json()
    assert ticket["description"].startswith("I cannot log in & the reset link is broken.")
    assert "alert" not in ticket["description"]

    forwarded = await post_mail(desk.client, token, (FIXTURES / "forwarded.eml").read_bytes())
    ticket = (await desk.get(f"/tickets/{forwarded.json()['ticket']}")).json()
    assert ticket["subject"] == "Fwd: Invoice 4711 question"
    assert ticket["requester"]["email"] == "office@customer.example"
    # a new ticket keeps the forwarded thread: that is the content
    assert "Invoice 4711 charges VAT twice." in ticket["description"]

    again = await post_mail(desk.client, token, (FIXTURES / "forwarded.eml").read_bytes())
    assert again.status_code == 200
    assert again.json()["status"] == "duplicate"
    assert again.json()["ticket"] == ticket["key"]


async def test_auto_replies_and_bounces_never_open_tickets_or_loop(
    desk: Tenant, mail_app: Any, inbox: Mailbox
) -> None:
    token = await inbound_token(desk)
    first = await desk.create_ticket(
        subject="Cannot log in", requester={"email": "ada@customer.example"}
    )
    assert first["key"] == "TKT-1"
    await drain(mail_app)
    sent_before = len(inbox.messages)
    for name in ("auto_reply.eml", "bounce.eml"):
        response = await post_mail(desk.client, token, (FIXTURES / name).read_bytes())
        assert response.status_code == 202, response.text
        assert response.json()["status"] == "ignored"
        assert response.json()["ticket"] is None
    precedence = customer_mail("news@list.example", "Weekly news", "...", Precedence="bulk")
    assert (await post_mail(desk.client, token, precedence)).status_code == 202
    own = customer_mail(f"{desk.slug}@desk.example.com", "[TKT-1] loop", "echo")
    assert (await post_mail(desk.client, token, own)).status_code == 202
    await drain(mail_app)
    assert len(inbox.messages) == sent_before
    tickets = (await desk.get("/tickets")).json()["items"]
    assert [t["key"] for t in tickets] == ["TKT-1"]
    assert (await desk.get("/tickets/TKT-1/comments")).json() == []


async def test_malformed_mail_is_a_422_and_changes_nothing(desk: Tenant, mail_app: Any) -> None:
    token = await inbound_token(desk)
    for raw in (
        bytes(range(256)) * 8,
        b"",
        b"Subject: no sender\r\n\r\nbody",
        (FIXTURES / "broken_multipart.eml").read_bytes(),
    ):
        response = await post_mail(desk.client, token, raw)
        assert response.status_code == 422, response.text
        assert response.headers["content-type"] == "application/problem+json"
    assert (await desk.get("/tickets")).json()["items"] == []

    json_body = await desk.client.post(
        "/inbound/email", json={"raw": "x"}, headers={"Authorization": token["Authorization"]}
    )
    assert json_body.status_code == 415
    agent_token = await desk.post("/api-tokens", json={"name": "x", "scopes": ["tickets:write"]})
    no_scope = {
        "Authorization": f"Bearer {agent_token.json()['token']}",
        "Content-Type": "message/rfc822",
    }
    raw = customer_mail("a@customer.example", "hi", "hello")
    assert (await post_mail(desk.client, no_scope, raw)).status_code == 403
    assert (
        await post_mail(desk.client, {"Content-Type": "message/rfc822"}, raw)
    ).status_code == 401


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


async def test_templates_are_sandboxed_validated_on_save_and_used(
    desk: Tenant, mail_app: Any, inbox: Mailbox
) -> None:
    broken = [
        {"subject": "{{ ticket.key ", "text": "x", "html": "x"},
        {"subject": "{{ nonsense.field }}", "text": "x", "html": "x"},
        {"subject": "ok", "text": "{{ ticket.__class__.__mro__ }}", "html": "x"},
        {"subject": "ok", "text": "x", "html": "{% for i in range(10**9) %}{% endfor %}"},
    ]
    for body in broken:
        response = await desk.put("/email/templates/agent_reply", json=body)
        assert response.status_code == 422, (body, response.text)
        assert response.json()["errors"][0]["loc"][0] == "body"
    assert (await desk.put("/email/templates/nope", json=broken[0])).status_code == 422
    assert (await desk.get("/email/templates/agent_reply", role="agent")).status_code == 403

    custom = {
        "subject": "Update on {{ ticket.subject }}",
        "text": "{{ comment.body }}\n-- {{ brand.signature }}",
        "html": '<p style="color: {{ brand.color }}">{{ comment.body }}</p>',
    }
    saved = await desk.put("/email/templates/agent_reply", json=custom)
    assert saved.status_code == 200
    assert saved.json()["is_default"] is False
    await desk.put("/settings/email", json={"brand_color": "#ff0000", "signature": "Team Mailco"})
    sender = f"tpl@{desk.slug}.example"
    ticket = await desk.create_ticket(subject="Templated", requester={"email": sender})
    await desk.post(
        f"/tickets/{ticket['key']}/comments",
        json={"body": "<script>x()</script> fixed", "visibility": "public"},
    )
    await drain(mail_app)
    (mail,) = [m for m in inbox.to(sender) if "Update on" in m["Subject"]]
    # the ticket tag is always there, even when a template forgets it
    assert mail["Subject"] == f"[{ticket['key']}] Update on Templated"
    assert mail.get_body(("plain",)).get_content().replace("\r\n", "\n").strip() == (
        "<script>x()</script> fixed\n-- Team Mailco"
    )
    html = mail.get_body(("html",)).get_content()
    assert '<p style="color: #ff0000">&lt;script&gt;x()&lt;/script&gt; fixed</p>' in html

    assert (await desk.delete("/email/templates/agent_reply")).status_code == 204
    assert (await desk.get("/email/templates/agent_reply")).json()["is_default"] is True


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
        await mail_app.state.db.job_runner.drain(timeout=1.0)
    finally:
        settings.smtp_url = original
    (logged,) = (await desk.get(f"/tickets/{ticket['key']}/emails")).json()
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


async def test_a_guessed_subject_tag_from_a_stranger_opens_a_new_ticket(
    desk: Tenant, mail_app: Any
) -> None:
    token = await inbound_token(desk)
    owner = f"owner@{desk.slug}.example"
    first = await post_mail(desk.client, token, customer_mail(owner, "Private matter", "..."))
    key = first.json()["ticket"]
    stranger = customer_mail("mallory@evil.example", f"Re: [{key}] Private matter", "Hi!")
    response = await post_mail(desk.client, token, stranger)
    assert response.status_code == 201
    assert response.json()["ticket"] != key
    assert (await desk.get(f"/tickets/{key}/comments")).json() == []


async def test_reply_to_a_closed_ticket_opens_a_follow_up(desk: Tenant, mail_app: Any) -> None:
    token = await inbound_token(desk)
    sender = f"late@{desk.slug}.example"
    first = await post_mail(desk.client, token, customer_mail(sender, "Broken fan", "It rattles."))
    key = first.json()["ticket"]
    assert (await desk.patch(f"/tickets/{key}", json={"status": "closed"})).status_code == 200
    late = await post_mail(
        desk.client, token, customer_mail(sender, f"Re: [{key}] Broken fan", "Rattles again.")
    )
    assert late.status_code == 201
    follow_up = (await desk.get(f"/tickets/{late.json()['ticket']}")).json()
    assert follow_up["description"].startswith(f"Follow-up to {key} (closed).")
    assert (await desk.get(f"/tickets/{key}")).json()["status"] == "closed"


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
    port = _free_port()
    controller = Controller(
        box, hostname="127.0.0.1", port=port, tls_context=context, require_starttls=True
    )
    controller.start()
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
