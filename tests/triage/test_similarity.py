"""Which similarity finds similar tickets and duplicates, as GET /triage/model tells: MiniLM
sentence embeddings with the `embeddings` extra, TF-IDF without it or when turned off; both
find the same requester's duplicate first and a paraphrase's solved tickets."""

from __future__ import annotations

import pytest

from tests.triage.conftest import seed, train
from ticketdesk.triage import embeddings

needs_minilm = pytest.mark.skipif(
    not embeddings.available(), reason="the embeddings extra is not installed"
)


async def _duplicates_of_a_crash(tenant) -> tuple[list[str], dict, dict]:
    mine = {"email": "ada@customer.example"}
    earlier = await tenant.create_ticket(
        subject="The mobile app crashes when I log in", requester=mine
    )
    await tenant.create_ticket(subject="Where is my parcel?", requester=mine)
    ticket = await tenant.create_ticket(subject="Mobile app crashes on log in", requester=mine)
    insights = await tenant.get(f"/tickets/{ticket['key']}/insights", role="agent")
    assert insights.status_code == 200, insights.text
    return [d["key"] for d in insights.json()["possible_duplicates"]], earlier, ticket


@needs_minilm
async def test_with_the_extra_minilm_finds_similar_tickets_and_duplicates(tenant):
    assert (await tenant.get("/triage/model")).json()["similarity"] == "minilm"
    await seed(tenant, per_kind=20)
    model = await train(tenant)
    assert model["similarity"] == "minilm"
    assert model["embedding_seconds"] is not None and model["embedding_seconds"] >= 0
    # no word in common with any shipping subject, yet those are the similar ones
    body = (
        await tenant.post("/triage/predict", json={"subject": "Package never showed up"})
    ).json()
    assert body["similar"]
    assert all(
        any(w in s["subject"].lower() for w in ("arrived", "delivered", "delivery", "tracking"))
        for s in body["similar"]
    ), body["similar"]
    duplicates, earlier, _ = await _duplicates_of_a_crash(tenant)
    assert duplicates == [earlier["key"]]


async def test_turned_off_tfidf_finds_them_and_the_model_says_so(tenant, settings, monkeypatch):
    monkeypatch.setattr(settings, "triage_embeddings", False)
    assert (await tenant.get("/triage/model")).json()["similarity"] == "tfidf"
    await seed(tenant, per_kind=20)
    model = await train(tenant)
    assert model["similarity"] == "tfidf"
    assert not model["embedding_seconds"]
    body = (
        await tenant.post("/triage/predict", json={"subject": "The dashboard crashes again"})
    ).json()
    assert body["similar"]
    technical = ("crash", "error", "sync", "down")
    assert all(any(w in s["subject"].lower() for w in technical) for s in body["similar"])
    duplicates, earlier, ticket = await _duplicates_of_a_crash(tenant)
    assert duplicates == [earlier["key"]]
    assert ticket["key"] not in duplicates
