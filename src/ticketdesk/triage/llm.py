"""The optional language model: an OpenAI-compatible `/v1/chat/completions` endpoint, asked
for a ticket summary or a reply draft grounded in the ticket, its conversation and similar
solved tickets. Nothing is sent anywhere unless TICKETDESK_LLM_URL is set."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

from ticketdesk.config import Settings
from ticketdesk.errors import BadGateway, Conflict, GatewayTimeout

MAX_ANSWER_CHARS = 20_000


class LlmNotConfigured(Conflict):
    title = "Language model not configured"

    def __init__(self) -> None:
        super().__init__(
            "No language model is configured: set TICKETDESK_LLM_URL and TICKETDESK_LLM_MODEL.",
            extra={"code": "llm_not_configured"},
        )


@dataclass(frozen=True)
class LlmEndpoint:
    url: str
    model: str
    api_key: str | None
    timeout_seconds: float


def is_configured(settings: Settings) -> bool:
    return bool(settings.llm_url and settings.llm_model)


def endpoint(settings: Settings) -> LlmEndpoint:
    if not settings.llm_url or not settings.llm_model:
        raise LlmNotConfigured()
    return LlmEndpoint(
        settings.llm_url.rstrip("/"),
        settings.llm_model,
        settings.llm_api_key,
        settings.llm_timeout_seconds,
    )


def completions_url(base: str) -> str:
    """`…/v1/chat/completions`, whether the setting names the host, `/v1` or the full path."""
    if base.endswith("/chat/completions"):
        return base
    if base.endswith("/v1"):
        return f"{base}/chat/completions"
    return f"{base}/v1/chat/completions"


async def complete(target: LlmEndpoint, messages: list[dict[str, str]]) -> str:
    """The model's answer; 504 when it is too slow, 502 when it fails or answers nonsense."""
    headers = {"Authorization": f"Bearer {target.api_key}"} if target.api_key else {}
    body = {"model": target.model, "messages": messages, "temperature": 0.2}
    try:
        async with httpx.AsyncClient(timeout=target.timeout_seconds) as client:
            response = await client.post(completions_url(target.url), json=body, headers=headers)
    except httpx.TimeoutException as exc:
        raise GatewayTimeout(
            f"The language model did not answer within {target.timeout_seconds:g} s."
        ) from exc
    except httpx.HTTPError as exc:
        raise BadGateway(
            f"The language model could not be reached ({type(exc).__name__})."
        ) from exc
    if response.status_code >= 400:
        raise BadGateway(f"The language model answered HTTP {response.status_code}.")
    try:
        payload: Any = response.json()
        text = payload["choices"][0]["message"]["content"]
    except (ValueError, KeyError, IndexError, TypeError) as exc:
        raise BadGateway("The language model's answer was not a chat completion.") from exc
    if not isinstance(text, str) or not text.strip():
        raise BadGateway("The language model's answer was empty.")
    return text.strip()[:MAX_ANSWER_CHARS]


SYSTEM_SUMMARY = (
    "You summarise help-desk tickets for support agents. Use only the ticket and conversation "
    "given. Answer in at most five short sentences: the problem, what was tried, what is open."
)
SYSTEM_DRAFT = (
    "You draft replies for support agents to send to a customer. Ground the reply in the "
    "ticket, its conversation and the replies that solved similar tickets; do not invent "
    "facts, prices or promises. Answer with the reply text only."
)


def grounding(
    ticket_key: str,
    subject: str,
    description: str,
    conversation: list[tuple[str, str]],
    solved: list[tuple[str, str, str]],
) -> str:
    """The facts the model is given: the ticket, its public conversation, similar solved
    tickets with the reply that solved each."""
    lines = [f"Ticket {ticket_key}: {subject}", "", description[:6_000], ""]
    if conversation:
        lines.append("Conversation:")
        lines.extend(f"- {who}: {body[:2_000]}" for who, body in conversation)
        lines.append("")
    if solved:
        lines.append("Similar solved tickets and the replies that solved them:")
        for key, solved_subject, reply in solved:
            lines.append(f"- {key} {solved_subject}: {reply[:1_500]}")
    return "\n".join(lines)[:24_000]
