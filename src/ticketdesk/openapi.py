"""The OpenAPI document: what every operation shares, added in one place, and how the checked-in
copy (openapi/openapi.json, a build artefact under test) is rendered.

Routes declare the problems specific to them (`responses=problems(...)`); what the middleware
and the auth dependency can answer for any route is added here, so no route can forget it.
`ticketdesk openapi` (scripts/openapi) writes the file from the app.
"""

from __future__ import annotations

import json
from typing import Any

from ticketdesk.config import REPO_ROOT
from ticketdesk.errors import PROBLEM_MEDIA_TYPE

OPENAPI_PATH = REPO_ROOT / "openapi" / "openapi.json"

PUBLIC_OPERATIONS = {"auth:login"}
_PROBLEM = {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}}
_COMMON = {
    "400": "Bad request: malformed JSON or a NUL byte in the URL",
    "401": "Not authenticated: missing, unknown, expired or revoked token",
}
_WITH_BODY = {
    "413": "Payload too large",
    "415": "Unsupported media type: send application/json",
}
_WITH_PARAMETERS = {
    "422": "Validation failed: a parameter is invalid, holds NUL, or is not one this operation "
    "takes",
}
_NO_NUL_PATTERN = r"^[^\x00]*$"
_IDEMPOTENT_POST = {
    "409": "A request with the same Idempotency-Key is still running",
    "422": "Validation failed, or the Idempotency-Key was used with a different body",
}


def _add(operation: dict[str, Any], status: str, description: str) -> None:
    responses = operation.setdefault("responses", {})
    if status not in responses:
        responses[status] = {"description": description, "content": _PROBLEM}


def _document_parameters(operation: dict[str, Any]) -> None:
    """What query_params.check_parameters enforces, said where clients read it: NUL is never a
    parameter's text, and a query parameter the operation does not list is a 422."""
    parameters = operation.get("parameters", [])
    for parameter in parameters:
        schema = parameter.get("schema", {})
        for branch in schema.get("anyOf", [schema]):
            if branch.get("type") == "string" and not {"pattern", "format", "enum"} & set(branch):
                branch["pattern"] = _NO_NUL_PATTERN
    if parameters:
        for status, description in _WITH_PARAMETERS.items():
            _add(operation, status, description)
    if any(parameter["in"] == "query" for parameter in parameters):
        operation["description"] = (
            operation.get("description", "")
            + "\n\nA query parameter not listed here is refused with a 422 that names it."
        ).strip()


def finish_schema(schema: dict[str, Any]) -> dict[str, Any]:
    components = schema.setdefault("components", {})
    components.setdefault("securitySchemes", {})["bearer"] = {
        "type": "http",
        "scheme": "bearer",
        "description": "A session token from POST /auth/login, or an API token (`td_…`).",
    }
    for path, item in schema.get("paths", {}).items():
        for method, operation in item.items():
            public = operation.get("operationId") in PUBLIC_OPERATIONS or "/public/" in path
            if not public:
                operation["security"] = [{"bearer": []}]
            for status, description in _COMMON.items():
                if status == "401" and public:
                    continue
                _add(operation, status, description)
            _document_parameters(operation)
            if "requestBody" in operation:
                for status, description in _WITH_BODY.items():
                    _add(operation, status, description)
            if method == "post":
                for status, description in _IDEMPOTENT_POST.items():
                    _add(operation, status, description)
                operation["description"] = (
                    operation.get("description", "")
                    + "\n\nAccepts `Idempotency-Key`: a retry with the same key and body replays "
                    "the first response (kept 24 h); the same key with another body is a 422."
                ).strip()
    return schema


def render(schema: dict[str, Any]) -> str:
    """The checked-in form: sorted keys, two-space indent, one trailing newline."""
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
