"""Markdown to HTML for people: raw HTML is never passed through, and nh3 cleans the result."""

from __future__ import annotations

import nh3
from markdown_it import MarkdownIt

_markdown = (
    MarkdownIt("commonmark", {"html": False, "linkify": False, "breaks": True})
    .enable("table")
    .enable("strikethrough")
)

_TAGS = {
    "a", "b", "blockquote", "br", "code", "del", "em", "h1", "h2", "h3", "h4", "h5", "h6",
    "hr", "i", "img", "li", "ol", "p", "pre", "s", "strong", "table", "tbody", "td", "th",
    "thead", "tr", "ul",
}  # fmt: skip
_ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title"}, "ol": {"start"}}


def sanitize_html(html: str) -> str:
    """Keep formatting only: no scripts, handlers, styles, or non-web URLs."""
    return nh3.clean(
        html,
        tags=_TAGS,
        attributes=_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )


def render_markdown(body: str) -> str:
    """The HTML shown for a comment in the SPA or an email: Markdown rendered, then sanitized."""
    return sanitize_html(_markdown.render(body))
