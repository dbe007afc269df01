"""The interactive API reference at /api/v1/docs, served whole by ticketdesk so it works on a
machine without internet: Swagger UI's files come from the fastapi-offline package (which
ships the current Swagger UI), and the page starts it from a script file of ours rather than
an inline script, so a Content-Security-Policy of `script-src 'self'` lets it run.
"""

from __future__ import annotations

import json
import os
from html import escape
from importlib.metadata import version
from importlib.resources import files
from os import PathLike
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, Response
from starlette.responses import Response as StarletteResponse
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

ASSETS_PACKAGE = "fastapi_offline"
ASSETS_DIR = Path(str(files(ASSETS_PACKAGE) / "static"))
# in the assets' URL, so a new Swagger UI is a new URL and browsers may keep each for good
ASSETS_VERSION = version("fastapi-offline")
IMMUTABLE = "public, max-age=31536000, immutable"

_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<link rel="icon" type="image/png" href="{assets}/favicon.png">
<link rel="stylesheet" href="{assets}/swagger-ui.css">
</head>
<body>
<div id="swagger-ui" data-config="{config}"></div>
<script src="{assets}/swagger-ui-bundle.js"></script>
<script src="{init}"></script>
</body>
</html>
"""

# Starts Swagger UI with the options FastAPI's own page uses; no validator badge (it would
# send the document to an outside service).
INIT_SCRIPT = """"use strict";
(function () {
  var root = document.getElementById("swagger-ui");
  var config = JSON.parse(root.getAttribute("data-config"));
  window.ui = SwaggerUIBundle({
    url: config.url,
    dom_id: "#swagger-ui",
    layout: "BaseLayout",
    deepLinking: true,
    showExtensions: true,
    showCommonExtensions: true,
    validatorUrl: null,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset],
  });
})();
"""


class _ImmutableFiles(StaticFiles):
    """Static files whose URL carries their version: cached by browsers for a year."""

    def file_response(
        self,
        full_path: PathLike[str] | str,
        stat_result: os.stat_result,
        scope: Scope,
        status_code: int = 200,
    ) -> StarletteResponse:
        response = super().file_response(full_path, stat_result, scope, status_code)
        response.headers["Cache-Control"] = IMMUTABLE
        return response


def install_api_docs(app: FastAPI, docs_url: str) -> None:
    """The page at `docs_url`, its start script, and Swagger UI's files under it."""
    assets_url = f"{docs_url}/assets/{ASSETS_VERSION}"
    init_url = f"{docs_url}/swagger-init.js"
    app.mount(assets_url, _ImmutableFiles(directory=ASSETS_DIR), name="api-docs-assets")

    @app.get(docs_url, include_in_schema=False)
    async def api_docs(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "")
        assert app.openapi_url is not None
        config = json.dumps({"url": f"{root}{app.openapi_url}"})
        page = _PAGE.format(
            title=escape(f"{app.title} API"),
            assets=escape(f"{root}{assets_url}"),
            init=escape(f"{root}{init_url}"),
            config=escape(config),
        )
        return HTMLResponse(page)

    @app.get(init_url, include_in_schema=False)
    async def api_docs_script() -> Response:
        return Response(INIT_SCRIPT, media_type="text/javascript")
