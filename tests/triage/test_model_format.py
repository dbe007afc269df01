"""A model stored by an older release, in a bundle format this one does not read: predict and
insights answer 409 saying so (not "no model"), and the next training replaces it."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from tests.triage.conftest import seed, train
from ticketdesk.models import TriageModel
from ticketdesk.triage import learning, service


async def _store_as_an_older_release_would(db, workspace_id: str) -> int:
    """Rewrite the ready model's blob with a bundle whose format predates this release's."""
    async with db.unit_of_work() as session:
        row = (
            await session.execute(
                select(TriageModel).where(
                    TriageModel.workspace_id == uuid.UUID(workspace_id),
                    TriageModel.state == "ready",
                )
            )
        ).scalar_one()
        bundle = learning.load(row.blob)
        bundle.format = learning.BUNDLE_FORMAT - 1
        row.blob = learning.dump(bundle)
        version: int = row.version
    # the API process after the upgrade: it has not loaded any model yet
    service._served.clear()
    return version


async def test_an_older_format_model_answers_409_until_trained_again(tenant, db):
    await seed(tenant, per_kind=20)
    first = await train(tenant)
    ticket = await tenant.create_ticket(subject="The dashboard shows an error")
    version = await _store_as_an_older_release_would(db, tenant.workspace_id)
    assert version == first["version"]

    for _ in range(2):  # asked again, the same answer (the process remembers it cannot read it)
        predict = await tenant.post("/triage/predict", json={"subject": "Refund please"})
        assert predict.status_code == 409, predict.text
        assert predict.headers["content-type"].startswith("application/problem+json")
        problem = predict.json()
        assert problem["title"] == "Triage model needs retraining"
        assert problem["code"] == "triage_model_outdated"
        assert problem["version"] == version
        assert "/triage/train" in problem["detail"]
    insights = await tenant.get(f"/tickets/{ticket['key']}/insights", role="agent")
    assert insights.status_code == 409
    assert insights.json()["code"] == "triage_model_outdated"

    second = await train(tenant)
    assert second["version"] > version
    predict = await tenant.post("/triage/predict", json={"subject": "Refund please"})
    assert predict.status_code == 200, predict.text
    assert predict.json()["category"]["value"] == "billing"
    assert predict.json()["model_version"] == second["version"]
    insights = await tenant.get(f"/tickets/{ticket['key']}/insights", role="agent")
    assert insights.status_code == 200, insights.text
