"""openapi/openapi.json is a build artefact: it must match what the app serves."""

import json

from ticketdesk.openapi import OPENAPI_PATH, build_schema, render


def test_checked_in_schema_matches_the_app():
    assert OPENAPI_PATH.exists(), "run scripts/openapi"
    assert OPENAPI_PATH.read_text() == render(build_schema()), (
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
