"""A macro's reply: placeholders checked when it is saved, rendered when it is used, by the
sandboxed template engine of the email templates (its limits apply here too)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from jinja2 import Environment, TemplateSyntaxError, nodes
from jinja2.meta import find_undeclared_variables

from ticketdesk.email.templates import TemplateBroken, TemplateSource, render

# What a reply may name: a dict's keys are the names under it; None is a value (what follows
# it is checked when rendering); ANY is an open mapping (a ticket's custom fields).
ANY = "any"
_PERSON: dict[str, Any] = {"name": None, "first_name": None, "email": None}
PLACEHOLDERS: dict[str, Any] = {
    "ticket": {
        "key": None,
        "number": None,
        "subject": None,
        "description": None,
        "status": None,
        "status_label": None,
        "status_category": None,
        "priority": None,
        "type": None,
        "category": None,
        "channel": None,
        "labels": None,
        "custom_fields": ANY,
        "requester": _PERSON,
        "assignee": _PERSON,
        "team": {"name": None},
    },
    "requester": _PERSON,
    "agent": _PERSON,
    "workspace": {"name": None},
}

_PARSER = Environment()  # parsing only: rendering goes through email.templates' sandbox
_GLOBALS = frozenset(_PARSER.globals)


class PlaceholderError(ValueError):
    """The reply does not parse, names something a ticket does not have, or fails to render."""


class _Fields(dict[str, Any]):
    """A ticket's custom fields: a key the ticket has no value for renders empty."""

    def __missing__(self, key: str) -> str:
        return ""


def _path(node: nodes.Node) -> tuple[str | None, list[str]]:
    """The root name and the static attribute path of `a.b["c"]`; a dynamic key ends it."""
    segments: list[str] = []
    while isinstance(node, nodes.Getattr | nodes.Getitem):
        if isinstance(node, nodes.Getattr):
            segments.append(node.attr)
        elif isinstance(node.arg, nodes.Const) and isinstance(node.arg.value, str):
            segments.append(node.arg.value)
        else:
            segments.clear()  # `x[expr]`: nothing after it can be checked before rendering
        node = node.node
    if not isinstance(node, nodes.Name):
        return None, []
    return node.name, segments[::-1]


def _unknown(path: list[str]) -> str | None:
    """The first part of `path` that is not a placeholder, spelled out, or None."""
    level: Any = PLACEHOLDERS
    for depth, part in enumerate(path):
        if not isinstance(level, dict):
            return None  # past a value or into the custom fields: checked by rendering
        if part not in level:
            return ".".join(path[: depth + 1])
        level = level[part]
    return None


def check_placeholders(body: str) -> None:
    """Raise PlaceholderError for a reply that does not parse or names an unknown placeholder,
    even in a branch the sample ticket would not take; then render it for a sample ticket."""
    try:
        tree = _PARSER.parse(body)
        names = find_undeclared_variables(tree) - _GLOBALS
        paths = [_path(node) for node in tree.find_all((nodes.Getattr, nodes.Getitem))]
    except TemplateSyntaxError as exc:
        raise PlaceholderError(f"The reply is not a valid template: {exc.message}") from exc
    except RecursionError as exc:
        raise PlaceholderError("The reply nests too deeply to be a template.") from exc
    unknown = sorted(names - set(PLACEHOLDERS))
    if unknown:
        raise PlaceholderError(_unknown_message(unknown[0]))
    for root, path in paths:
        if root in names:
            wrong = _unknown([root, *path])
            if wrong is not None:
                raise PlaceholderError(_unknown_message(wrong))
    render_reply(body, sample_context())


def _unknown_message(name: str) -> str:
    known = ", ".join(sorted(PLACEHOLDERS))
    return f"Unknown placeholder `{{{{ {name} }}}}`; placeholders start with one of: {known}."


def render_reply(body: str, context: Mapping[str, Any]) -> str:
    """The reply for one ticket; raises PlaceholderError when it does not render."""
    source = TemplateSource(subject="macro", text=body, html="")
    try:
        return render(source, dict(context)).text
    except TemplateBroken as exc:
        message = exc.message.replace("The text template", "The reply", 1)
        raise PlaceholderError(message) from exc


def person(name: str | None, email: str | None) -> dict[str, str]:
    """A person as a reply names them; nobody renders as empty text."""
    full = (name or "").strip()
    return {"name": full, "first_name": full.split()[0] if full else "", "email": email or ""}


def custom_fields(values: Mapping[str, Any]) -> dict[str, Any]:
    return _Fields({key: "" if value is None else value for key, value in values.items()})


def sample_context() -> dict[str, Any]:
    """Plausible values for every placeholder (to check a reply when it is saved)."""
    requester = person("Ada Lovelace", "ada@example.com")
    return {
        "ticket": {
            "key": "TKT-42",
            "number": 42,
            "subject": "My order has not arrived",
            "description": "I ordered a lamp two weeks ago.",
            "status": "open",
            "status_label": "Open",
            "status_category": "open",
            "priority": "normal",
            "type": "question",
            "category": "shipping",
            "channel": "email",
            "labels": ["shipping"],
            "custom_fields": custom_fields({"order_id": "78932"}),
            "requester": requester,
            "assignee": person("Bob Agent", "bob@example.com"),
            "team": {"name": "Support"},
        },
        "requester": requester,
        "agent": person("Bob Agent", "bob@example.com"),
        "workspace": {"name": "Acme"},
    }
