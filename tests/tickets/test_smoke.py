async def test_create_and_get_ticket(tenant):
    created = await tenant.create_ticket(subject="Refund please", labels=["Refund"])
    assert created["key"] == "TKT-1"
    assert created["labels"] == ["refund"]
    got = await tenant.get("/tickets/tkt-1")
    assert got.status_code == 200
    assert got.headers["etag"] == '"1"'
    assert got.json()["subject"] == "Refund please"
