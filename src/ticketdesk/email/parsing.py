"""Raw RFC 5322 mail → what the desk needs: addresses, ids, safe text, attachments.

Untrusted input: every failure of the stdlib parser becomes `MalformedEmail` (a 4xx), never
an exception that escapes as a 500.
"""

from __future__ import annotations

import email
import email.policy
import re
from dataclasses import dataclass, field
from email.headerregistry import Address
from email.message import EmailMessage, Message
from email.utils import getaddresses, parseaddr
from html.parser import HTMLParser

MAX_TEXT = 100_000
_MSGID_RE = re.compile(r"<([^<>\s]{1,500})>")
_REPLY_MARKER = "##- Please type your reply above this line -##"


class MalformedEmail(ValueError):
    """The bytes are not an email we can read."""


_CONTENT_TYPE_RE = re.compile(r"[\w.+-]+/[\w.+-]+")


@dataclass
class ParsedAttachment:
    filename: str | None
    content_type: str
    data: bytes

    def __post_init__(self) -> None:
        if not _CONTENT_TYPE_RE.fullmatch(self.content_type):
            self.content_type = "application/octet-stream"


@dataclass
class ParsedEmail:
    from_email: str
    from_name: str | None
    subject: str
    message_id: str | None
    in_reply_to: list[str]
    references: list[str]
    text: str
    attachments: list[ParsedAttachment] = field(default_factory=list)
    auto_reason: str | None = None  # why this is an auto-reply or bounce, if it is one

    @property
    def thread_ids(self) -> list[str]:
        """Message-IDs this mail answers, most specific first."""
        ids = self.in_reply_to + list(reversed(self.references))
        return list(dict.fromkeys(ids))


def parse_message_ids(value: str | None) -> list[str]:
    if not value:
        return []
    return _MSGID_RE.findall(value)[:50]


def _header(message: Message, name: str) -> str | None:
    try:
        value = message.get(name)
    except Exception:  # a header the policy cannot parse: treat as absent
        return None
    if value is None:
        return None
    text = str(value)
    return text.replace("\x00", "")


def _sender(message: Message) -> tuple[str, str | None]:
    raw = message.get("from")
    if raw is None:
        raise MalformedEmail("The message has no From header.")
    addresses: tuple[Address, ...] = getattr(raw, "addresses", ())
    for address in addresses:
        if address.addr_spec and "@" in address.addr_spec:
            return address.addr_spec, address.display_name or None
    name, addr = parseaddr(str(raw))
    if "@" not in addr:
        pairs = getaddresses([str(raw)])
        addr = next((a for _, a in pairs if "@" in a), "")
    if "@" not in addr:
        raise MalformedEmail("The From header holds no email address.")
    return addr, name or None


def _decode_part(part: Message) -> str:
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        return ""
    charset = part.get_content_charset() or "utf-8"
    try:
        return payload.decode(charset, errors="replace")
    except LookupError:  # an unknown charset name
        return payload.decode("latin-1", errors="replace")


class _TextExtractor(HTMLParser):
    """HTML → readable text: scripts, styles and head dropped; blocks become line breaks."""

    _SKIP = {"script", "style", "head", "title", "template", "noscript", "svg", "iframe", "object"}
    _BLOCK = {
        "p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6",
        "blockquote", "pre", "table", "ul", "ol", "hr", "section", "article",
    }  # fmt: skip

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._SKIP:
            self.skipping += 1
        elif tag in self._BLOCK:
            self.parts.append("\n")
        if tag == "li" and not self.skipping:
            self.parts.append("- ")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._SKIP:
            self.skipping = max(0, self.skipping - 1)
        elif tag in self._BLOCK:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(data)


