"""Notification templates: built-in defaults, per-workspace overrides, a sandboxed Jinja2 with
limits.

Templates are validated by rendering them with sample data when saved, so a broken template
is refused with a 422 then, not discovered when mail should go out. Every render runs under a
work budget: loop iterations, calls, filters and every character produced are metered (the
template is compiled with meters around each loop, `~` and output), values are capped in size
before an operation could build a larger one, and recursion is refused, so an admin's nested
loops end in a clear error after a few milliseconds instead of blocking the process.
"""

from __future__ import annotations

import functools
import inspect
import itertools
import re
from collections.abc import Callable, Iterable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, get_args

from jinja2 import StrictUndefined, Template, TemplateError, TemplateSyntaxError, nodes
from jinja2.runtime import Context, Macro, markup_join, str_join
from jinja2.sandbox import ImmutableSandboxedEnvironment
from jinja2.utils import pass_context
from jinja2.visitor import NodeTransformer

from ticketdesk.email.parsing import REPLY_MARKER
from ticketdesk.email.schemas import TemplateKind

# the auto-close kinds are sent by automations' `send_email` action and the auto-close sweep
# (email.send_template)
KINDS: tuple[str, ...] = get_args(TemplateKind)
MAX_RANGE = 1000
MAX_PRODUCT = 100_000
MAX_SUBJECT = 500
MAX_TEXT = 200_000
MAX_VALUE = MAX_TEXT  # characters (or items) of any value a template builds
MAX_WORK = 1_000_000  # budget of one render (all three parts): ~one unit per character made
STEP_COST = 10  # a loop iteration, a call or a filter, besides the characters it makes
MACRO_COST = 100  # a macro call costs Jinja ten times what a loop step does
MAX_NUMBER_BITS = 256


class TemplateBroken(ValueError):
    def __init__(self, part: str, message: str) -> None:
        super().__init__(message)
        self.part = part
        self.message = message


class TemplateLimit(TemplateError):
    """The template does more work, or builds larger values, than a notification may."""


class _Budget:
    __slots__ = ("left",)

    def __init__(self, work: int) -> None:
        self.left = work

    def charge(self, units: int) -> None:
        self.left -= units
        if self.left < 0:
            raise TemplateLimit(
                f"it does too much work (more than {MAX_WORK // STEP_COST} loop iterations, "
                f"calls or filters, or {MAX_WORK} characters); simplify its loops"
            )


_BUDGET: ContextVar[_Budget | None] = ContextVar("ticketdesk_template_budget", default=None)


def _charge(units: int) -> None:
    budget = _BUDGET.get()
    if budget is not None:  # None: the compiler folding a constant, not a render
        budget.charge(units)


def _size(value: Any) -> int:
    return len(value) if isinstance(value, str | list | tuple | dict) else 0


def _refuse_large(size: int, what: str = "value") -> None:
    if size > MAX_VALUE:
        raise TemplateLimit(f"it builds a {what} larger than {MAX_VALUE} characters or items")


def _charge_result(value: Any) -> Any:
    size = _size(value)
    _refuse_large(size)
    _charge(STEP_COST + size)
    return value


def _text_size(value: Any) -> int:
    return len(value) if isinstance(value, str) else len(str(value))


def _check_arguments(args: Iterable[Any], kwargs: dict[str, Any]) -> None:
    """Widths, counts and repeats are where a short template asks for a huge value."""
    for value in itertools.chain(args, kwargs.values()):
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_VALUE:
            raise TemplateLimit(f"numbers above {MAX_VALUE} are not allowed as arguments")


def _bounded_items(values: Any) -> list[Any]:
    items = list(itertools.islice(iter(values), MAX_VALUE + 1))
    _refuse_large(len(items), "list")
    _charge(len(items))
    return items


def _largest_number(text: str) -> int:
    numbers = re.findall(r"\d+", text)
    if any(len(number) > 6 for number in numbers):
        raise TemplateLimit(f"format widths above {MAX_VALUE} are not allowed")
    return max((int(number) for number in numbers), default=0)


