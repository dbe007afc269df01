"""Inbound mail over HTTP: new mail opens tickets, replies thread onto theirs, auto-replies and
bounces are ignored, a reply to a closed ticket opens a follow-up."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

from sqlalchemy import func, select

from tests.email.conftest import (
    FIXTURES,
    Mailbox,
    customer_mail,
    drain,
    inbound_token,
    post_mail,
    reply_to,
)
from tests.support import Tenant
from ticketdesk.db import Database
from ticketdesk.models import Attachment, Event
from ticketdesk.models import EmailMessage as EmailRow


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


async def test_a_megabyte_quoted_reply_is_appended_and_healthz_answers_meanwhile(
    desk: Tenant, mail_app: Any
) -> None:
    """The reply that froze the API for seconds: thousands of short quote lines. It is read in
    the email room's thread pool and its work is capped (MAX_TEXT characters kept), so the
    health check, sent while it is in flight, answers; and the comment is the new text."""
    token = await inbound_token(desk)
    sender = f"long@{desk.slug}.example"
    created = await post_mail(desk.client, token, customer_mail(sender, "Order", "Where is it?"))
    key = created.json()["ticket"]
    quote = ">\n> Where is it?\n" * 70_000
    raw = customer_mail(sender, f"Re: [{key}] Order", f"Found it, thanks!\n\n{quote}-- \nLong")
    assert len(raw) > 1_000_000

    async def health() -> int:
        response = await desk.client.get("http://testserver/healthz")
        return response.status_code

    reply, healthz = await asyncio.gather(post_mail(desk.client, token, raw), health())
    assert healthz == 200
    assert reply.status_code == 200, reply.text
    assert reply.json()["status"] == "appended"
    comments = (await desk.get(f"/tickets/{key}/comments")).json()
    assert [c["body"] for c in comments] == ["Found it, thanks!"]


def _many_parts(parts: int) -> bytes:
    body = "".join(
        f"--b\r\nContent-Type: application/octet-stream\r\n"
        f'Content-Disposition: attachment; filename="f{i}.bin"\r\n\r\nxx\r\n'
        for i in range(parts)
    )
    return (
        "From: parts@customer.example\r\nSubject: Many parts\r\nMIME-Version: 1.0\r\n"
        f'Content-Type: multipart/mixed; boundary="b"\r\n\r\n{body}--b--\r\n'
    ).encode()


async def test_mail_over_the_mime_caps_is_a_413_and_stores_nothing(
    desk: Tenant, db: Database, mail_app: Any
) -> None:
    """2,000 parts in 200 KB used to make 2,000 attachments and 2,001 events."""
    token = await inbound_token(desk)
    long_header = customer_mail("h@customer.example", "x", "y", X_Junk="a" * 40_000)
    for raw in (_many_parts(2000), long_header):
        response = await post_mail(desk.client, token, raw)
        assert response.status_code == 413, response.text
        assert response.headers["content-type"] == "application/problem+json"
        problem = response.json()
        assert problem["title"] == "Email too large"
        assert problem["errors"][0]["loc"] == ["body"]
    assert (
        "more than 100 MIME parts"
        in (await post_mail(desk.client, token, _many_parts(2000))).json()["detail"]
    )
    assert (await desk.get("/tickets")).json()["items"] == []
    workspace_id = uuid.UUID(desk.workspace_id)
    async with db.unit_of_work() as session:
        for model in (Attachment, EmailRow, Event):
            found = await session.scalar(
                select(func.count()).select_from(model).where(model.workspace_id == workspace_id)
            )
            assert found == 0, model
    accepted = await post_mail(desk.client, token, _many_parts(50))
    assert accepted.status_code == 201, accepted.text
