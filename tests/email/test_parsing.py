"""Reading raw mail: charsets, HTML, attachments, auto-replies, quoted history, garbage."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from ticketdesk.email.parsing import (
    REPLY_MARKER,
    MalformedEmail,
    html_to_text,
    parse_email,
    strip_quoted,
)

FIXTURES = Path(__file__).parent / "fixtures"


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def test_latin1_quoted_printable_body_and_encoded_headers() -> None:
    parsed = parse_email(fixture("latin1_qp.eml"))
    assert parsed.subject == "Rechnung für März"
    assert parsed.from_name == "Jörg Müller"
    assert "« Straßenreinigung »" in parsed.text
    assert parsed.text.endswith("Mit freundlichen Grüßen\nJörg Müller")


def test_html_only_mail_becomes_safe_text() -> None:
    parsed = parse_email(fixture("html_only.eml"))
    assert parsed.text.startswith("I cannot log in & the reset link is broken.")
    assert "- Error: <500>" in parsed.text
    for unsafe in ("alert", "pwned", "color: red", "ignored title", "javascript", "onerror"):
        assert unsafe not in parsed.text


def test_html_to_text_drops_scripts_even_when_nested_or_unclosed() -> None:
    assert html_to_text("<p>a</p><script>evil()<script>more()</script>b") == "a\nb"
    assert html_to_text("<style>x{}</style>ok &lt;b&gt;") == "ok <b>"


def test_multipart_attachments_and_utf8_encoded_words() -> None:
    parsed = parse_email(fixture("multipart_attachments.eml"))
    assert parsed.subject == "Drucker defekt — siehe Anhang"
    assert parsed.from_name == "Jürgen Käfer"
    assert parsed.text == "Hallo, der Drucker druckt nur noch Streifen.\nFoto und Rechnung anbei."
    names = [(a.filename, a.content_type) for a in parsed.attachments]
    assert names == [("streifen.png", "image/png"), ("Rechnung März.pdf", "application/pdf")]
    assert parsed.attachments[0].data.startswith(b"\x89PNG")
    assert parsed.attachments[1].data.startswith(b"%PDF-1.4")


def test_auto_replies_and_bounces_are_recognised() -> None:
    assert parse_email(fixture("auto_reply.eml")).auto_reason == "Auto-Submitted: auto-replied"
    assert parse_email(fixture("bounce.eml")).auto_reason == "sent by mailer-daemon"
    for header in ("Precedence: bulk", "Precedence: list", "X-Autorespond: yes"):
        raw = f"From: a@b.example\r\n{header}\r\nSubject: hi\r\n\r\nbody".encode()
        assert parse_email(raw).auto_reason is not None, header
    person = b"From: a@b.example\r\nAuto-Submitted: no\r\nSubject: hi\r\n\r\nbody"
    assert parse_email(person).auto_reason is None


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"hello world",
        random.Random(7).randbytes(4000),
        b"Subject: hi\r\n\r\nno sender",
        b"From: nobody\r\n\r\nno address",
        b"\xff\xfe:\x00\r\n\r\n",
        fixture("broken_multipart.eml"),
    ],
)
def test_garbage_is_refused(raw: bytes) -> None:
    with pytest.raises(MalformedEmail):
        parse_email(raw)


def test_strip_quoted_history() -> None:
    gmail = (
        "Thanks, that fixed it!\n\nOn Mon, 23 Nov 2026 at 10:00, Acme <s@x.example> wrote:\n> old"
    )
    assert strip_quoted(gmail) == "Thanks, that fixed it!"
    wrapped = (
        "Works now.\n\nOn Mon, 23 Nov 2026 at 10:00, Acme Support\n<s@x.example> wrote:\n> old"
    )
    assert strip_quoted(wrapped) == "Works now."
    outlook = (
        "Still broken.\n\n________________________________\nFrom: Acme\nSent: Monday\n"
        "To: me\nSubject: RE: x\n\nold text"
    )
    assert strip_quoted(outlook) == "Still broken."
    outlook_no_rule = "Still broken.\n\nFrom: Acme <s@x.example>\nSent: Monday\nTo: me\n\nold"
    assert strip_quoted(outlook_no_rule) == "Still broken."
    marker = f"New info\n\n{REPLY_MARKER}\n\nHello, we replied ..."
    assert strip_quoted(marker) == "New info"
    inline = "> question 1\nanswer 1\n> question 2\nanswer 2"
    assert strip_quoted(inline) == inline  # interleaved answers are kept whole
    keeps_from = "From: my account page I cannot see invoices.\nPlease help."
    assert strip_quoted(keeps_from) == keeps_from
    only_quote = "> everything quoted"
    assert strip_quoted(only_quote) == only_quote  # nothing new: keep it rather than lose it
