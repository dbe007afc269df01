"""Write the app's OpenAPI schema to openapi/openapi.json (`python -m ticketdesk.openapi`)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from ticketdesk.config import REPO_ROOT, Settings

OPENAPI_PATH = REPO_ROOT / "openapi" / "openapi.json"


def build_schema() -> dict[str, Any]:
    from ticketdesk.app import create_app

    app = create_app(Settings(database_url="sqlite+aiosqlite:///:memory:"))
    schema: dict[str, Any] = app.openapi()
    return schema


def render(schema: dict[str, Any]) -> str:
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def main(argv: list[str]) -> int:
    path = Path(argv[1]) if len(argv) > 1 else OPENAPI_PATH
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render(build_schema()))
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
