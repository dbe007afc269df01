"""Comment bodies are stored as written and rendered to inert HTML."""

from html.parser import HTMLParser

import pytest

SAFE_TAGS = {"p", "a", "img", "strong", "em", "code", "pre", "ul", "ol", "li", "br", "blockquote"}


class _Elements(HTMLParser):
    """Every element and attribute a browser would build from the HTML."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, dict(attrs)))


def assert_inert(html: str) -> None:
    parser = _Elements()
    parser.feed(html)
    for tag, attrs in parser.found:
        assert tag in SAFE_TAGS, tag
        for name, value in attrs.items():
            assert not name.startswith("on"), name
            if name in ("href", "src"):
                assert (value or "").startswith(("http://", "https://", "mailto:")), value


PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    '<a href="javascript:alert(1)">x</a>',
    "<svg onload=alert(1)>",
    '<iframe src="https://evil.test"></iframe>',
    "![x](javascript:alert(1))",
    "<details open ontoggle=alert(1)>",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "<<script>script>alert(1)<</script>/script>",
    "<style>body{display:none}</style>",
]


@pytest.mark.parametrize("visibility", ["public", "internal"])
async def test_xss_payloads_come_back_inert(tenant, visibility):
    ticket = await tenant.create_ticket()
    body = "\n\n".join(PAYLOADS)
    created = await tenant.post(
        f"/tickets/{ticket['key']}/comments", json={"body": body, "visibility": visibility}
    )
    assert created.status_code == 201
    [listed] = (await tenant.get(f"/tickets/{ticket['key']}/comments")).json()
    for comment in (created.json(), listed):
        assert comment["body"] == body  # Markdown stored as written
        assert_inert(comment["body_html"])
        assert "<script" not in comment["body_html"].lower()


async def test_markdown_is_rendered(tenant):
    ticket = await tenant.create_ticket()
    body = "**bold** and [docs](https://example.com/a?b=1)\n\n- one\n- two\n\n`code <b>`"
    created = await tenant.post(f"/tickets/{ticket['key']}/comments", json={"body": body})
    html = created.json()["body_html"]
    assert "<strong>bold</strong>" in html
    assert '<a href="https://example.com/a?b=1" rel="noopener noreferrer nofollow">docs</a>' in html
    assert "<li>one</li>" in html
    assert "<code>code &lt;b&gt;</code>" in html


def test_the_inertness_check_catches_live_html():
    for live in (
        '<img src="x" onerror="alert(1)">',
        "<script>x</script>",
        '<a href="javascript:x">',
    ):
        with pytest.raises(AssertionError):
            assert_inert(live)