def html_to_text(html: str) -> str:
    extractor = _TextExtractor()
    try:
        extractor.feed(html)
        extractor.close()
    except Exception:  # HTMLParser is lenient, but never let markup crash a request
        return re.sub(r"<[^>]*>", " ", html)
    text = "".join(extractor.parts).replace("\xa0", " ")
    lines = [re.sub(r"[ \t]+", " ", line).strip() for line in text.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def _clean(text: str) -> str:
    text = text.replace("\x00", "").replace("\r\n", "\n").replace("\r", "\n")
    return text.strip()[:MAX_TEXT]


def _body_and_attachments(message: EmailMessage) -> tuple[str, list[ParsedAttachment]]:
    plain: str | None = None
    html: str | None = None
    attachments: list[ParsedAttachment] = []
    for part in message.walk():
        if part.is_multipart():
            continue
        content_type = part.get_content_type()
        disposition = part.get_content_disposition()
        filename = part.get_filename()
        if disposition == "attachment" or (filename and content_type not in ("text/plain",)):
            data = part.get_payload(decode=True)
            if isinstance(data, bytes):
                attachments.append(ParsedAttachment(filename, content_type, data))
            continue
        if content_type == "text/plain" and plain is None:
            plain = _decode_part(part)
        elif content_type == "text/html" and html is None:
            html = _decode_part(part)
        elif content_type == "message/rfc822":
            continue
        elif not content_type.startswith("text/") and not content_type.startswith("multipart/"):
            data = part.get_payload(decode=True)
            if isinstance(data, bytes) and data:
                attachments.append(ParsedAttachment(filename, content_type, data))
    if plain is not None and plain.strip():
        text = plain
    elif html is not None:
        text = html_to_text(html)
    else:
        text = plain or ""
    return _clean(text), attachments


def auto_reply_reason(message: Message, from_email: str) -> str | None:
    """Why this mail was sent by a machine (auto-reply, bounce, list), or None for a person."""
    auto_submitted = (_header(message, "auto-submitted") or "").strip().lower()
    if auto_submitted and auto_submitted != "no":
        return f"Auto-Submitted: {auto_submitted}"
    precedence = (_header(message, "precedence") or "").strip().lower()
    if precedence in ("bulk", "junk", "list", "auto_reply"):
        return f"Precedence: {precedence}"
    for name in ("x-autoreply", "x-autorespond"):
        value = (_header(message, name) or "").strip().lower()
        if value:
            return f"{name}: {value}"
    local = from_email.split("@", 1)[0].lower()
    if local in ("mailer-daemon", "postmaster", "noreply-dmarc-support") or local.startswith(
        "mailer-daemon"
    ):
        return f"sent by {local}"
    if message.get_content_type() == "multipart/report":
        return "a delivery status report (bounce)"
    return_path = _header(message, "return-path")
    if return_path is not None and return_path.strip() in ("<>", ""):
        return "empty Return-Path (a bounce)"
    return None


def parse_email(raw: bytes) -> ParsedEmail:
    if not raw.strip():
        raise MalformedEmail("The body is empty.")
    try:
        message = email.message_from_bytes(raw, policy=email.policy.default)
    except Exception as exc:
        raise MalformedEmail("The body is not an RFC 5322 message.") from exc
    assert isinstance(message, EmailMessage)
    if not message.keys():
        raise MalformedEmail("The message has no headers.")
    defects = {type(d).__name__ for d in message.defects}
    if "MissingHeaderBodySeparatorDefect" in defects and "from" not in message:
        raise MalformedEmail("The body is not an RFC 5322 message (no header block).")
    if message.get_content_maintype() == "multipart" and defects & {
        "NoBoundaryInMultipartDefect",
        "StartBoundaryNotFoundDefect",
        "MultipartInvariantViolationDefect",
    }:
        raise MalformedEmail("The multipart structure is broken (boundary missing).")
    try:
        from_email, from_name = _sender(message)
        subject = (_header(message, "subject") or "").replace("\r", " ").replace("\n", " ")
        message_ids = parse_message_ids(_header(message, "message-id"))
        text, attachments = _body_and_attachments(message)
        parsed = ParsedEmail(
            from_email=from_email.strip(),
            from_name=(from_name or "").replace("\x00", "").strip()[:200] or None,
            subject=subject.strip()[:500],
            message_id=message_ids[0] if message_ids else None,
            in_reply_to=parse_message_ids(_header(message, "in-reply-to")),
            references=parse_message_ids(_header(message, "references")),
            text=text,
            attachments=attachments,
        )
        parsed.auto_reason = auto_reply_reason(message, parsed.from_email)
    except MalformedEmail:
        raise
    except Exception as exc:
        raise MalformedEmail(f"The message cannot be read ({type(exc).__name__}).") from exc
    return parsed


_QUOTE_HEADERS = [
    re.compile(r"^\s*On .{1,300}wrote:\s*$", re.IGNORECASE),
    re.compile(r"^\s*Am .{1,300}schrieb.{0,100}:\s*$", re.IGNORECASE),
    re.compile(r"^\s*Le .{1,300}a écrit\s*:\s*$", re.IGNORECASE),
    re.compile(r"^\s*-{2,}\s*Original Message\s*-{2,}\s*$", re.IGNORECASE),
    re.compile(r"^\s*_{10,}\s*$"),
]
_ON_LINE = re.compile(r"^\s*On \S.{0,300}$")
_HEADER_LINE = re.compile(r"^\s*\*?(Sent|Date|To|Subject|Cc)\*?:\s", re.IGNORECASE)


def _starts_quote(lines: list[str], index: int) -> bool:
    line = lines[index]
    if any(pattern.match(line) for pattern in _QUOTE_HEADERS):
        return True
    following = lines[index + 1 : index + 5]
    if _ON_LINE.match(line) and following and following[0].strip().lower().endswith("wrote:"):
        return True  # "On Mon, … <x@y>" / "wrote:" wrapped over two lines
    if re.match(r"^\s*\*?From\*?:\s", line, re.IGNORECASE):
        # an Outlook-style header block: From: then Sent:/To:/Subject: right below
        return sum(1 for candidate in following if _HEADER_LINE.match(candidate)) >= 2
    if line.startswith(">"):
        rest = [candidate for candidate in lines[index:] if candidate.strip()]
        return all(candidate.startswith(">") for candidate in rest)
    return False


def strip_quoted(text: str) -> str:
    """The new part of a reply: cut at our reply marker, an "On … wrote:" line, an Outlook
    header block, or trailing `>` quotes. Returns the whole text when nothing new is left."""
    lines = text.split("\n")
    cut = len(lines)
    for index, line in enumerate(lines):
        if _REPLY_MARKER in line or _starts_quote(lines, index):
            cut = index
            break
    kept = "\n".join(lines[:cut]).rstrip()
    return kept if kept.strip() else text.strip()


REPLY_MARKER = _REPLY_MARKER
