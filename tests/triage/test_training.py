"""Training per workspace: honest figures on the newest tickets, fields without enough
examples left out, predictions with confidences and similar tickets, 409 without a model."""

from __future__ import annotations

from tests.support import eventually
from tests.triage.conftest import seed, train
from ticketdesk.jobs import JobContext
from ticketdesk.triage.jobs import RETRAIN_AFTER_SOLVED, schedule_training


async def test_without_a_model_predict_and_insights_answer_409(tenant):
    model = await tenant.get("/triage/model")
    assert model.status_code == 200
    assert model.json()["state"] == "none"
    predict = await tenant.post("/triage/predict", json={"subject": "Refund please"})
    assert predict.status_code == 409, predict.text
    assert predict.headers["content-type"].startswith("application/problem+json")
    ticket = await tenant.create_ticket(subject="Refund please")
    insights = await tenant.get(f"/tickets/{ticket['key']}/insights")
    assert insights.status_code == 409


async def test_training_measures_each_field_on_the_newest_tickets(tenant):
    await seed(tenant, per_kind=20)
    model = await train(tenant)
    assert model["examples"] == 60
    assert model["trained_at"] and model["version"] == 1
    category = model["fields"]["category"]
    # 12 held-out tickets (the newest 20 %), next to always guessing the commonest
    assert category["support"] == 12
    assert category["accuracy"] >= 0.9 > category["baseline_accuracy"]
    assert 0 <= category["macro_f1"] <= 1
    assert set(model["fields"]) >= {"category", "priority", "type", "labels"}
    # no ticket has a team: left out, never guessed
    assert "team" not in model["fields"]
    assert "team" in model["left_out"]


async def test_predictions_give_calibrated_values_and_similar_tickets(tenant):
    await seed(tenant, per_kind=20)
    await train(tenant)
    response = await tenant.post(
        "/triage/predict",
        json={"subject": "The mobile app crashes with an error", "description": "since today"},
        role="agent",
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["category"]["value"] == "technical"
    assert 0.5 < body["category"]["confidence"] <= 1
    assert body["priority"]["value"] == "urgent"
    assert body["type"]["value"] == "incident"
    assert [label["value"] for label in body["labels"]] == ["bug"]
    assert body["team"] is None
    assert body["similar"] and len(body["similar"]) <= 5
    top = body["similar"][0]
    assert top["key"].startswith("TKT-") and top["status"] == "resolved"
    assert "crash" in top["subject"] or "error" in top["subject"].lower()
    assert top["score"] > 0


async def test_a_field_with_too_few_examples_is_left_out(tenant):
    # categories on all, but only three tickets carry a type
    await seed(tenant, per_kind=10, fields=("category",))
    model = await train(tenant)
    assert "category" in model["fields"]
    for left_out in ("type", "team", "labels"):
        assert left_out in model["left_out"], model
        assert left_out not in model["fields"]
    body = (await tenant.post("/triage/predict", json={"subject": "Refund"})).json()
    assert body["type"] is None and body["team"] is None and body["labels"] == []
    # every priority is the default "normal": one value is nothing to learn
    assert "priority" in model["left_out"] and body["priority"] is None


async def test_only_admins_train_and_viewers_read(tenant):
    refused = await tenant.post("/triage/train", role="agent")
    assert refused.status_code == 403
    assert (await tenant.get("/triage/model", role="viewer")).status_code == 200


async def test_the_schedule_trains_once_enough_tickets_were_solved(tenant, db, settings):
    ctx = JobContext(db=db, settings=settings, job_id="test")
    await seed(tenant, per_kind=10, fields=("category",))  # 30 solved: not yet
    await schedule_training(ctx)
    assert (await tenant.get("/triage/model")).json()["state"] == "none"
    await seed(tenant, per_kind=10, fields=("category",))  # 60 solved: the first run
    await schedule_training(ctx)
    first = await eventually(ready_version(tenant), "the scheduled model")
    assert first == 1
    # a few more solved tickets are not enough for another run today
    await seed(tenant, per_kind=2, fields=("category",))
    await schedule_training(ctx)
    assert (await tenant.get("/triage/model")).json()["state"] == "ready"
    assert (await tenant.get("/triage/model")).json()["version"] == 1
    await seed(tenant, per_kind=RETRAIN_AFTER_SOLVED // 3 + 1, fields=("category",))
    await schedule_training(ctx)
    assert await eventually(lambda: _version_at_least(tenant, 2), "the retrained model")


def ready_version(tenant):
    async def check():
        model = (await tenant.get("/triage/model")).json()
        return model["version"] if model["state"] == "ready" else None

    return check


async def _version_at_least(tenant, version):
    model = (await tenant.get("/triage/model")).json()
    return model["state"] == "ready" and model["version"] >= version
