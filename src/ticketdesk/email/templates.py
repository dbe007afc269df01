"""Notification templates: built-in defaults, per-workspace overrides, a sandboxed Jinja2.

Templates are validated by rendering them with sample data when saved, so a broken template
is refused with a 422 then, not discovered when mail should go out.
"""

from __future__ import annotations

import operator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, get_args

from jinja2 import StrictUndefined, Template, TemplateError
from jinja2.sandbox import SandboxedEnvironment

from ticketdesk.email.parsing import REPLY_MARKER
from ticketdesk.email.schemas import TemplateKind

# the auto-close kinds are sent by automations' `send_email` action and the auto-close sweep
# (email.send_template)
KINDS: tuple[str, ...] = get_args(TemplateKind)
MAX_RANGE = 1000
MAX_PRODUCT = 100_000
MAX_SUBJECT = 500
MAX_TEXT = 200_000


class TemplateBroken(ValueError):
    def __init__(self, part: str, message: str) -> None:
        super().__init__(message)
        self.part = part
        self.message = message


class _Sandbox(SandboxedEnvironment):
    """No attribute escapes (the sandbox), and no cheap ways to burn CPU or memory."""

    intercepted_binops = frozenset({"*", "**"})

    def call_binop(self, context: Any, operator_name: str, left: Any, right: Any) -> Any:
        if operator_name == "**":
            raise TemplateError("the ** operator is not allowed in templates")
        if isinstance(left, str | list) or isinstance(right, str | list):
            size = len(left) if isinstance(left, str | list) else len(right)
            times = right if isinstance(left, str | list) else left
            if isinstance(times, int) and size * times > MAX_PRODUCT:
                raise TemplateError("that repetition makes too large a value")
        return operator.mul(left, right)


def _bounded_range(*args: int) -> range:
    result = range(*args)
    if len(result) > MAX_RANGE:
        raise TemplateError(f"range() is limited to {MAX_RANGE} items in templates")
    return result


def _environment(autoescape: bool) -> SandboxedEnvironment:
    env = _Sandbox(undefined=StrictUndefined, autoescape=autoescape, keep_trailing_newline=False)
    env.globals["range"] = _bounded_range
    return env


_TEXT_ENV = _environment(False)
_HTML_ENV = _environment(True)


@lru_cache(maxsize=512)
def _compiled(html: bool, template: str) -> Template:
    """Compiling is most of a render's cost; the same few sources are rendered again and again
    (a workspace's templates change rarely, and a changed one is simply a new key)."""
    return (_HTML_ENV if html else _TEXT_ENV).from_string(template)


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


def sample_context() -> dict[str, Any]:
    """Every variable a template may use, with plausible values (for validation and previews)."""
    return {
        "ticket": {
            "key": "TKT-42",
            "number": 42,
            "subject": "My order has not arrived",
            "status": "waiting",
            "status_label": "Waiting",
            "priority": "normal",
            "channel": "email",
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
    }


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str


def render(source: TemplateSource, context: dict[str, Any]) -> Rendered:
    """Render all three parts; raises TemplateBroken naming the part that failed."""
    parts: dict[str, str] = {}
    for part, html, template in (
        ("subject", False, source.subject),
        ("text", False, source.text),
        ("html", True, source.html),
    ):
        try:
            parts[part] = _compiled(html, template).render(context)
        except TemplateError as exc:
            raise TemplateBroken(part, f"The {part} template does not render: {exc}") from exc
        except (TypeError, ValueError, ArithmeticError, LookupError, AttributeError) as exc:
            raise TemplateBroken(part, f"The {part} template fails: {exc}") from exc
        if len(parts[part]) > MAX_TEXT:
            raise TemplateBroken(part, f"The {part} renders longer than {MAX_TEXT} characters.")
    subject = " ".join(parts["subject"].split())
    if not subject:
        raise TemplateBroken("subject", "The subject renders empty.")
    return Rendered(subject=subject[:MAX_SUBJECT], text=parts["text"], html=parts["html"])


def validate(source: TemplateSource) -> None:
    render(source, sample_context())
