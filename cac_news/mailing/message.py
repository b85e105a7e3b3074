"""Newsletter MIME skeleton built once per newsletter and filled per recipient as bytes.

Building an ``EmailMessage`` per recipient costs milliseconds; here the headers that do
not change are encoded once, the bodies are split around their placeholder tokens once per
set of tokens, and a render only joins strings, escapes values and QP-encodes each part with
``binascii.b2a_qp`` (C code, ~0.1 ms for 20 KB).
"""

from __future__ import annotations

import binascii
import re
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from email.header import Header
from email.utils import formatdate, parseaddr
from html import escape as html_escape

CRLF = "\r\n"
MAX_LINE = 998
TOKEN_RE = re.compile(r"^[A-Za-z0-9_]+$")
# C0 controls, DEL and the characters str.splitlines() treats as line breaks.
FORBIDDEN_RE = re.compile(r"[\x00-\x1f\x7f\x85\u2028\u2029]")
ATEXT_PHRASE_RE = re.compile(r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~ -]*$")
LIST_ID_RE = re.compile(r"^(?P<name>.*?)\s*<(?P<id>[A-Za-z0-9][A-Za-z0-9.-]*\.[A-Za-z0-9-]+)>$")
MESSAGE_ID_RE = re.compile(r"^<[^<>@\s]+@[A-Za-z0-9.-]+>$")
URL_RE = re.compile(r"^https?://[^\s<>\"]+$")
MAILTO_RE = re.compile(r"^mailto:[^\s<>\"]+$")
PART_HEAD = (
    'Content-Type: text/{subtype}; charset="utf-8"' + CRLF
    + "Content-Transfer-Encoding: quoted-printable" + CRLF + CRLF
)  # fmt: skip


def check_header(name: str, value: str) -> str:
    """Return value, or raise ValueError naming the header if it holds CR, LF or controls."""
    if not isinstance(value, str):
        raise ValueError(f"{name}: header value must be a string")
    if FORBIDDEN_RE.search(value):
        raise ValueError(f"{name}: control characters (CR, LF, ...) are not allowed")
    return value


def make_message_id(domain: str) -> str:
    """A new unique Message-ID on the sender's domain."""
    check_header("Message-ID", domain)
    return f"<{time.time_ns():x}.{secrets.token_hex(10)}@{domain}>"


def encode_phrase(name: str, header: str) -> str:
    """A display name as an atom run, a quoted string, or RFC 2047 encoded words."""
    check_header(header, name)
    if not name:
        return ""
    if name.isascii():
        if ATEXT_PHRASE_RE.match(name):
            return name
        return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return Header(name, "utf-8", maxlinelen=76, header_name=header).encode(linesep=CRLF)


def encode_address(addr: str, header: str) -> str:
    """A bare address with its domain IDNA-encoded; non-ASCII local parts are refused."""
    check_header(header, addr)
    local, at, domain = addr.rpartition("@")
    if not at or not local or not domain or any(c in addr for c in ' <>,;"\\'):
        raise ValueError(f"{header}: invalid address {addr!r}")
    if not local.isascii():
        raise ValueError(f"{header}: non-ASCII local part needs SMTPUTF8: {addr!r}")
    if not domain.isascii():
        domain = domain.encode("idna").decode("ascii")
    return f"{local}@{domain}"


def format_mailbox(name: str, addr: str, header: str) -> str:
    """``Name <addr>`` with the name encoded as needed, or the bare address."""
    address = encode_address(addr, header)
    phrase = encode_phrase(name or "", header)
    return f"{phrase} <{address}>" if phrase else address


def parse_mailbox(value: str, header: str) -> str:
    """Encode a ``Name <addr>`` string given whole (From, Reply-To)."""
    check_header(header, value)
    name, addr = parseaddr(value)
    if not addr:
        raise ValueError(f"{header}: no address in {value!r}")
    return format_mailbox(name, addr, header)


def header_line(name: str, value: str) -> str:
    """One header line ending with CRLF; refuses a line longer than 998 octets."""
    line = f"{name}: {value}{CRLF}"
    if any(len(part.encode()) > MAX_LINE for part in line.split(CRLF)):
        raise ValueError(f"{name}: header line longer than {MAX_LINE} octets")
    return line


