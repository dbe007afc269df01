"""openapi/openapi.json is a build artefact: it must match what the app serves."""

import json

from ticketdesk.app import create_app
from ticketdesk.config import Settings
from ticketdesk.openapi import OPENAPI_PATH, render


def test_checked_in_schema_matches_the_app():
    assert OPENAPI_PATH.exists(), "run scripts/openapi"
    app = create_app(Settings(database_url="sqlite+aiosqlite:///:memory:"))
    assert OPENAPI_PATH.read_text() == render(app.openapi()), (
        "openapi/openapi.json is stale: run scripts/openapi and commit it"
    )


def test_every_operation_has_a_stable_id_and_documents_auth_errors():
    schema = json.loads(OPENAPI_PATH.read_text())
    seen = set()
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            op_id = operation["operationId"]
            assert ":" in op_id, f"{method} {path}: operationId {op_id!r} is not room:verb"
            assert op_id not in seen
            seen.add(op_id)
            if path not in ("/api/v1/auth/login",) and not path.startswith("/api/v1/public/"):
                assert "401" in operation["responses"], f"{method} {path} does not document 401"
