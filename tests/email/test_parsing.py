"""Reading raw mail: charsets, HTML, attachments, auto-replies, quoted history, garbage."""

from __future__ import annotations

import random
import sys
from collections.abc import Callable
from email.message import EmailMessage
from pathlib import Path
from types import FrameType

import pytest

from ticketdesk.email.parsing import (
    MAX_CONTENT_HEADER,
    MAX_DEPTH,
    MAX_HTML,
    MAX_PARTS,
    MAX_TEXT,
    REPLY_MARKER,
    EmailLimits,
    EmailTooLarge,
    MalformedEmail,
    html_to_text,
    parse_email,
    parse_reply,
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


def _traced_lines(fn: Callable[[str], object], text: str) -> int:
    """How many Python lines `fn(text)` executes: a measure of work no CPU load changes."""
    count = 0

    def tracer(frame: FrameType, event: str, arg: object) -> Callable[..., object] | None:
        nonlocal count
        if event == "line":
            count += 1
        return tracer

    sys.settrace(tracer)
    try:
        fn(text)
    finally:
        sys.settrace(None)
    return count


def test_strip_quoted_work_grows_linearly_with_the_quote() -> None:
    """A reply over thousands of short `>` lines and a signature: each line used to rescan all
    the lines below it (32 KB froze the API for 5 s). Eight times the lines, ~eight times the
    work."""

    def reply(lines: int) -> str:
        return "Thanks, that fixed it.\n" + ">\n> ok\n" * lines + "-- \nAda"

    small = _traced_lines(strip_quoted, reply(500))
    large = _traced_lines(strip_quoted, reply(4000))
    assert large < 10 * small, (small, large)
    assert strip_quoted(reply(4000)) == reply(4000).strip()  # interleaved: nothing cut


def test_a_one_megabyte_quoted_reply_gives_its_new_text() -> None:
    body = "Thanks, that fixed it.\n\n" + ">\n> ok\n" * 150_000 + "-- \nAda"
    message = EmailMessage()
    message["From"] = "ada@customer.example"
    message["Subject"] = "Re: [TKT-1] order"
    message.set_content(body)
    raw = bytes(message)
    assert len(raw) > 1_000_000
    parsed, new_text = parse_reply(raw)
    assert len(parsed.text) == MAX_TEXT  # what is kept is capped, whatever was sent
    assert new_text == "Thanks, that fixed it."  # the cap cut the signature: all quote below
    gmail = body.replace("\n\n>", "\n\nOn Mon, 23 Nov 2026, Acme <s@acme.example> wrote:\n>", 1)
    message.set_content(gmail)
    assert parse_reply(bytes(message))[1] == "Thanks, that fixed it."


@pytest.mark.parametrize("markup", ["<a", "</", "<!", "<p>", "<", "<!--", "&#"])
def test_html_to_text_is_linear_on_unclosed_markup(markup: str) -> None:
    """html.parser took 25 s on 100 KB of `<a<a<a…`; the scanner reads each character once,
    and never more than MAX_HTML characters."""
    text = html_to_text("<p>Hello</p>" + markup * (MAX_HTML // len(markup)) + "<p>never read</p>")
    assert text.startswith("Hello")
    assert "never read" not in text
    assert len(text) <= MAX_HTML


def _multipart(parts: int, *, depth: int = 1) -> bytes:
    inner = "".join(f"--leaf\r\nContent-Type: text/plain\r\n\r\npart {i}\r\n" for i in range(parts))
    body = f"{inner}--leaf--\r\n"
    boundary = "leaf"
    for level in range(depth - 1):
        outer = f"level{level}"
        body = (
            f'--{outer}\r\nContent-Type: multipart/mixed; boundary="{boundary}"\r\n\r\n'
            f"{body}--{outer}--\r\n"
        )
        boundary = outer
    return (
        f"From: a@customer.example\r\nSubject: parts\r\nMIME-Version: 1.0\r\n"
        f'Content-Type: multipart/mixed; boundary="{boundary}"\r\n\r\n{body}'
    ).encode()


def test_mime_parts_nesting_and_decoded_size_are_capped() -> None:
    assert parse_email(_multipart(MAX_PARTS - 1)).text == "part 0"
    with pytest.raises(EmailTooLarge, match="more than 100 MIME parts"):
        parse_email(_multipart(2000))  # 2,000 parts used to become 2,000 attachments
    with pytest.raises(EmailTooLarge, match="nests MIME parts more than 10 deep"):
        parse_email(_multipart(1, depth=MAX_DEPTH + 2))
    assert parse_email(_multipart(1, depth=MAX_DEPTH)).text == "part 0"
    mail = fixture("multipart_attachments.eml")
    decoded = sum(len(a.data) for a in parse_email(mail).attachments)
    with pytest.raises(EmailTooLarge, match=f"larger than {decoded - 1} bytes decoded"):
        parse_email(mail, EmailLimits(max_decoded_bytes=decoded - 1))


@pytest.mark.parametrize(
    ("header", "value"),
    [
        ("From", "x@y.example, " * 3000),  # the structured parser: 3 s on 260 KB
        ("Subject", "=?utf-8?q?a?= " * 3000),
        ("Content-Type", "text/plain; " + "a=b; " * 1000),  # 0.4 s on 5 KB
        ("References", "<a@b> " * 6000),
    ],
)
def test_a_header_over_its_cap_is_refused_before_it_is_parsed(header: str, value: str) -> None:
    raw = f"From: a@customer.example\r\n{header}: {value}\r\nSubject: x\r\n\r\nbody".encode()
    with pytest.raises(EmailTooLarge, match=f"The {header} header is longer than"):
        parse_email(raw)
    cut = value[: MAX_CONTENT_HEADER // 2]
    fine = f"From: a@customer.example\r\n{header}: {cut}\r\n\r\nbody".encode()
    assert parse_email(fine).text == "body"


def test_8bit_headers_and_encoded_words_are_read_as_text() -> None:
    raw = (
        "From: Jörg Müller <joerg@kunde.example>\r\n"
        "Subject: =?utf-8?q?Gr=C3=BC=C3=9Fe?= und Küsse\r\n\r\nHallo"
    ).encode()
    parsed = parse_email(raw)
    assert (parsed.from_name, parsed.from_email) == ("Jörg Müller", "joerg@kunde.example")
    assert parsed.subject == "Grüße und Küsse"
