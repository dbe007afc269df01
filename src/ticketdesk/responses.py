"""Responses whose body pydantic-core serialises once, straight from a `*Read` model."""

from __future__ import annotations

from typing import Any

from fastapi.responses import JSONResponse
from pydantic import BaseModel


class SerializedJSON(JSONResponse):
    """A JSON response whose body is already bytes (FastAPI would validate and dump again)."""

    def render(self, content: Any) -> bytes:
        return content if isinstance(content, bytes) else super().render(content)


def model_response(model: BaseModel, status_code: int = 200, **headers: str) -> SerializedJSON:
    return SerializedJSON(
        model.model_dump_json().encode(), status_code=status_code, headers=headers
    )
