"""The caller's workspace settings over HTTP."""

from __future__ import annotations


async def test_workspace_settings(tenant):
    assert (await tenant.get("/workspace")).json()["ticket_prefix"] == "TKT"
    updated = await tenant.patch("/workspace", json={"timezone": "Europe/Berlin"})
    assert updated.json()["timezone"] == "Europe/Berlin"
    assert (await tenant.patch("/workspace", json={"timezone": "Mars/Olympus"})).status_code == 422
