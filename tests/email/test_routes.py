"""The email endpoints: what the inbound endpoint refuses, and the template admin."""

from __future__ import annotations

from typing import Any

from tests.email.conftest import FIXTURES, Mailbox, customer_mail, drain, inbound_token, post_mail
from tests.support import Tenant


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


async def test_email_settings_round_trip(tenant: Tenant) -> None:
    defaults = await tenant.get("/settings/email")
    assert defaults.status_code == 200, defaults.text
    assert defaults.json() == {
        "brand_name": None,
        "brand_color": "#2563eb",
        "signature": "",
        "from_address": defaults.json()["from_address"],
        "notify_ticket_opened": True,
        "notify_agent_reply": True,
        "notify_resolved": True,
        # status changes are announced by default, closing aside (auto-close says it itself)
        "notify_status_changed": True,
        "notify_status_opt_out": ["closed"],
        "notify_statuses": ["in_progress", "open", "waiting"],
        "team_address": None,
        "notify_team_new_ticket": True,
        "smtp_configured": False,
    }
    assert defaults.json()["from_address"].startswith(f"{tenant.slug}@")
    assert (await tenant.get("/settings/email", role="agent")).status_code == 403

    put = await tenant.put(
        "/settings/email",
        json={"brand_name": "Acme Care", "notify_statuses": ["waiting"], "notify_resolved": False},
    )
    assert put.status_code == 200, put.text
    assert (await tenant.get("/settings/email")).json() == put.json()
    assert put.json()["brand_name"] == "Acme Care"
    assert put.json()["notify_statuses"] == ["waiting"]
    assert put.json()["notify_resolved"] is False

    for body in ({"notify_statuses": ["nope"]}, {"brand_color": None}, {"brand_color": "red"}):
        refused = await tenant.put("/settings/email", json=body)
        assert refused.status_code == 422, (body, refused.text)


async def test_templates_list_every_kind_with_defaults_and_preview_renders(tenant: Tenant) -> None:
    listed = (await tenant.get("/email/templates")).json()
    assert [t["kind"] for t in listed] == [
        "ticket_opened",
        "agent_reply",
        "status_changed",
        "ticket_resolved",
        "auto_close_reminder",
        "auto_close_closed",
        "team_new_ticket",
        "csat_survey",
    ]
    assert {(t["is_default"], t["updated_at"]) for t in listed} == {(True, None)}
    preview = await tenant.post(
        "/email/templates/status_changed/preview",
        json={"subject": "{{ ticket.key }} is {{ change.to_label }}", "text": "t", "html": "h"},
    )
    assert preview.status_code == 200, preview.text
    assert preview.json() == {
        "kind": "status_changed",
        "subject": "TKT-42 is Waiting",
        "text": "t",
        "html": "h",
    }
    saved = await tenant.put(
        "/email/templates/ticket_opened", json={"subject": "Hi", "text": "t", "html": "h"}
    )
    assert saved.status_code == 200, saved.text
    assert saved.json()["updated_at"].endswith("Z")
    got = (await tenant.get("/email/templates/ticket_opened")).json()
    assert got == saved.json()
    assert got["text"] == "t"


NESTED_LOOPS = (  # 4e7 iterations: blocked the whole process for 2.8 s
    "{% for a in range(1000) %}{% for b in range(1000) %}{% for c in range(40) %}x"
    "{% endfor %}{% endfor %}{% endfor %}"
)


async def test_templates_over_the_render_limits_are_a_clear_422_at_save_and_preview(
    tenant: Tenant,
) -> None:
    for body in (
        {"subject": "ok", "text": NESTED_LOOPS, "html": "h"},
        {"subject": "ok", "text": "t", "html": "{{ 'x'|center(100000000) }}"},
        {"subject": "{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}", "text": "t", "html": "h"},
    ):
        part = next(name for name, value in body.items() if value not in ("ok", "t", "h"))
        for response in (
            await tenant.put("/email/templates/status_changed", json=body),
            await tenant.post("/email/templates/status_changed/preview", json=body),
        ):
            assert response.status_code == 422, response.text
            assert response.headers["content-type"] == "application/problem+json"
            problem = response.json()
            assert problem["errors"][0]["loc"] == ["body", part]
            assert f"The {part} template" in problem["detail"]
    assert (
        "exceeds the limits: it does too much work"
        in (
            await tenant.put(
                "/email/templates/status_changed",
                json={"subject": "ok", "text": NESTED_LOOPS, "html": "h"},
            )
        ).json()["detail"]
    )
    assert (await tenant.get("/email/templates/status_changed")).json()["is_default"] is True


async def test_a_saved_template_that_fails_on_a_tickets_data_is_logged_failed_not_sent(
    desk: Tenant, mail_app: Any, inbox: Mailbox
) -> None:
    """Fine with the sample comment (30 characters: 900 steps), over the limits with a real
    one (1,000 characters: a million steps): the send is recorded as failed, with why."""
    squared = (
        "{% for a in comment.body %}{% for b in comment.body %}{% endfor %}{% endfor %}"
        "{{ comment.body }}"
    )
    saved = await desk.put(
        "/email/templates/agent_reply", json={"subject": "Re", "text": squared, "html": "h"}
    )
    assert saved.status_code == 200, saved.text
    sender = f"victim@{desk.slug}.example"
    ticket = await desk.create_ticket(subject="Long answer", requester={"email": sender})
    reply = await desk.post(
        f"/tickets/{ticket['key']}/comments", json={"body": "a" * 1000, "visibility": "public"}
    )
    assert reply.status_code == 201, reply.text
    short = await desk.post(
        f"/tickets/{ticket['key']}/comments", json={"body": "Short.", "visibility": "public"}
    )
    assert short.status_code == 201, short.text
    await drain(mail_app)
    log = (await desk.get(f"/tickets/{ticket['key']}/emails")).json()
    replies = [(e["status"], e["last_error"]) for e in log if e["kind"] == "agent_reply"]
    assert replies[1] == ("sent", None)
    status, error = replies[0]
    assert status == "failed"
    assert error.startswith("The agent_reply template failed, nothing was sent: The text")
    assert "exceeds the limits" in error
    texts = [m.get_body(("plain",)).get_content() for m in inbox.to(sender) if m["Subject"]]
    assert not any("a" * 1000 in text for text in texts)
    assert any("Short." in text for text in texts)
