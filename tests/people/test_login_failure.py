import time


async def test_wrong_password_answers_401_promptly(tenant):
    email = tenant.users["agent"]["email"]
    started = time.monotonic()
    response = await tenant.client.post(
        "/auth/login",
        json={"email": email, "password": "not-the-password", "workspace": tenant.slug},
    )
    assert response.status_code == 401, response.text
    assert response.json()["detail"] == "Wrong email or password."
    # On SQLite the failure record once waited on the request's own write lock (30 s, then 500).
    assert time.monotonic() - started < 5
    ok = await tenant.client.post(
        "/auth/login", json={"email": email, "password": "user-password", "workspace": tenant.slug}
    )
    assert ok.status_code == 200
