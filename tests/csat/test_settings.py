"""CSAT settings: admin-only, validated, per workspace."""

from __future__ import annotations

from tests.support import Tenant


async def test_settings_default_off_are_validated_and_admin_only(
    tenant: Tenant, other_tenant: Tenant
) -> None:
    default = await tenant.get("/settings/csat", role="viewer")
    assert default.status_code == 200
    assert default.json() == {"enabled": False, "scale": "good_bad", "delay_minutes": 0}

    saved = await tenant.put(
        "/settings/csat", json={"enabled": True, "scale": "five", "delay_minutes": 90}
    )
    assert saved.status_code == 200, saved.text
    assert saved.json() == {"enabled": True, "scale": "five", "delay_minutes": 90}
    assert (await tenant.get("/settings/csat")).json() == saved.json()

    for body in (
        {"enabled": True, "scale": "stars"},
        {"enabled": True, "delay_minutes": -1},
        {"enabled": True, "delay_minutes": 1.5},
        {"enabled": True, "delay_minutes": "5"},
        {"enabled": True, "delay_minutes": 30 * 24 * 60 + 1},
        {"enabled": "yes"},
        {"scale": "five"},
        {"enabled": True, "colour": "red"},
    ):
        refused = await tenant.put("/settings/csat", json=body)
        assert refused.status_code == 422, (body, refused.text)
        assert refused.headers["content-type"] == "application/problem+json"
    for role in ("agent", "viewer"):
        forbidden = await tenant.put("/settings/csat", json={"enabled": False}, role=role)
        assert forbidden.status_code == 403, forbidden.text
    assert (await tenant.get("/settings/csat")).json() == saved.json()

    # another workspace has its own
    assert (await other_tenant.get("/settings/csat")).json()["enabled"] is False
    minimal = await tenant.put("/settings/csat", json={"enabled": False})
    assert minimal.json() == {"enabled": False, "scale": "good_bad", "delay_minutes": 0}