def qp_encode(text: str) -> bytes:
    """Quoted-printable UTF-8 with CRLF line ends and lines of at most 76 characters."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return binascii.b2a_qp(text.encode("utf-8")).replace(b"\n", b"\r\n")


def split_tokens(body: str, tokens: frozenset[str]) -> tuple[str, ...]:
    """Split a body around the tokens: literals at even indexes, token names at odd ones."""
    if not tokens:
        return (body,)
    # Longest first so that a token that prefixes another does not win.
    pattern = "(" + "|".join(sorted(tokens, key=len, reverse=True)) + ")"
    return tuple(re.split(pattern, body))


@dataclass
class MessageTemplate:
    """The invariant parts of a newsletter message; ``render`` fills in one recipient."""

    html: str
    text: str
    static_headers: str
    boundary: str
    date_source: Callable[[], float]
    _splits: dict = field(default_factory=dict, repr=False)
    _date_cache: tuple[int, str] = (-1, "")

    @classmethod
    def build(
        cls,
        *,
        from_addr: str,
        subject: str,
        reply_to: str | None,
        list_id: str,
        list_archive_url: str,
        html: str,
        text: str,
        domain: str,
        date_source: Callable[[], float] | None = None,
    ) -> MessageTemplate:
        """Encode the headers shared by every recipient; validate every value."""
        check_header("Message-ID", domain)
        match = LIST_ID_RE.match(check_header("List-Id", list_id))
        if not match:
            raise ValueError(f"List-Id: expected 'Name <slug.domain>', got {list_id!r}")
        list_name = encode_phrase(match["name"], "List-Id")
        if not URL_RE.match(check_header("List-Archive", list_archive_url)):
            raise ValueError(f"List-Archive: not an http(s) URL: {list_archive_url!r}")
        check_header("Subject", subject)
        # The boundary holds "=_", which quoted-printable output can never contain.
        boundary = f"=_cacnews_{secrets.token_hex(12)}"
        lines = [
            header_line("From", parse_mailbox(from_addr, "From")),
            header_line(
                "Subject",
                Header(
                    subject,
                    "utf-8" if not subject.isascii() else "us-ascii",
                    maxlinelen=78,
                    header_name="Subject",
                ).encode(linesep=CRLF),
            ),  # fmt: skip
        ]
        if reply_to:
            lines.append(header_line("Reply-To", parse_mailbox(reply_to, "Reply-To")))
        lines += [
            header_line("List-Id", f"{list_name} <{match['id']}>".lstrip()),
            header_line("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"),
            header_line("List-Archive", f"<{list_archive_url}>"),
            header_line("MIME-Version", "1.0"),
            header_line("Content-Type", f'multipart/alternative; boundary="{boundary}"'),
        ]
        return cls(
            html=html,
            text=text,
            static_headers="".join(lines),
            boundary=boundary,
            date_source=date_source or time.time,
        )

    def _split(self, tokens: frozenset[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """The text and HTML bodies split around these tokens, cached per token set."""
        splits = self._splits.get(tokens)
        if splits is None:
            for token in tokens:
                if not TOKEN_RE.match(token):
                    raise ValueError(f"invalid placeholder token {token!r}")
            splits = (split_tokens(self.text, tokens), split_tokens(self.html, tokens))
            self._splits[tokens] = splits
        return splits

    def _date(self) -> str:
        """The Date header value, formatted once per second."""
        second = int(self.date_source())
        if self._date_cache[0] != second:
            self._date_cache = (second, formatdate(second).replace("-0000", "+0000"))
        return self._date_cache[1]

    def render(
        self,
        recipient_email: str,
        recipient_name: str,
        values: dict[str, str],
        list_unsubscribe_url: str,
        list_unsubscribe_mailto: str | None,
        message_id: str,
    ) -> bytes:
        """The complete message for one recipient, as CRLF-terminated bytes."""
        if not URL_RE.match(check_header("List-Unsubscribe", list_unsubscribe_url)):
            raise ValueError(f"List-Unsubscribe: not an http(s) URL: {list_unsubscribe_url!r}")
        unsubscribe = f"<{list_unsubscribe_url}>"
        if list_unsubscribe_mailto:
            check_header("List-Unsubscribe", list_unsubscribe_mailto)
            if not MAILTO_RE.match(list_unsubscribe_mailto):
                raise ValueError(f"List-Unsubscribe: not a mailto URL: {list_unsubscribe_mailto!r}")
            unsubscribe += f",{CRLF} <{list_unsubscribe_mailto}>"
        if not MESSAGE_ID_RE.match(check_header("Message-ID", message_id)):
            raise ValueError(f"Message-ID: malformed {message_id!r}")
        head = (
            header_line("Date", self._date())
            + header_line("To", format_mailbox(recipient_name, recipient_email, "To"))
            + header_line("Message-ID", message_id)
            + header_line("List-Unsubscribe", unsubscribe)
            + self.static_headers
        )
        text_parts, html_parts = self._split(frozenset(values))
        text = list(text_parts)
        html_body = list(html_parts)
        for i in range(1, len(text), 2):
            text[i] = values[text[i]]
        for i in range(1, len(html_body), 2):
            html_body[i] = html_escape(values[html_body[i]])
        delimiter = f"{CRLF}--{self.boundary}{CRLF}".encode()
        return b"".join(
            (
                head.encode("ascii"),
                CRLF.encode(),
                f"--{self.boundary}{CRLF}".encode(),
                PART_HEAD.format(subtype="plain").encode(),
                qp_encode("".join(text)),
                delimiter,
                PART_HEAD.format(subtype="html").encode(),
                qp_encode("".join(html_body)),
                f"{CRLF}--{self.boundary}--{CRLF}".encode(),
            )
        )
