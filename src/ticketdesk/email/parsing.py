"""Raw RFC 5322 mail → what the desk needs: addresses, ids, safe text, attachments.

Untrusted input, so every step is linear in the size of the mail and bounded by a cap: the
stdlib parser runs with the compat32 policy (raw header strings; the structured `default`
policy takes seconds on a few kilobytes of crafted header), each header has a length cap,
the MIME tree a part and nesting cap, the decoded content a size cap, and HTML is read by a
linear scanner (html.parser is quadratic on unclosed tags). A failure of the parser becomes
`MalformedEmail` (422) and a cap `EmailTooLarge` (413), never an exception that escapes as a
500.
"""

from __future__ import annotations

import base64
import binascii
import email
import html as html_lib
import re
from dataclasses import dataclass, field
from email.message import Message
from email.policy import Compat32
from email.utils import getaddresses, parseaddr
from typing import Any

MAX_TEXT = 100_000
MAX_HTML = 1_000_000  # HTML read for text; markup beyond this is not looked at
MAX_PARTS = 100  # every node of the MIME tree (containers, bodies, attachments)
MAX_DEPTH = 10  # multiparts within multiparts (real mail nests 3 or 4 deep)
MAX_BOUNDARIES = 2 * MAX_PARTS  # `boundary` mentions in the raw bytes, counted before parsing
MAX_DECODED_BYTES = 20 * 1024 * 1024  # the decoded bodies and attachments, together
MAX_HEADER = 32 * 1024  # characters of one header (folded lines joined)
MAX_CONTENT_HEADER = 4 * 1024  # Content-Type, Content-Disposition, … (parsed parameter by
# parameter: the stdlib does it in quadratic time)
_READ_ADDRESS = 2_000  # characters of From read for the sender
_READ_SUBJECT = 4_000  # characters of Subject decoded (the subject keeps 500)
_MSGID_RE = re.compile(r"<([^<>\s]{1,500})>")
_REPLY_MARKER = "##- Please type your reply above this line -##"


class MalformedEmail(ValueError):
    """The bytes are not an email we can read."""


class EmailTooLarge(ValueError):
    """The email exceeds a cap (parts, nesting, decoded size, a header's length)."""


@dataclass(frozen=True)
class EmailLimits:
    """The caps one parse runs under (the defaults above; the route may lower the size)."""

    max_parts: int = MAX_PARTS
    max_depth: int = MAX_DEPTH
    max_decoded_bytes: int = MAX_DECODED_BYTES


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


class _BoundedPolicy(Compat32):
    """compat32 (headers stay raw strings: parsing them is linear), with a length cap on each
    header, applied while the parser reads it."""

    def header_source_parse(self, sourcelines: list[str]) -> tuple[str, str]:
        name, value = super().header_source_parse(sourcelines)
        content = name.strip().lower().startswith("content-")
        limit = MAX_CONTENT_HEADER if content else MAX_HEADER
        if len(value) > limit:
            shown = name.strip()[:60].encode("ascii", "replace").decode()
            raise EmailTooLarge(f"The {shown} header is longer than {limit} characters.")
        return name, value

    def header_fetch_parse(self, name: str, value: str) -> Any:
        return value  # raw: 8-bit bytes stay surrogate-escaped until _text() decodes them


_POLICY = _BoundedPolicy()


def parse_message_ids(value: str | None) -> list[str]:
    if not value:
        return []
    return _MSGID_RE.findall(value)[:50]


