"""The URL and header guard every route runs first: unknown query parameters and text the
database cannot store are a 422 naming them.

Each route's declared parameters (its own and its dependencies', e.g. the ticket filters) are
read from FastAPI's dependant once, on the route's first request, and kept on the route. A
request then costs a dictionary lookup when its query string is empty, and a set lookup per
parameter otherwise. A route that declares no query parameter (the SPA, downloads) ignores the
query string, as links with tracking parameters expect.

Only NUL needs looking for in URLs and headers: percent-decoding replaces invalid UTF-8 (a lone
surrogate included) with U+FFFD, and header values are Latin-1.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from fastapi.dependencies.models import Dependant
from fastapi.dependencies.utils import get_flat_params
from fastapi.params import Header, Path, Query
from fastapi.routing import APIRoute
from starlette.requests import HTTPConnection

from ticketdesk.errors import InvalidParameters

_SPEC_ATTRIBUTE = "_ticketdesk_parameters"
_UNSTORABLE = "must not contain NUL (%00): no database stores it"


_PREFIXES_ATTRIBUTE = "_ticketdesk_query_prefixes"
F = TypeVar("F", bound=Callable[..., Any])


def accepts_query_prefix(*prefixes: str) -> Callable[[F], F]:
    """Mark a dependency that reads query parameters by name prefix from the request itself
    (the ticket filters' `cf.<key>`): routes using it accept those names too."""

    def mark(func: F) -> F:
        setattr(func, _PREFIXES_ATTRIBUTE, tuple(prefixes))
        return func

    return mark


@dataclass(frozen=True)
class RouteParameters:
    query: frozenset[str]
    path: tuple[str, ...]
    headers: tuple[str, ...]
    query_prefixes: tuple[str, ...] = ()

    def takes(self, name: str) -> bool:
        return name in self.query or name.startswith(self.query_prefixes)


def _prefixes(dependant: Dependant) -> set[str]:
    found = set(getattr(dependant.call, _PREFIXES_ATTRIBUTE, ()))
    for sub in dependant.dependencies:
        found |= _prefixes(sub)
    return found


def route_parameters(route: APIRoute) -> RouteParameters:
    """The names a route declares, by where they come from (aliases as sent on the wire)."""
    query: set[str] = set()
    path: list[str] = []
    headers: list[str] = []
    for param in get_flat_params(route.dependant):
        info = param.field_info
        if isinstance(info, Query):
            query.add(param.alias)
        elif isinstance(info, Path):
            path.append(param.alias)
        elif isinstance(info, Header):
            headers.append(param.alias.replace("_", "-").lower())
    prefixes = tuple(sorted(_prefixes(route.dependant)))
    return RouteParameters(frozenset(query), tuple(path), tuple(headers), prefixes)


def _spec(route: Any) -> RouteParameters | None:
    spec: RouteParameters | None = getattr(route, _SPEC_ATTRIBUTE, None)
    if spec is None and isinstance(route, APIRoute):
        spec = route_parameters(route)
        setattr(route, _SPEC_ATTRIBUTE, spec)
    return spec


async def check_parameters(request: HTTPConnection) -> None:
    """Refuse unknown query parameters, and NUL in query, path and declared header values.

    Takes the connection, not a Request, so that it runs for WebSocket routes too."""
    spec = _spec(request.scope.get("route"))
    if spec is None:
        return
    errors: list[dict[str, Any]] = []
    query_string: bytes = request.scope.get("query_string", b"")
    if query_string and spec.query:
        unknown = sorted({name for name in request.query_params if not spec.takes(name)})
        if unknown:
            allowed = ", ".join(sorted(spec.query) + [f"{p}*" for p in spec.query_prefixes])
            errors += [
                {
                    "loc": ["query", name],
                    "msg": f"unknown parameter; this operation takes {allowed}",
                }
                for name in unknown
            ]
    if b"%00" in query_string or b"\x00" in query_string:
        errors += [
            {"loc": ["query", name], "msg": _UNSTORABLE}
            for name, value in request.query_params.multi_items()
            if "\x00" in value or "\x00" in name
        ]
    if "\x00" in request.scope.get("path", ""):
        errors += [
            {"loc": ["path", name], "msg": _UNSTORABLE}
            for name in spec.path
            if "\x00" in str(request.path_params.get(name, ""))
        ]
    for name in spec.headers:
        if "\x00" in request.headers.get(name, ""):
            errors.append({"loc": ["header", name], "msg": _UNSTORABLE})
    if errors:
        names = ", ".join(f"`{error['loc'][1]}`" for error in errors)
        raise InvalidParameters(f"Invalid parameters: {names}; see errors.", errors=errors)
