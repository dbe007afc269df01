"""Tokens never reach a log: the WebSocket's `?token=` (and any bearer token that strays into
a URL or message), and a CSAT survey link's token in its path, are redacted on every handler
`ticketdesk serve` logs through."""

from __future__ import annotations

import copy
import logging
import re
from collections.abc import Mapping
from typing import Any

from uvicorn.config import LOGGING_CONFIG

REDACTED = "[redacted]"
# a `token` or `access_token` query parameter's value, wherever a URL appears in a message
_TOKEN_PARAMETER = re.compile(r"(?i)((?:^|[?&;])(?:access_)?token=)[^&;\s\"'#]*")
# session (`tds_`) and API (`td_`) tokens themselves: the prefix and 32 random bytes
_BEARER_TOKEN = re.compile(r"\b(tds?_)[A-Za-z0-9_-]{40,}")
# a survey link's token: `/survey/<token>` (the page) and `/public/surveys/<token>` (the API)
_SURVEY_TOKEN = re.compile(r"(/survey/|/public/surveys/)[^/?#\s\"']+")


def redact(text: str) -> str:
    if "survey" in text:
        text = _SURVEY_TOKEN.sub(rf"\g<1>{REDACTED}", text)
    if "token" not in text.lower() and "td" not in text:
        return text
    text = _TOKEN_PARAMETER.sub(rf"\g<1>{REDACTED}", text)
    return _BEARER_TOKEN.sub(rf"\g<1>{REDACTED}", text)


def _redacted(value: Any) -> Any:
    return redact(value) if isinstance(value, str) else value


class RedactTokens(logging.Filter):
    """Rewrites a record's message and arguments in place (uvicorn's access formatter reads
    the arguments themselves: client, method, path with query, HTTP version, status)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(_redacted(arg) for arg in record.args)
        elif isinstance(record.args, Mapping):
            record.args = {key: _redacted(arg) for key, arg in record.args.items()}
        return True


def serve_log_config() -> dict[str, Any]:
    """uvicorn's own logging configuration, every handler redacting tokens; the app's own
    warnings go through the same handler (they went to Python's last-resort one)."""
    config = copy.deepcopy(LOGGING_CONFIG)
    config.setdefault("filters", {})["redact_tokens"] = {"()": RedactTokens}
    for handler in config["handlers"].values():
        handler.setdefault("filters", []).append("redact_tokens")
    config["root"] = {"handlers": ["default"], "level": "WARNING"}
    return config