def _unescape_8bit(value: str) -> str:
    """Raw 8-bit header bytes (surrogate-escaped by the parser: SMTPUTF8 mail) read as UTF-8."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return value.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    return value


# an RFC 2047 encoded word; its text cannot hold "?" or spaces, so matching is linear
_ENCODED_WORD = re.compile(r"=\?([^?\s]{1,60})\?([qQbB])\?([^?\s]*)\?=")


def _decode_word(word: re.Match[str]) -> str:
    charset, encoding, data = word.group(1).split("*", 1)[0], word.group(2), word.group(3)
    try:
        if encoding in "bB":
            raw = base64.b64decode(data + "=" * (-len(data) % 4))
        else:
            raw = binascii.a2b_qp(data.encode("ascii", "replace"), header=True)
    except (binascii.Error, ValueError):
        return word.group(0)
    try:
        return raw.decode(charset, errors="replace")
    except LookupError:  # an unknown charset name
        return raw.decode("latin-1", errors="replace")


def _text(value: str, *, words: bool = True) -> str:
    """A raw header value as text: unfolded, 8-bit bytes read as UTF-8, and (with `words`)
    RFC 2047 encoded words decoded (the space between two of them dropped, as it says)."""
    value = re.sub(r"\r?\n(?=[ \t])", "", value)
    value = _unescape_8bit(value)
    if not words or "=?" not in value:
        return value
    decoded: list[str] = []
    pos, after_word = 0, False
    for word in _ENCODED_WORD.finditer(value):
        between = value[pos : word.start()]
        if not (after_word and between.isspace()):
            decoded.append(between)
        decoded.append(_decode_word(word))
        pos, after_word = word.end(), True
    decoded.append(value[pos:])
    return "".join(decoded)


def _raw_header(message: Message, name: str) -> str | None:
    value = message.get(name)
    return None if value is None else str(value)


def _header(
    message: Message, name: str, read: int = MAX_HEADER, *, words: bool = True
) -> str | None:
    """The header's text, from its first `read` characters (decoding encoded words costs
    up to quadratic time in a crafted header: only short headers are decoded)."""
    raw = _raw_header(message, name)
    if raw is None:
        return None
    return _text(raw[:read], words=words).replace("\x00", "")


def _sender(message: Message) -> tuple[str, str | None]:
    raw = _raw_header(message, "from")
    if raw is None:
        raise MalformedEmail("The message has no From header.")
    raw = re.sub(r"\r?\n(?=[ \t])", "", raw[:_READ_ADDRESS])
    raw = _unescape_8bit(raw)
    name, addr = parseaddr(raw)
    if "@" not in addr:
        pairs = getaddresses([raw])
        name, addr = next(((n, a) for n, a in pairs if "@" in a), ("", ""))
    if "@" not in addr:
        raise MalformedEmail("The From header holds no email address.")
    return addr, _text(name) if name else None


def _decode_part(part: Message, payload: bytes) -> str:
    charset = part.get_content_charset() or "utf-8"
    try:
        return payload.decode(charset, errors="replace")
    except LookupError:  # an unknown charset name
        return payload.decode("latin-1", errors="replace")


_SKIP = ("head", "template", "svg", "object")  # dropped with everything inside
# raw-text elements: their content is not markup, it runs to the closing tag
_SKIP_RAW = ("script", "style", "title", "noscript", "iframe", "textarea", "xmp")
_BLOCK = (
    "p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6",
    "blockquote", "pre", "table", "ul", "ol", "hr", "section", "article",
)  # fmt: skip
# Every pattern stops a tag at the next ">" and never runs past the next "<", so each is
# linear; the substitutions run in C, and Python only loops over comments and hidden elements.


def _names(names: tuple[str, ...]) -> str:
    """Tag names in either case, spelled out (`[pP]`; re.IGNORECASE makes every scan slower)
    and grouped by first letter, so a "<" is turned away after a test or two."""

    def spelled(text: str) -> str:
        return "".join(f"[{c}{c.upper()}]" if c.isalpha() else c for c in text)

    by_first: dict[str, list[str]] = {}
    for name in sorted(names, key=len, reverse=True):  # the longest first: "pre" before "p"
        by_first.setdefault(name[0], []).append(name[1:])
    return "|".join(
        f"{spelled(first)}(?:{'|'.join(spelled(rest) for rest in rests)})"
        for first, rests in by_first.items()
    )


# (the lookaheads turn away a "<" that cannot start a tag before the names are tried: each
# restates what its pattern needs, a "<" then a ">" with neither in between)
_HIDDEN = re.compile(
    rf"<(?=!--|/?[a-zA-Z][^<>]*>)(?:!--|(/?)({_names(_SKIP + _SKIP_RAW)})\b[^<>]*>)"
)
_LIST_ITEM = re.compile(rf"<(?=[a-zA-Z][^<>]*>){_names(('li',))}\b[^<>]*>")
_BLOCK_TAG = re.compile(rf"<(?=/?[a-zA-Z][^<>]*>)/?(?:{_names(_BLOCK)})\b[^<>]*>")
_ANY_TAG = re.compile(r"<[a-zA-Z/!?][^<>]*>")  # a lone "<" (as in "a < b") stays text
_LINE_BREAK = re.compile(r"\r\n?|[\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")
_SPACES = re.compile(r"[^\S\n]+")  # any run of whitespace within a line
_EDGE_SPACE = re.compile(r" ?\n ?")
_BLANK_LINES = re.compile(r"\n{3,}")


def _visible(html: str) -> str:
    """The markup without comments, scripts, styles, head and the like (and their content)."""
    kept: list[str] = []
    lower: str | None = None
    pos, end, hidden = 0, len(html), 0
    while pos < end:
        found = _HIDDEN.search(html, pos)
        if found is None:
            if not hidden:
                kept.append(html[pos:])
            break
        if not hidden:
            kept.append(html[pos : found.start()])
        pos = found.end()
        if found.group(2) is None:  # a comment
            close = html.find("-->", pos)
            pos = end if close < 0 else close + 3
            continue
        closing, name = found.group(1) == "/", found.group(2).lower()
        if name in _SKIP_RAW:
            if not closing:
                lower = html.lower() if lower is None else lower
                close = lower.find(f"</{name}", pos)
                pos = end if close < 0 else close
        else:
            hidden = max(0, hidden - 1) if closing else hidden + 1
    return "".join(kept)


def html_to_text(html: str) -> str:
    """HTML → readable text: scripts, styles and head dropped; blocks become line breaks.
    Linear for any input, and reads at most MAX_HTML characters."""
    text = _visible(html[:MAX_HTML])
    text = _ANY_TAG.sub("", _BLOCK_TAG.sub("\n", _LIST_ITEM.sub("\n- ", text)))
    try:
        text = html_lib.unescape(text)
    except ValueError:  # a numeric character reference of thousands of digits
        pass
    text = _LINE_BREAK.sub("\n", text.replace("\xa0", " "))
    text = _EDGE_SPACE.sub("\n", _SPACES.sub(" ", text))  # one pass each, not one per line
    return _BLANK_LINES.sub("\n\n", text).strip()


def _clean(text: str) -> str:
    text = text[: 2 * MAX_TEXT].replace("\x00", "").replace("\r\n", "\n").replace("\r", "\n")
    return text.strip()[:MAX_TEXT]


def _leaves(message: Message, limits: EmailLimits) -> list[Message]:
    """The MIME tree's leaves in document order, refusing a tree over the part or depth cap."""
    leaves: list[Message] = []
    stack: list[tuple[Message, int]] = [(message, 0)]
    seen = 0
    while stack:
        part, depth = stack.pop()
        seen += 1
        if seen > limits.max_parts:
            raise EmailTooLarge(f"The email has more than {limits.max_parts} MIME parts.")
        if depth > limits.max_depth:
            raise EmailTooLarge(f"The email nests MIME parts more than {limits.max_depth} deep.")
        payload = part.get_payload()
        if part.is_multipart() and isinstance(payload, list):
            stack.extend(
                (child, depth + 1) for child in reversed(payload) if isinstance(child, Message)
            )
        else:
            leaves.append(part)
    return leaves


