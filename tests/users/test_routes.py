"""Users over HTTP: unique emails, and no admin demotes themselves."""

from __future__ import annotations


async def test_users_admin(tenant):
    duplicate = await tenant.post(
        "/users", json={"email": f"agent@{tenant.slug}.test", "name": "Again", "role": "agent"}
    )
    assert duplicate.status_code == 409
    me_id = tenant.users["admin"]["id"]
    assert (await tenant.patch(f"/users/{me_id}", json={"role": "agent"})).status_code == 409
    agent_id = tenant.users["agent"]["id"]
    promoted = await tenant.patch(f"/users/{agent_id}", json={"role": "admin"})
    assert promoted.json()["role"] == "admin"