def _formatted_size(fmt: str, markers: str, values: Iterable[Any]) -> int:
    """An upper bound of `fmt` formatted: each marker expands to at most the largest value or
    the largest width in the format."""
    widest = max((_text_size(v) for v in values), default=0)
    return len(fmt) + fmt.count(markers) * max(widest, _largest_number(fmt))


def _formatting_values(args: tuple[Any, ...], kwargs: dict[str, Any]) -> list[Any]:
    values = list(args) + list(kwargs.values())
    flat: list[Any] = []
    for value in values:
        if isinstance(value, dict):
            flat.extend(value.values())
        elif isinstance(value, list | tuple):
            flat.extend(value)
        else:
            flat.append(value)
    return flat


def _replaced_size(text: str, old: Any, new: Any, count: Any) -> int:
    old, new = str(old), str(new)
    hits = text.count(old) if old else len(text) + 1
    if isinstance(count, int) and count >= 0:
        hits = min(hits, count)
    return len(text) + hits * max(0, len(new) - len(old))


def _string_method_size(text: str, name: str, args: tuple[Any, ...], kw: dict[str, Any]) -> int:
    """An upper bound of what `text.<name>(...)` makes, for the methods that can make much
    more than they are given (0: no more than its inputs)."""
    if name == "translate":
        raise TemplateLimit("str.translate is not allowed in templates")
    if name == "join" and args:
        items = _bounded_items(args[0])
        return sum(_text_size(i) for i in items) + len(text) * len(items)
    if name == "replace" and len(args) >= 2:
        return _replaced_size(text, args[0], args[1], args[2] if len(args) > 2 else -1)
    if name in ("center", "ljust", "rjust", "zfill") and args and isinstance(args[0], int):
        return max(len(text), args[0])
    if name == "expandtabs":
        tab = args[0] if args and isinstance(args[0], int) else kw.get("tabsize", 8)
        return len(text) + text.count("\t") * (tab if isinstance(tab, int) else 8)
    if name in ("format", "format_map"):
        return _formatted_size(text, "{", _formatting_values(args, kw))
    return 0