def _body_and_attachments(
    message: Message, limits: EmailLimits
) -> tuple[str, list[ParsedAttachment]]:
    plain: str | None = None
    html: str | None = None
    attachments: list[ParsedAttachment] = []
    decoded = 0
    for part in _leaves(message, limits):
        content_type = part.get_content_type()
        if content_type.startswith("multipart/"):
            continue  # a multipart without parts (no boundary in its body): nothing in it
        data = part.get_payload(decode=True)
        if not isinstance(data, bytes):
            continue
        decoded += len(data)
        if decoded > limits.max_decoded_bytes:
            raise EmailTooLarge(
                f"The email's content is larger than {limits.max_decoded_bytes} bytes decoded."
            )
        disposition = part.get_content_disposition()
        raw_name = part.get_filename()
        filename = _text(raw_name)[:255] if raw_name else None
        if disposition == "attachment" or (filename and content_type != "text/plain"):
            attachments.append(ParsedAttachment(filename, content_type, data))
        elif content_type == "text/plain":
            if plain is None:
                plain = _decode_part(part, data)
        elif content_type == "text/html":
            if html is None:
                html = _decode_part(part, data)
        elif content_type == "message/rfc822":
            continue  # a forwarded message the parser could not open: its text is not ours
        elif not content_type.startswith("text/") and data:
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
    auto_submitted = (_header(message, "auto-submitted", 200) or "").strip().lower()
    if auto_submitted and auto_submitted != "no":
        return f"Auto-Submitted: {auto_submitted}"
    precedence = (_header(message, "precedence", 200) or "").strip().lower()
    if precedence in ("bulk", "junk", "list", "auto_reply"):
        return f"Precedence: {precedence}"
    for name in ("x-autoreply", "x-autorespond"):
        value = (_header(message, name, 200) or "").strip().lower()
        if value:
            return f"{name}: {value}"
    local = from_email.split("@", 1)[0].lower()
    if local in ("mailer-daemon", "postmaster", "noreply-dmarc-support") or local.startswith(
        "mailer-daemon"
    ):
        return f"sent by {local}"
    if message.get_content_type() == "multipart/report":
        return "a delivery status report (bounce)"
    return_path = _header(message, "return-path", 1000, words=False)
    if return_path is not None and return_path.strip() in ("<>", ""):
        return "empty Return-Path (a bounce)"
    return None


