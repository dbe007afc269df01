"""Teams over HTTP: unique names, members once each, renamed and emptied."""

from __future__ import annotations


async def test_teams_admin(tenant):
    agent_id = tenant.users["agent"]["id"]
    team = (
        await tenant.post("/teams", json={"name": "Tier 1", "member_ids": [agent_id, agent_id]})
    ).json()
    assert team["member_ids"] == [agent_id]
    assert (await tenant.post("/teams", json={"name": "Tier 1"})).status_code == 409
    renamed = await tenant.patch(
        f"/teams/{team['id']}", json={"name": "Tier One", "member_ids": []}
    )
    assert renamed.json() | {"created_at": None} == {
        "id": team["id"],
        "name": "Tier One",
        "member_ids": [],
        "created_at": None,
    }