def _metered_filter(name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
    """A built-in filter, metered and size-checked (its pass_context/… marker is kept)."""
    signature = inspect.signature(fn)

    @functools.wraps(fn)
    def filtered(*args: Any, **kwargs: Any) -> Any:
        _check_arguments(args, kwargs)
        checks = _FILTER_SIZES.get(name)
        if checks is not None:
            try:
                bound = signature.bind(*args, **kwargs)
            except TypeError:
                pass  # the filter itself says what is wrong with the arguments
            else:
                bound.apply_defaults()
                if name == "join":
                    bound.arguments["value"] = _bounded_items(bound.arguments["value"])
                _refuse_large(checks(bound.arguments))
                args, kwargs = bound.args, bound.kwargs
        return _charge_result(fn(*args, **kwargs))

    return filtered


def _wrapped_lines(a: dict[str, Any]) -> int:
    text, width, wrap = str(a["s"]), a["width"], a["wrapstring"]
    lines = len(text) // max(1, width if isinstance(width, int) else 1) + text.count("\n") + 1
    return len(text) + lines * len(str(wrap or "\n"))


def _sum_start(a: dict[str, Any]) -> int:
    if not isinstance(a["start"], int | float):
        raise TemplateLimit("sum() adds numbers only in templates")
    return 0


_FILTER_SIZES: dict[str, Callable[[dict[str, Any]], int]] = {
    "join": lambda a: sum(_text_size(i) for i in a["value"]) + len(str(a["d"])) * len(a["value"]),
    "replace": lambda a: _replaced_size(str(a["s"]), a["old"], a["new"], a["count"]),
    "center": lambda a: max(
        _text_size(a["value"]), a["width"] if isinstance(a["width"], int) else 0
    ),
    "indent": lambda a: (
        _text_size(a["s"])
        + (str(a["s"]).count("\n") + 1)
        * (a["width"] if isinstance(a["width"], int) else len(str(a["width"])))
    ),
    "format": lambda a: _formatted_size(
        str(a["value"]), "%", _formatting_values(a["args"], a["kwargs"])
    ),
    "wordwrap": _wrapped_lines,
    "sum": _sum_start,
}


class _Sandbox(ImmutableSandboxedEnvironment):
    """No attribute escapes and no mutation (the sandbox), and every operation metered."""

    intercepted_binops = frozenset({"*", "**", "+", "%"})

    def call_binop(self, context: Context, operator_name: str, left: Any, right: Any) -> Any:
        if operator_name == "**":
            raise TemplateError("the ** operator is not allowed in templates")
        sequence = (str, list, tuple)
        if operator_name == "*":
            if isinstance(left, sequence) or isinstance(right, sequence):
                size = len(left) if isinstance(left, sequence) else len(right)
                times = right if isinstance(left, sequence) else left
                if isinstance(times, int) and size * times > MAX_PRODUCT:
                    raise TemplateError("that repetition makes too large a value")
            elif isinstance(left, int) and isinstance(right, int):
                if left.bit_length() + right.bit_length() > MAX_NUMBER_BITS:
                    raise TemplateLimit("that multiplication makes too large a number")
        elif operator_name == "+" and isinstance(left, sequence) and isinstance(right, sequence):
            _refuse_large(len(left) + len(right))
        elif operator_name == "%" and isinstance(left, str):
            values = right if isinstance(right, tuple | list | dict) else (right,)
            _refuse_large(_formatted_size(left, "%", _formatting_values(tuple(values), {})))
        return _charge_result(self.binop_table[operator_name](left, right))

    def call(self, context: Context, obj: Any, /, *args: Any, **kwargs: Any) -> Any:
        _check_arguments(args, kwargs)
        owner = getattr(getattr(obj, "__wrapped__", obj), "__self__", None)
        if isinstance(owner, str):
            name = getattr(obj, "__name__", "")
            _refuse_large(_string_method_size(owner, name, args, kwargs))
            if name == "join" and args:
                args = (_bounded_items(args[0]), *args[1:])
        elif isinstance(obj, Macro):
            _charge(MACRO_COST)
        return _charge_result(super().call(context, obj, *args, **kwargs))


def _bounded_range(*args: int) -> range:
    result = range(*args)
    if len(result) > MAX_RANGE:
        raise TemplateError(f"range() is limited to {MAX_RANGE} items in templates")
    return result


@pass_context
def _meter_loop(context: Context, iterable: Any) -> Iterator[Any]:
    """Every loop's iterable goes through this: each item costs a step."""
    for item in iterable:
        _charge(STEP_COST)
        yield item


@pass_context
def _meter_concat(context: Context, values: list[Any]) -> str:
    """`a ~ b ~ …`, refused before it is built when it would be too large."""
    _refuse_large(sum(_text_size(value) for value in values))
    joined: str = (markup_join if context.eval_ctx.autoescape else str_join)(values)
    _charge(STEP_COST + len(joined))
    return joined


@pass_context
def _meter_output(context: Context, value: Any) -> Any:
    """Everything a template writes (to the mail, a `set` block or a macro) is counted."""
    _charge(_text_size(value))
    return value


def _metered(child: nodes.Node, name: str) -> nodes.Filter:
    return nodes.Filter(child, name, [], [], None, None, lineno=child.lineno)


class _Meters(NodeTransformer):
    """Puts the meters into a parsed template: around every loop's iterable, every `~`, and
    every piece of output."""

    def visit_For(self, node: nodes.For) -> nodes.Node:
        self.generic_visit(node)
        if node.recursive:
            raise TemplateSyntaxError("recursive loops are not allowed in templates", node.lineno)
        node.iter = _metered(node.iter, "_meter_loop")
        return node

    def visit_Concat(self, node: nodes.Concat) -> nodes.Node:
        self.generic_visit(node)
        return _metered(nodes.List(node.nodes, lineno=node.lineno), "_meter_concat")

    def visit_Output(self, node: nodes.Output) -> nodes.Node:
        self.generic_visit(node)
        node.nodes = [_metered(child, "_meter_output") for child in node.nodes]
        return node


def _environment(autoescape: bool) -> _Sandbox:
    env = _Sandbox(undefined=StrictUndefined, autoescape=autoescape, keep_trailing_newline=False)
    env.globals.pop("lipsum", None)
    env.globals["range"] = _bounded_range
    env.filters = {name: _metered_filter(name, fn) for name, fn in env.filters.items()}
    env.filters.update(
        _meter_loop=_meter_loop, _meter_concat=_meter_concat, _meter_output=_meter_output
    )
    return env


_TEXT_ENV = _environment(False)
_HTML_ENV = _environment(True)


@lru_cache(maxsize=512)
def _compiled(html: bool, template: str) -> Template:
    """Compiling is most of a render's cost; the same few sources are rendered again and again
    (a workspace's templates change rarely, and a changed one is simply a new key)."""
    env = _HTML_ENV if html else _TEXT_ENV
    tree = env.parse(template)
    _Meters().visit(tree)
    tree.set_environment(env)
    return env.from_string(tree)


@dataclass(frozen=True)
class TemplateSource:
    subject: str
    text: str
    html: str


_HTML_FRAME = """<!doctype html>
<html><body style="font-family: -apple-system, Segoe UI, Helvetica, Arial, sans-serif; \
color: #1f2937; line-height: 1.5;">
<p style="color: #9ca3af; font-size: 12px;">{{ reply_marker }}</p>
<div style="border-top: 4px solid {{ brand.color }}; padding: 16px 0;">
<h2 style="color: {{ brand.color }}; margin: 0 0 12px;">{{ brand.name }}</h2>
%s
<p style="white-space: pre-line; color: #6b7280;">{{ brand.signature }}</p>
<p style="color: #9ca3af; font-size: 12px;">Ticket {{ ticket.key }} · {{ ticket.subject }}</p>
</div>
</body></html>"""

_TEXT_FOOTER = "\n\n{{ brand.signature }}\n\n--\nTicket {{ ticket.key }}: {{ ticket.subject }}\n"

DEFAULTS: dict[str, TemplateSource] = {
    "ticket_opened": TemplateSource(
        subject="[{{ ticket.key }}] {{ ticket.subject }}",
        text="{{ reply_marker }}\n\nHello {{ requester.name or 'there' }},\n\n"
        "We have received your request and opened ticket {{ ticket.key }}. "
        "Reply to this email to add anything." + _TEXT_FOOTER,
        html=_HTML_FRAME
        % (
            "<p>Hello {{ requester.name or 'there' }},</p>"
            "<p>We have received your request and opened ticket <strong>{{ ticket.key }}"
            "</strong>. Reply to this email to add anything.</p>"
        ),
    ),
    "agent_reply": TemplateSource(
        subject="[{{ ticket.key }}] Re: {{ ticket.subject }}",
        text="{{ reply_marker }}\n\n{{ comment.author }} replied:\n\n{{ comment.body }}"
        + _TEXT_FOOTER,
        html=_HTML_FRAME
        % (
            "<p><strong>{{ comment.author }}</strong> replied:</p>"
            '<div style="white-space: pre-wrap;">{{ comment.body }}</div>'
        ),
    ),
    "status_changed": TemplateSource(
        subject="[{{ ticket.key }}] {{ ticket.subject }} is now {{ change.to_label }}",
        text="{{ reply_marker }}\n\nHello {{ requester.name or 'there' }},\n\n"
        "Your ticket {{ ticket.key }} changed from {{ change.from_label }} to "
        "{{ change.to_label }}." + _TEXT_FOOTER,
        html=_HTML_FRAME
        % (
            "<p>Hello {{ requester.name or 'there' }},</p>"
            "<p>Your ticket <strong>{{ ticket.key }}</strong> changed from "
            "{{ change.from_label }} to <strong>{{ change.to_label }}</strong>.</p>"
        ),
    ),
    "auto_close_reminder": TemplateSource(
        subject="[{{ ticket.key }}] Waiting for your reply: {{ ticket.subject }}",
        text="{{ reply_marker }}\n\nHello {{ requester.name or 'there' }},\n\n"
        "{{ comment.body or 'We are waiting for your reply on this ticket.' }}\n\n"
        "Reply to this email to keep it open." + _TEXT_FOOTER,
        html=_HTML_FRAME
        % (
            "<p>Hello {{ requester.name or 'there' }},</p>"
            '<div style="white-space: pre-wrap;">'
            "{{ comment.body or 'We are waiting for your reply on this ticket.' }}</div>"
            "<p>Reply to this email to keep it open.</p>"
        ),
    ),
    "auto_close_closed": TemplateSource(
        subject="[{{ ticket.key }}] Closed: {{ ticket.subject }}",
        text="{{ reply_marker }}\n\nHello {{ requester.name or 'there' }},\n\n"
        "{{ comment.body or 'We closed this ticket after hearing nothing back.' }}\n\n"
        "Write to us again any time." + _TEXT_FOOTER,
        html=_HTML_FRAME
        % (
            "<p>Hello {{ requester.name or 'there' }},</p>"
            '<div style="white-space: pre-wrap;">'
            "{{ comment.body or 'We closed this ticket after hearing nothing back.' }}</div>"
            "<p>Write to us again any time.</p>"
        ),
    ),
    "ticket_resolved": TemplateSource(
        subject="[{{ ticket.key }}] Resolved: {{ ticket.subject }}",
        text="{{ reply_marker }}\n\nHello {{ requester.name or 'there' }},\n\n"
        "We have marked ticket {{ ticket.key }} as resolved. "
        "If anything is still wrong, just reply and it reopens." + _TEXT_FOOTER,
        html=_HTML_FRAME
        % (
            "<p>Hello {{ requester.name or 'there' }},</p>"
            "<p>We have marked ticket <strong>{{ ticket.key }}</strong> as resolved. "
            "If anything is still wrong, just reply and it reopens.</p>"
        ),
    ),
}


_TEAM_FROM = (
    "{{ requester.name or requester.email or 'no requester' }}"
    "{% if requester.name and requester.email %} <{{ requester.email }}>{% endif %}"
)
_TEAM_HTML_FRAME = """<!doctype html>
<html><body style="font-family: -apple-system, Segoe UI, Helvetica, Arial, sans-serif; \
color: #1f2937; line-height: 1.5;">
<div style="border-top: 4px solid {{ brand.color }}; padding: 16px 0;">
<h2 style="margin: 0 0 12px;">New ticket {{ ticket.key }}: {{ ticket.subject }}</h2>
<p style="color: #6b7280;">From %s · {{ ticket.channel }} · {{ ticket.priority }}</p>
<div style="white-space: pre-wrap;">{{ ticket.description|truncate(2000) }}</div>
<p><a href="{{ ticket.url }}">Open {{ ticket.key }}</a></p>
</div>
</body></html>"""

DEFAULTS["team_new_ticket"] = TemplateSource(
    subject="[{{ ticket.key }}] New ticket: {{ ticket.subject }}",
    text="New ticket {{ ticket.key }}: {{ ticket.subject }}\n\n"
    f"From: {_TEAM_FROM}\n"
    "Channel: {{ ticket.channel }} · Priority: {{ ticket.priority }}\n\n"
    "{{ ticket.description|truncate(2000) }}\n\n"
    "Open it: {{ ticket.url }}\n",
    html=_TEAM_HTML_FRAME % _TEAM_FROM,
)


_MARKER_LINE = '<p style="color: #9ca3af; font-size: 12px;">{{ reply_marker }}</p>\n'
# the satisfaction survey (the csat room): `survey.url` is the requester's own page, where
# they answer (and may change their answer until the ticket closes); `survey.good_url` and
# `survey.bad_url` open it with that answer chosen (nothing is saved before they submit)
DEFAULTS["csat_survey"] = TemplateSource(
    subject="[{{ ticket.key }}] How did we do? {{ ticket.subject }}",
    text="Hello {{ requester.name or 'there' }},\n\n"
    "We recently solved your ticket {{ ticket.key }}: {{ ticket.subject }}.\n"
    "How would you rate the support you received? It takes a few seconds:\n\n"
    "{{ survey.url }}\n\n"
    "Thank you for helping us get better." + _TEXT_FOOTER,
    html=_HTML_FRAME.replace(
        '<p style="color: #9ca3af; font-size: 12px;">{{ reply_marker }}</p>\n', ""
    )
    % (
        "<p>Hello {{ requester.name or 'there' }},</p>"
        "<p>We recently solved your ticket <strong>{{ ticket.key }}</strong>. "
        "How would you rate the support you received?</p>"
        '<p><a href="{{ survey.good_url }}" style="display: inline-block; padding: 10px 18px; '
        "margin-right: 8px; border-radius: 6px; background: #16a34a; color: #ffffff; "
        "text-decoration: none;\">Good, I'm satisfied</a>"
        '<a href="{{ survey.bad_url }}" style="display: inline-block; padding: 10px 18px; '
        'border-radius: 6px; background: #dc2626; color: #ffffff; text-decoration: none;">'
        "Bad, I'm unsatisfied</a></p>"
        '<p style="color: #6b7280;">Or open <a href="{{ survey.url }}">the survey</a>.</p>'
    ),
)


def sample_context() -> dict[str, Any]:
    """Every variable a template may use, with plausible values (for validation and previews)."""
    return {
        "ticket": {
            "key": "TKT-42",
            "number": 42,
            "subject": "My order has not arrived",
            "description": "I ordered a kettle two weeks ago and it has not arrived yet.",
            "status": "waiting",
            "status_label": "Waiting",
            "priority": "normal",
            "channel": "email",
            "url": "https://desk.example.com/tickets/TKT-42",
        },
        "requester": {"name": "Ada Lovelace", "email": "ada@example.com"},
        "brand": {"name": "Acme Support", "color": "#2563eb", "signature": "The Acme team"},
        "workspace": {"name": "Acme"},
        "comment": {"body": "We have shipped a replacement.", "author": "Bob"},
        "change": {
            "from": "open",
            "to": "waiting",
            "from_label": "Open",
            "to_label": "Waiting",
        },
        "reply_marker": REPLY_MARKER,
        "survey": {
            "url": "https://desk.example.com/survey/sample-token",
            "good_url": "https://desk.example.com/survey/sample-token?rating=good",
            "bad_url": "https://desk.example.com/survey/sample-token?rating=bad",
        },
    }


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str


def _render_part(part: str, html: bool, source: str, context: dict[str, Any]) -> str:
    try:
        template = _compiled(html, source)
    except TemplateError as exc:  # a syntax error, or a construct templates may not use
        message = getattr(exc, "message", None) or str(exc)
        raise TemplateBroken(part, f"The {part} template does not render: {message}") from exc
    except Exception as exc:  # e.g. nesting too deep for the compiler
        raise TemplateBroken(
            part, f"The {part} template cannot be compiled ({type(exc).__name__})."
        ) from exc
    try:
        rendered = template.render(context)
    except TemplateLimit as exc:
        raise TemplateBroken(part, f"The {part} template exceeds the limits: {exc}.") from exc
    except TemplateError as exc:
        raise TemplateBroken(part, f"The {part} template does not render: {exc}") from exc
    except RecursionError as exc:
        raise TemplateBroken(part, f"The {part} template recurses too deeply.") from exc
    except Exception as exc:  # the admin's code failing on data: TypeError, ZeroDivision, …
        raise TemplateBroken(part, f"The {part} template fails: {exc}") from exc
    if len(rendered) > MAX_TEXT:
        raise TemplateBroken(part, f"The {part} renders longer than {MAX_TEXT} characters.")
    return rendered


def render(source: TemplateSource, context: dict[str, Any]) -> Rendered:
    """Render all three parts under one work budget; raises TemplateBroken naming the part
    that failed. CPU-bound but bounded: async callers run it with offload.run_off_loop."""
    token = _BUDGET.set(_Budget(MAX_WORK))
    try:
        parts = {
            part: _render_part(part, html, template, context)
            for part, html, template in (
                ("subject", False, source.subject),
                ("text", False, source.text),
                ("html", True, source.html),
            )
        }
    finally:
        _BUDGET.reset(token)
    subject = " ".join(parts["subject"].split())
    if not subject:
        raise TemplateBroken("subject", "The subject renders empty.")
    return Rendered(subject=subject[:MAX_SUBJECT], text=parts["text"], html=parts["html"])


def validate(source: TemplateSource) -> Rendered:
    return render(source, sample_context())