def _parse(raw: bytes) -> Message:
    # nesting is what makes the stdlib parser slow (every line is checked against every open
    # boundary): bound it by the boundaries the mail can declare, before parsing at all
    if raw.lower().count(b"boundary") > MAX_BOUNDARIES:
        raise EmailTooLarge(
            f"The email declares more than {MAX_BOUNDARIES} MIME boundaries "
            f"(at most {MAX_PARTS} MIME parts are read)."
        )
    try:
        return email.message_from_bytes(raw, policy=_POLICY)
    except EmailTooLarge:
        raise
    except Exception as exc:
        raise MalformedEmail("The body is not an RFC 5322 message.") from exc


def parse_email(raw: bytes, limits: EmailLimits | None = None) -> ParsedEmail:
    """Read one raw email; linear in its size. Raises MalformedEmail or EmailTooLarge."""
    limits = limits or EmailLimits()
    if not raw.strip():
        raise MalformedEmail("The body is empty.")
    message = _parse(raw)
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
        subject = (_header(message, "subject", _READ_SUBJECT) or "").replace("\r", " ")
        message_ids = parse_message_ids(_header(message, "message-id", 2000, words=False))
        text, attachments = _body_and_attachments(message, limits)
        parsed = ParsedEmail(
            from_email=from_email.strip(),
            from_name=(from_name or "").replace("\x00", "").strip()[:200] or None,
            subject=subject.replace("\n", " ").strip()[:500],
            message_id=message_ids[0] if message_ids else None,
            in_reply_to=parse_message_ids(_header(message, "in-reply-to", words=False)),
            references=parse_message_ids(_header(message, "references", words=False)),
            text=text,
            attachments=attachments,
        )
        parsed.auto_reason = auto_reply_reason(message, parsed.from_email)
    except (MalformedEmail, EmailTooLarge):
        raise
    except Exception as exc:
        raise MalformedEmail(f"The message cannot be read ({type(exc).__name__}).") from exc
    return parsed


def parse_reply(raw: bytes, limits: EmailLimits | None = None) -> tuple[ParsedEmail, str]:
    """The parsed mail and its new part (quoted history cut off), in one call: what the
    inbound route runs in a worker thread."""
    parsed = parse_email(raw, limits)
    return parsed, strip_quoted(parsed.text)


_QUOTE_HEADERS = [
    re.compile(r"^\s*On .{1,300}wrote:\s*$", re.IGNORECASE),
    re.compile(r"^\s*Am .{1,300}schrieb.{0,100}:\s*$", re.IGNORECASE),
    re.compile(r"^\s*Le .{1,300}a écrit\s*:\s*$", re.IGNORECASE),
    re.compile(r"^\s*-{2,}\s*Original Message\s*-{2,}\s*$", re.IGNORECASE),
    re.compile(r"^\s*_{10,}\s*$"),
]
_ON_LINE = re.compile(r"^\s*On \S.{0,300}$")
_HEADER_LINE = re.compile(r"^\s*\*?(Sent|Date|To|Subject|Cc)\*?:\s", re.IGNORECASE)
_FROM_LINE = re.compile(r"^\s*\*?From\*?:\s", re.IGNORECASE)


def _quoted_to_end(lines: list[str]) -> list[bool]:
    """For each line: whether every non-blank line from it to the end is a `>` quote.
    One pass from the end (asking it line by line made quoting quadratic)."""
    flags = [False] * len(lines)
    all_quoted = True
    for index in range(len(lines) - 1, -1, -1):
        line = lines[index]
        if line.strip() and not line.startswith(">"):
            all_quoted = False
        flags[index] = all_quoted
    return flags


def _starts_quote(lines: list[str], index: int, quoted_to_end: list[bool]) -> bool:
    line = lines[index]
    if any(pattern.match(line) for pattern in _QUOTE_HEADERS):
        return True
    following = lines[index + 1 : index + 5]
    if _ON_LINE.match(line) and following and following[0].strip().lower().endswith("wrote:"):
        return True  # "On Mon, … <x@y>" / "wrote:" wrapped over two lines
    if _FROM_LINE.match(line):
        # an Outlook-style header block: From: then Sent:/To:/Subject: right below
        return sum(1 for candidate in following if _HEADER_LINE.match(candidate)) >= 2
    return line.startswith(">") and quoted_to_end[index]


def strip_quoted(text: str) -> str:
    """The new part of a reply: cut at our reply marker, an "On … wrote:" line, an Outlook
    header block, or trailing `>` quotes. Returns the whole text when nothing new is left.
    Linear in the text: each line is looked at a bounded number of times."""
    lines = text.split("\n")
    quoted_to_end = _quoted_to_end(lines)
    cut = len(lines)
    for index, line in enumerate(lines):
        if _REPLY_MARKER in line or _starts_quote(lines, index, quoted_to_end):
            cut = index
            break
    kept = "\n".join(lines[:cut]).rstrip()
    return kept if kept.strip() else text.strip()


REPLY_MARKER = _REPLY_MARKER
