"""CSAT over a real SMTP relay: the survey email arrives once per ticket with a link, its page
renders, the answer is saved and can change until the ticket closes, and the token opens
nothing else."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy import func, select, update

from tests.conftest import make_tenant
from tests.csat.conftest import activity, enable, set_status, surveys, token_of
from tests.email.conftest import Mailbox, drain
from tests.support import Tenant
from ticketdesk.csat.service import send_due
from ticketdesk.db import Database, utcnow
from ticketdesk.models import CsatSurvey


async def _solved_with_survey(
    desk: Tenant, mail_app: Any, inbox: Mailbox, address: str, **ticket: Any
) -> tuple[dict[str, Any], str]:
    created = await desk.create_ticket(requester={"email": address, "name": "Grace"}, **ticket)
    await set_status(desk, created["key"], "resolved")
    await drain(mail_app)
    (mail,) = surveys(inbox, address)
    return created, token_of(mail)


async def test_a_solved_ticket_gets_one_survey_whose_answer_lands_on_the_ticket(
    desk: Tenant, mail_app: Any, inbox: Mailbox, pages: httpx.AsyncClient
) -> None:
    await enable(desk)
    address = f"grace@{desk.slug}.example"
    created = await desk.create_ticket(
        subject="Kettle never arrived", requester={"email": address, "name": "Grace"}
    )
    key = created["key"]
    assert created["csat"] is None
    await drain(mail_app)
    assert surveys(inbox, address) == []  # opened, not solved: no survey

    await set_status(desk, key, "resolved")
    await drain(mail_app)
    (mail,) = surveys(inbox, address)
    assert mail["Subject"] == f"[{key}] How did we do? Kettle never arrived"
    assert mail["Auto-Submitted"] == "auto-generated"
    token = token_of(mail)
    assert len(token) >= 22  # >= 128 bits, url-safe base64
    html = mail.get_body(("html",)).get_content()
    assert f"/survey/{token}?rating=good" in html
    assert f"/survey/{token}?rating=bad" in html
    sent = [e for e in await activity(desk, key) if e["type"] == "ticket.survey_sent"]
    # each event names its ticket, as every ticket event does (live clients refresh that one)
    assert [(e["data"], e["actor"]["kind"]) for e in sent] == [({"ticket": key}, "system")]

    page = await pages.get(f"/survey/{token}")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert page.headers["cache-control"] == "no-store"
    assert "content-security-policy" in page.headers
    assert key in page.text
    assert "Kettle never arrived" in page.text
    assert "<script" not in page.text
    assert 'name="viewport"' in page.text
    assert 'value="good"' in page.text
    assert 'value="bad"' in page.text
    assert "What could we have done better?" in page.text

    answered = await pages.post(
        f"/api/v1/public/surveys/{token}", json={"rating": "bad", "comment": " Took a week "}
    )
    assert answered.status_code == 200, answered.text
    body = answered.json()
    assert (body["ticket"], body["rating"], body["good"], body["comment"]) == (
        key,
        "bad",
        False,
        "Took a week",
    )
    ticket = (await desk.get(f"/tickets/{key}")).json()
    assert ticket["csat"]["rating"] == "bad"
    assert ticket["csat"]["comment"] == "Took a week"
    assert ticket["csat"]["answered_at"] == body["answered_at"]
    assert ticket["version"] > created["version"]
    listed = (await desk.get("/tickets")).json()["items"]
    assert [t["csat"] for t in listed if t["key"] == key] == [ticket["csat"]]

    shown = await pages.get(f"/survey/{token}")
    assert "Bad, unsatisfied" in shown.text  # the current answer
    assert 'value="bad" required checked' in shown.text
    assert "Took a week" in shown.text

    changed = await pages.post(f"/api/v1/public/surveys/{token}", json={"rating": "good"})
    assert changed.status_code == 200, changed.text
    assert (changed.json()["rating"], changed.json()["good"]) == ("good", True)
    assert (await desk.get(f"/tickets/{key}")).json()["csat"]["rating"] == "good"
    received = [e for e in await activity(desk, key) if e["type"] == "ticket.csat_received"]
    assert [e["data"] for e in received] == [
        {"ticket": key, "rating": "bad", "good": False, "comment": "Took a week"},
        {"ticket": key, "rating": "good", "good": True, "comment": None},
    ]
    assert {(e["actor"]["kind"], e["actor"]["name"]) for e in received} == {("contact", "Grace")}

    # reopened and solved again: still the one survey
    await set_status(desk, key, "open")
    await set_status(desk, key, "resolved")
    await drain(mail_app)
    assert len(surveys(inbox, address)) == 1
    # the link still works until the ticket closes; then it is refused
    assert (await pages.get(f"/survey/{token}")).status_code == 200
    await set_status(desk, key, "closed")
    refused = await pages.post(f"/api/v1/public/surveys/{token}", json={"rating": "bad"})
    assert refused.status_code == 410, refused.text
    assert refused.headers["content-type"] == "application/problem+json"
    closed_page = await pages.get(f"/survey/{token}")
    assert closed_page.status_code == 410
    assert "closed" in closed_page.text
    assert "Good, satisfied" in closed_page.text
    assert (await desk.get(f"/tickets/{key}")).json()["csat"]["rating"] == "good"


async def test_the_page_form_saves_and_thanks_without_any_script(
    desk: Tenant, mail_app: Any, inbox: Mailbox, pages: httpx.AsyncClient
) -> None:
    await enable(desk)
    address = f"form@{desk.slug}.example"
    created, token = await _solved_with_survey(desk, mail_app, inbox, address)
    preselected = await pages.get(f"/survey/{token}", params={"rating": "bad"})
    assert 'value="bad" required checked' in preselected.text
    assert (await desk.get(f"/tickets/{created['key']}")).json()["csat"] is None  # GET saves none

    posted = await pages.post(
        f"/survey/{token}", data={"rating": "bad", "comment": "The courier was rude"}
    )
    assert posted.status_code == 303
    assert posted.headers["location"] == f"/survey/{token}?saved=1"
    thanked = await pages.get(posted.headers["location"])
    assert "Thank you! Your answer is saved." in thanked.text
    csat = (await desk.get(f"/tickets/{created['key']}")).json()["csat"]
    assert (csat["rating"], csat["comment"]) == ("bad", "The courier was rude")

    missing = await pages.post(f"/survey/{token}", data={"comment": "no rating"})
    assert missing.status_code == 422
    assert "Please choose one of the answers." in missing.text
    wrong = await pages.post(f"/survey/{token}", data={"rating": "4"})  # good/bad scale
    assert wrong.status_code == 422
    not_a_form = await pages.post(f"/survey/{token}", json={"rating": "good"})
    assert not_a_form.status_code == 400
    huge = await pages.post(f"/survey/{token}", data={"rating": "good", "comment": "x" * 40_000})
    assert huge.status_code == 400
    csat = (await desk.get(f"/tickets/{created['key']}")).json()["csat"]
    assert (csat["rating"], csat["comment"]) == ("bad", "The courier was rude")

    # changed to good: the reason still sits in its box, hidden now, and is sent along
    changed = await pages.post(
        f"/survey/{token}", data={"rating": "good", "comment": "The courier was rude"}
    )
    assert changed.status_code == 303
    csat = (await desk.get(f"/tickets/{created['key']}")).json()["csat"]
    assert (csat["rating"], csat["comment"]) == ("good", None)


async def test_bad_and_expired_tokens_are_404_and_the_token_opens_no_api(
    desk: Tenant, mail_app: Any, inbox: Mailbox, pages: httpx.AsyncClient, db: Database
) -> None:
    await enable(desk)
    address = f"expiry@{desk.slug}.example"
    created, token = await _solved_with_survey(desk, mail_app, inbox, address)

    for bad in ("nope", token[:-1], token + "x", "a" * 200):
        page = await pages.get(f"/survey/{bad}")
        assert page.status_code == 404, bad
        assert "This survey link does not work" in page.text
        answer = await pages.post(f"/api/v1/public/surveys/{bad}", json={"rating": "good"})
        assert answer.status_code in (404, 422), (bad, answer.text)
        assert answer.headers["content-type"] == "application/problem+json"
        assert (await pages.post(f"/survey/{bad}", data={"rating": "good"})).status_code == 404

    # the token is no credential: not as a bearer token, not as a cookie, not as a query
    for path in ("/api/v1/tickets", f"/api/v1/tickets/{created['key']}", "/api/v1/settings/csat"):
        as_bearer = await pages.get(path, headers={"Authorization": f"Bearer {token}"})
        assert as_bearer.status_code == 401, (path, as_bearer.text)
        as_cookie = await pages.get(path, cookies={"session": token, "ticketdesk_session": token})
        assert as_cookie.status_code == 401, (path, as_cookie.text)
    as_bearer_write = await pages.patch(
        f"/api/v1/tickets/{created['key']}",
        json={"status": "closed"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert as_bearer_write.status_code == 401
    assert (await desk.get(f"/tickets/{created['key']}")).json()["status"] == "resolved"

    async with db.unit_of_work() as session:
        await session.execute(
            update(CsatSurvey)
            .where(CsatSurvey.workspace_id == uuid.UUID(desk.workspace_id))
            .values(expires_at=utcnow() - timedelta(seconds=1))
        )
    assert (await pages.get(f"/survey/{token}")).status_code == 404
    expired = await pages.post(f"/api/v1/public/surveys/{token}", json={"rating": "good"})
    assert expired.status_code == 404
    assert (await desk.get(f"/tickets/{created['key']}")).json()["csat"] is None


async def test_the_scale_is_enforced(
    desk: Tenant, mail_app: Any, inbox: Mailbox, pages: httpx.AsyncClient
) -> None:
    await enable(desk, scale="five")
    address = f"five@{desk.slug}.example"
    created, token = await _solved_with_survey(desk, mail_app, inbox, address)
    page = await pages.get(f"/survey/{token}")
    assert all(f'value="{n}"' in page.text for n in range(1, 6))
    assert 'value="good"' not in page.text

    url = f"/api/v1/public/surveys/{token}"
    for rating in ("good", "bad", 0, 6, 4.5, True, "4", None):
        refused = await pages.post(url, json={"rating": rating})
        assert refused.status_code == 422, (rating, refused.text)
    assert (await pages.post(url, json={"rating": 3, "extra": 1})).status_code == 422
    assert (await pages.post(url, json={"rating": 2, "comment": "x" * 2001})).status_code == 422
    assert (await pages.post(url, json={"rating": 2, "comment": "a\x00b"})).status_code == 422
    assert (await desk.get(f"/tickets/{created['key']}")).json()["csat"] is None

    three = await pages.post(url, json={"rating": 3})
    assert (three.status_code, three.json()["good"]) == (200, False)
    four = await pages.post(url, json={"rating": 4.0, "comment": "Quick"})
    assert (four.status_code, four.json()["rating"], four.json()["good"]) == (200, 4, True)
    assert (await desk.get(f"/tickets/{created['key']}")).json()["csat"]["rating"] == 4
    posted = await pages.post(f"/survey/{token}", data={"rating": "5"})
    assert posted.status_code == 303
    assert (await desk.get(f"/tickets/{created['key']}")).json()["csat"]["rating"] == 5

    # back to good/bad: answers from now on are good or bad
    await enable(desk, scale="good_bad")
    assert (await pages.post(url, json={"rating": 5})).status_code == 422
    assert (await pages.post(url, json={"rating": "good"})).status_code == 200


async def test_the_delay_is_kept_by_the_outbox_and_a_reopen_waits_for_the_next_solve(
    desk: Tenant, mail_app: Any, inbox: Mailbox
) -> None:
    await enable(desk, delay_minutes=60)
    address = f"later@{desk.slug}.example"
    created = await desk.create_ticket(requester={"email": address})
    key = created["key"]
    await set_status(desk, key, "resolved")
    await drain(mail_app)
    assert surveys(inbox, address) == []
    app_db, settings = mail_app.state.db, mail_app.state.settings

    assert await send_due(app_db, settings, now=utcnow() + timedelta(minutes=59)) == 0
    # reopened before the survey went out: it waits; the next solve schedules it again
    await set_status(desk, key, "open")
    assert await send_due(app_db, settings, now=utcnow() + timedelta(minutes=61)) == 0
    await set_status(desk, key, "resolved")
    assert await send_due(app_db, settings, now=utcnow() + timedelta(minutes=61)) == 1
    assert await send_due(app_db, settings, now=utcnow() + timedelta(minutes=62)) == 0
    await drain(mail_app)
    assert len(surveys(inbox, address)) == 1
    async with app_db.unit_of_work() as session:
        count = await session.scalar(
            select(func.count())
            .select_from(CsatSurvey)
            .where(CsatSurvey.workspace_id == uuid.UUID(desk.workspace_id))
        )
    assert count == 1

    # CSAT off: a solved ticket gets no survey
    off = await desk.put("/settings/csat", json={"enabled": False})
    assert off.status_code == 200
    other = f"off@{desk.slug}.example"
    quiet = await desk.create_ticket(requester={"email": other})
    await set_status(desk, quiet["key"], "resolved")
    assert await send_due(app_db, settings, now=utcnow() + timedelta(days=1)) == 0
    await drain(mail_app)
    assert surveys(inbox, other) == []


async def test_a_closed_ticket_before_the_delay_is_never_asked(
    desk: Tenant, mail_app: Any, inbox: Mailbox
) -> None:
    await enable(desk, delay_minutes=5)
    address = f"closed@{desk.slug}.example"
    created = await desk.create_ticket(requester={"email": address})
    await set_status(desk, created["key"], "resolved")
    await set_status(desk, created["key"], "closed")
    app_db, settings = mail_app.state.db, mail_app.state.settings
    assert await send_due(app_db, settings, now=utcnow() + timedelta(minutes=6)) == 0
    await drain(mail_app)
    assert surveys(inbox, address) == []


async def test_the_answer_reaches_webhooks(
    desk: Tenant, mail_app: Any, inbox: Mailbox, pages: httpx.AsyncClient, receiver: Any
) -> None:
    hook = await desk.post(
        "/webhooks",
        json={"url": receiver.url, "events": ["ticket.survey_sent", "ticket.csat_received"]},
    )
    assert hook.status_code == 201, hook.text
    await enable(desk, scale="five")
    address = f"hook@{desk.slug}.example"
    created, token = await _solved_with_survey(desk, mail_app, inbox, address)
    answered = await pages.post(
        f"/api/v1/public/surveys/{token}", json={"rating": 2, "comment": "Slow"}
    )
    assert answered.status_code == 200
    await drain(mail_app)
    sent, received = await receiver.wait_for(2)
    assert sent.json["type"] == "ticket.survey_sent"
    assert received.json["type"] == "ticket.csat_received"
    data = received.json["data"]
    assert data["event"]["data"] == {
        "ticket": created["key"],
        "rating": 2,
        "good": False,
        "comment": "Slow",
    }
    assert data["actor"]["kind"] == "contact"
    assert data["ticket"]["key"] == created["key"]
    assert data["ticket"]["csat"]["rating"] == 2


async def test_the_send_survey_action_sends_once_even_with_csat_off(
    desk: Tenant, mail_app: Any, inbox: Mailbox
) -> None:
    bad = await desk.post(
        "/automations",
        json={
            "name": "Ask",
            "trigger": "ticket.updated",
            "actions": [{"type": "send_survey", "value": "now"}],
        },
    )
    assert bad.status_code == 422, bad.text
    as_email = await desk.post(
        "/automations",
        json={
            "name": "Ask",
            "trigger": "ticket.updated",
            "actions": [{"type": "send_email", "value": {"template": "csat_survey"}}],
        },
    )
    assert as_email.status_code == 422, as_email.text
    rule = await desk.post(
        "/automations",
        json={
            "name": "Ask VIPs",
            "trigger": "ticket.updated",
            "conditions": {"all": [{"field": "labels", "op": "contains", "value": "vip"}]},
            "actions": [{"type": "send_survey"}],
        },
    )
    assert rule.status_code == 201, rule.text
    address = f"vip@{desk.slug}.example"
    created = await desk.create_ticket(requester={"email": address})
    key = created["key"]
    labelled = await desk.patch(f"/tickets/{key}", json={"labels": ["vip"]})
    assert labelled.status_code == 200
    await drain(mail_app)
    (mail,) = surveys(inbox, address)
    assert token_of(mail)
    again = await desk.patch(f"/tickets/{key}", json={"priority": "high"})  # fires the rule again
    assert again.status_code == 200
    await drain(mail_app)
    assert len(surveys(inbox, address)) == 1
    sent = [e for e in await activity(desk, key) if e["type"] == "ticket.survey_sent"]
    assert len(sent) == 1


async def test_tokens_and_settings_stay_in_their_workspace(
    desk: Tenant,
    mail_app: Any,
    inbox: Mailbox,
    pages: httpx.AsyncClient,
    db: Database,
    mail_client: httpx.AsyncClient,
) -> None:
    other = await make_tenant(db, mail_client, name="Globex")
    await enable(desk)
    assert (await other.get("/settings/csat")).json()["enabled"] is False
    theirs = await other.create_ticket(requester={"email": f"same@{other.slug}.example"})
    address = f"same@{desk.slug}.example"
    ours, token = await _solved_with_survey(desk, mail_app, inbox, address)
    assert theirs["number"] == ours["number"]  # same number, other workspace
    await set_status(other, theirs["key"], "resolved")
    await drain(mail_app)
    assert surveys(inbox, f"same@{other.slug}.example") == []  # CSAT is off over there

    answered = await pages.post(f"/api/v1/public/surveys/{token}", json={"rating": "good"})
    assert answered.status_code == 200
    assert (await desk.get(f"/tickets/{ours['key']}")).json()["csat"]["rating"] == "good"
    assert (await other.get(f"/tickets/{theirs['key']}")).json()["csat"] is None


async def test_a_bulk_solve_schedules_one_survey_per_ticket_with_a_requester(
    desk: Tenant, mail_app: Any, inbox: Mailbox
) -> None:
    await enable(desk)
    addresses = [f"bulk{i}@{desk.slug}.example" for i in range(3)]
    keys = [(await desk.create_ticket(requester={"email": a}))["key"] for a in addresses]
    keys.append((await desk.create_ticket())["key"])  # nobody to ask
    solved = await desk.post(
        "/tickets/bulk", json={"tickets": keys, "changes": {"status": "resolved"}}
    )
    assert solved.status_code == 200, solved.text
    assert all(r["ok"] for r in solved.json()["results"])
    await drain(mail_app)
    tokens = {token_of(m) for a in addresses for m in surveys(inbox, a)}
    assert len(tokens) == 3


async def test_sent_surveys_and_answers_count_in_the_csat_report_at_once(
    desk: Tenant, mail_app: Any, inbox: Mailbox, pages: httpx.AsyncClient
) -> None:
    await enable(desk)
    report = (await desk.get("/reports/csat", params={"source": "exact"})).json()
    assert (report["sent"], report["responses"]) == (0, 0)
    _, good_token = await _solved_with_survey(desk, mail_app, inbox, f"ada@{desk.slug}.example")
    _, bad_token = await _solved_with_survey(desk, mail_app, inbox, f"bob@{desk.slug}.example")
    await _solved_with_survey(desk, mail_app, inbox, f"cy@{desk.slug}.example")  # never answers
    for token, rating in ((good_token, "good"), (bad_token, "bad")):
        answered = await pages.post(f"/api/v1/public/surveys/{token}", json={"rating": rating})
        assert answered.status_code == 200, answered.text

    for source in ("exact", "rollup"):
        report = (await desk.get("/reports/csat", params={"source": source})).json()
        assert (report["sent"], report["responses"], report["good"], report["bad"]) == (3, 2, 1, 1)
        assert report["score"] == 0.5
    # a changed answer replaces the first one, it does not add a response
    changed = await pages.post(f"/api/v1/public/surveys/{bad_token}", json={"rating": "good"})
    assert changed.status_code == 200, changed.text
    report = (await desk.get("/reports/csat", params={"source": "exact"})).json()
    assert (report["responses"], report["good"], report["score"]) == (2, 2, 1.0)
