"""/api/v1/docs works without internet: every file the page loads is served by ticketdesk, and
the page runs no inline script (so the Content-Security-Policy need not allow one)."""

from __future__ import annotations

from html.parser import HTMLParser

import httpx


class _Page(HTMLParser):
    """The URLs a page loads (scripts, stylesheets, icons) and the text of inline scripts."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.inline_scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "script":
            self._in_script = "src" not in found
            if found.get("src"):
                self.urls.append(found["src"] or "")
        elif tag == "link" and found.get("href"):
            self.urls.append(found["href"] or "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script and data.strip():
            self.inline_scripts.append(data)


async def test_the_docs_page_loads_only_local_files(app):
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        page = await client.get("/api/v1/docs")
        assert page.status_code == 200
        assert page.headers["content-type"].startswith("text/html")
        parsed = _Page()
        parsed.feed(page.text)
        assert "cdn" not in page.text.lower() and "https://" not in page.text
        assert parsed.inline_scripts == []
        assert len(parsed.urls) == 4  # the icon, Swagger UI's CSS and script, our start script
        loaded = {}
        for url in parsed.urls:
            assert url.startswith("/api/v1/docs/"), url
            loaded[url] = await client.get(url)
            assert loaded[url].status_code == 200, url
        by_name = {url.rsplit("/", 1)[-1]: response for url, response in loaded.items()}
        assert set(by_name) == {
            "favicon.png",
            "swagger-ui.css",
            "swagger-ui-bundle.js",
            "swagger-init.js",
        }
        css = by_name["swagger-ui.css"]
        assert css.headers["content-type"].startswith("text/css")
        assert ".swagger-ui" in css.text
        bundle = by_name["swagger-ui-bundle.js"]
        assert "javascript" in bundle.headers["content-type"]
        assert "SwaggerUIBundle" in bundle.text
        assert "immutable" in bundle.headers["cache-control"]  # the URL carries its version
        start = by_name["swagger-init.js"]
        assert "javascript" in start.headers["content-type"]
        assert "SwaggerUIBundle(" in start.text and "validatorUrl: null" in start.text
        assert by_name["favicon.png"].headers["content-type"] == "image/png"
        # the document the page points Swagger UI at is there too
        assert (await client.get("/api/v1/openapi.json")).json()["info"]["title"] == "ticketdesk"
        assert (await client.get("/api/v1/docs/assets/0/nope.js")).status_code == 404
