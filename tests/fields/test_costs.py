"""Field definitions and ticket types are cached configuration: creating or changing a
ticket reads neither table (once the process has them), with or without fields defined."""

from __future__ import annotations

from tests.fields.helpers import define, define_type
from tests.support import Statements

CONFIG_READS = ("from custom_fields", "from ticket_types", "from approvals")


def _config_reads(seen: list[str]) -> list[str]:
    return [s for s in seen if any(name in s.lower() for name in CONFIG_READS)]


async def test_create_and_patch_read_no_configuration(tenant, db):
    await tenant.create_ticket(type="task")  # the process now holds the configuration
    with Statements(db) as seen:
        ticket = await tenant.create_ticket(type="task", custom_fields={"free": "form"})
        patched = await tenant.patch(
            f"/tickets/{ticket['key']}", json={"status": "resolved", "priority": "high"}
        )
        assert patched.status_code == 200
    assert _config_reads(seen) == []


async def test_ten_fields_and_a_lifecycle_cost_no_query_either(tenant, db):
    for index in range(10):
        await define(tenant, key=f"f{index}", label=f"F{index}", kind="integer")
    await define_type(
        tenant,
        key="claim",
        name="Claim",
        transitions=[{"from": "*", "to": ["open", "in_progress", "resolved"]}],
        required_fields={"resolved": ["f0"]},
    )
    values = {f"f{index}": index for index in range(10)}
    await tenant.create_ticket(type="claim", custom_fields=values)
    with Statements(db) as seen:
        ticket = await tenant.create_ticket(type="claim", custom_fields=values)
        patched = await tenant.patch(
            f"/tickets/{ticket['key']}",
            json={"status": "resolved", "custom_fields": {"f1": 11}},
        )
        assert patched.status_code == 200, patched.text
    assert _config_reads(seen) == []
