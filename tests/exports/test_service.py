"""The export service: cells a spreadsheet reads safely, and the custom field columns."""

from datetime import UTC, datetime, timedelta, timezone

from ticketdesk.auth.principal import principal_from_token
from ticketdesk.exports import service as exports
from ticketdesk.tickets import service as tickets
from ticketdesk.tickets.filters import ticket_filters


def test_cells_are_plain_text_a_spreadsheet_does_not_run():
    paris = timezone(timedelta(hours=1))
    assert exports.cell(None) == ""
    assert exports.cell(True) == "true"
    assert exports.cell(datetime(2026, 1, 2, 10, 30, tzinfo=paris)) == "2026-01-02T09:30:00Z"
    assert exports.cell({"a": [1, "é"]}) == '{"a":[1,"é"]}'
    assert exports.cell("=1+1") == "'=1+1"
    assert exports.cell("-3") == "'-3"
    assert exports.cell("a-b") == "a-b"
    assert exports.cell(datetime(2026, 1, 2, tzinfo=UTC)) == "2026-01-02T00:00:00Z"


async def test_custom_field_columns_are_those_the_matching_tickets_use(db, tenant, other_tenant):
    await tenant.create_ticket(subject="a", priority="high", custom_fields={"plan": "pro"})
    await tenant.create_ticket(subject="b", priority="high", custom_fields={"order": 1, "plan": ""})
    await tenant.create_ticket(subject="c", priority="low", custom_fields={"region": "eu"})
    await other_tenant.create_ticket(subject="d", priority="high", custom_fields={"secret": 1})
    async with db.unit_of_work() as session:
        principal = await principal_from_token(session, tenant.tokens["viewer"])
        assert principal is not None
        workspace = await tickets.get_workspace(session, principal)
        high = await tickets.filtered_tickets(
            session, principal, workspace, ticket_filters(priority="high")
        )
        assert await exports.custom_field_keys(session, high) == ["order", "plan"]
    assert exports.header(["order"])[-1] == "custom_fields.order"
