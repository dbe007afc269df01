"""Typed errors and the one handler that renders every error as problem+json."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict
from starlette.exceptions import HTTPException as StarletteHTTPException

log = logging.getLogger(__name__)

PROBLEM_MEDIA_TYPE = "application/problem+json"


class TicketdeskError(Exception):
    status: int = 400
    title: str = "Bad request"
    type: str = "about:blank"

    def __init__(
        self,
        detail: str | None = None,
        *,
        errors: list[dict[str, Any]] | None = None,
        headers: dict[str, str] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(detail or self.title)
        self.detail = detail or self.title
        self.errors = errors
        self.headers = headers or {}
        # extension members of the problem (RFC 9457 §3.2), e.g. a 409's `allowed`
        self.extra = extra or {}


class BadRequest(TicketdeskError):
    status, title = 400, "Bad request"


class NotAuthenticated(TicketdeskError):
    status, title = 401, "Not authenticated"

    def __init__(self, detail: str | None = None) -> None:
        super().__init__(detail, headers={"WWW-Authenticate": "Bearer"})


class Forbidden(TicketdeskError):
    status, title = 403, "Forbidden"


class NotFound(TicketdeskError):
    status, title = 404, "Not found"


class TicketNotFound(NotFound):
    title = "Ticket not found"


class Conflict(TicketdeskError):
    status, title = 409, "Conflict"


class TransitionNotAllowed(Conflict):
    title = "Transition not allowed"


class Gone(TicketdeskError):
    """The thing existed but can no longer be used (a survey whose ticket has closed)."""

    status, title = 410, "Gone"


class VersionConflict(TicketdeskError):
    status, title = 412, "Precondition failed"


class PayloadTooLarge(TicketdeskError):
    status, title = 413, "Payload too large"


class UnsupportedMediaType(TicketdeskError):
    status, title = 415, "Unsupported media type"


class ValidationFailed(TicketdeskError):
    status, title = 422, "Validation failed"

    def __init__(self, detail: str, *, loc: Sequence[str | int] = ("body",)) -> None:
        super().__init__(detail, errors=[{"loc": list(loc), "msg": detail}])


class InvalidParameters(TicketdeskError):
    """Query, path or header parameters refused before the route runs; `errors` names each."""

    status, title = 422, "Validation failed"


class RateLimited(TicketdeskError):
    status, title = 429, "Too many requests"

    def __init__(self, detail: str, *, retry_after: int) -> None:
        super().__init__(detail, headers={"Retry-After": str(max(1, retry_after))})


def problem_response(
    status: int,
    title: str,
    detail: str,
    *,
    errors: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
    extra: dict[str, Any] | None = None,
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": title,
        "status": status,
        "detail": detail,
    }
    if errors is not None:
        body["errors"] = errors
    for name, value in (extra or {}).items():
        body.setdefault(name, value)
    return JSONResponse(body, status_code=status, media_type=PROBLEM_MEDIA_TYPE, headers=headers)


class ProblemError(BaseModel):
    loc: list[str | int]
    msg: str


class Problem(BaseModel):
    """RFC 9457 problem details; some carry extension members (a refused transition's
    `allowed`: the statuses reachable from the ticket's current one, for this caller)."""

    model_config = ConfigDict(extra="allow")

    type: str = "about:blank"
    title: str
    status: int
    detail: str
    errors: list[ProblemError] | None = None


_TITLES = {
    400: "Bad request",
    401: "Not authenticated",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    406: "Not acceptable",
    409: "Conflict",
    410: "Gone",
    412: "Precondition failed",
    413: "Payload too large",
    415: "Unsupported media type",
    422: "Validation failed",
    429: "Too many requests",
}


def problems(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The `responses=` declaration for the problem statuses a route can answer."""
    return {
        status: {
            "model": Problem,
            "description": _TITLES.get(status, "Error"),
            "content": {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}},
        }
        for status in statuses
    }


def _printable(text: str) -> str:
    """Text that encodes as UTF-8: a lone surrogate the client sent is echoed as `\\udc00`."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "backslashreplace").decode("utf-8")
    return text


def _clean_errors(raw: Iterable[Any]) -> list[dict[str, Any]]:
    cleaned = []
    for err in raw:
        loc = [
            part if isinstance(part, int) else _printable(str(part)) for part in err.get("loc", ())
        ]
        cleaned.append({"loc": loc, "msg": _printable(str(err.get("msg", "invalid")))})
    return cleaned


def _allowed_methods(request: Request) -> list[str]:
    """Every method the OpenAPI schema documents for this path (FastAPI keeps one route per
    method, so Starlette's own `Allow` names only the first route it tried)."""
    patterns: list[tuple[re.Pattern[str], int, set[str]]] | None = getattr(
        request.app.state, "allow_patterns", None
    )
    if patterns is None:
        patterns = []
        for template, item in request.app.openapi().get("paths", {}).items():
            regex = "^" + re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(template)) + "$"
            patterns.append((re.compile(regex), template.count("{"), {m.upper() for m in item}))
        request.app.state.allow_patterns = patterns
    matches = [
        (params, allowed) for regex, params, allowed in patterns if regex.match(request.url.path)
    ]
    # the most literal template wins: /tickets/stats, not /tickets/{ticket}
    fewest = min((params for params, _ in matches), default=0)
    methods: set[str] = set()
    for params, allowed in matches:
        if params == fewest:
            methods |= allowed
    return sorted(methods)


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(TicketdeskError)
    async def _ticketdesk_error(_request: Request, exc: TicketdeskError) -> JSONResponse:
        return problem_response(
            exc.status,
            exc.title,
            exc.detail,
            errors=exc.errors,
            headers=exc.headers,
            extra=exc.extra,
        )

    @app.exception_handler(RequestValidationError)
    async def _validation_error(_request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = list(exc.errors())
        if any(e.get("type") == "json_invalid" for e in errors):
            return problem_response(
                400,
                "Malformed JSON",
                "The request body is not valid JSON.",
                errors=_clean_errors(errors),
            )
        return problem_response(
            422,
            "Validation failed",
            "The request is not valid; see errors.",
            errors=_clean_errors(errors),
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        title = _TITLES.get(exc.status_code, "Error")
        detail = exc.detail if isinstance(exc.detail, str) else title
        headers = dict(exc.headers) if exc.headers else {}
        if exc.status_code == 405:
            headers["Allow"] = ", ".join(_allowed_methods(request))
        return problem_response(exc.status_code, title, detail, headers=headers)

    @app.exception_handler(RecursionError)
    async def _too_deep(_request: Request, _exc: RecursionError) -> JSONResponse:
        return problem_response(400, "Malformed JSON", "The request body is nested too deeply.")

    @app.exception_handler(Exception)
    async def _unexpected(_request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error", exc_info=exc)
        return problem_response(500, "Internal server error", "Something went wrong on our side.")
