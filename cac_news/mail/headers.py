"""Header values for outgoing mail: validation against injection, RFC 2047, addresses."""

from __future__ import annotations

import binascii
import re
import secrets
import time
from email.utils import parseaddr

CRLF = "\r\n"
MAX_LINE = 998
# C0 and C1 controls (CR, LF and NEL among them), DEL, and the Unicode line and paragraph
# separators: everything str.splitlines() or a mail client may treat as a line break.
FORBIDDEN_RE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
ATEXT_PHRASE_RE = re.compile(r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~ -]*$")


def has_control_characters(value: str) -> bool:
    """Tell whether a value holds a line break or another control character."""
    return bool(FORBIDDEN_RE.search(value or ""))


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
    return encode_words(name)


def encode_words(value: str) -> str:
    """RFC 2047 base64 encoded words of at most 68 characters, folded with CRLF SP.

    Each word ends after a space (kept inside the encoding, as RFC 2047 drops the space
    between encoded words): Python's address parser, which keeps that space, then shows a
    double space rather than a word cut in two.
    """
    chunks, chunk, size = [], "", 0
    for word in re.findall(r"[^ ]* *", value)[:-1] or [value]:
        length = len(word.encode("utf-8"))
        if chunk and size + length > 42:  # 42 bytes -> 56 base64 characters + 12 of markup
            chunks.append(chunk)
            chunk, size = "", 0
        for char in word if length > 42 else [word]:  # cut only words too long for one
            char_length = len(char.encode("utf-8"))
            if chunk and size + char_length > 42:
                chunks.append(chunk)
                chunk, size = "", 0
            chunk += char
            size += char_length
    chunks.append(chunk)
    return (CRLF + " ").join(
        "=?utf-8?b?" + binascii.b2a_base64(c.encode("utf-8"), newline=False).decode() + "?="
        for c in chunks
    )


def encode_subject(subject: str) -> str:
    """ASCII subjects folded at spaces; others as RFC 2047 encoded words."""
    check_header("Subject", subject)
    if subject.isascii():
        return fold_ascii(subject, len("Subject: "))
    return encode_words(subject)


def fold_ascii(value: str, offset: int, width: int = 78) -> str:
    """Fold an ASCII value before spaces so that lines keep to ``width`` where possible."""
    lines, line = [], ""
    for i, word in enumerate(value.split(" ")):
        piece = word if i == 0 else " " + word
        if line.strip() and offset + len(line) + len(piece) > width:
            lines.append(line)
            line, offset = piece, 0  # the continuation line starts with the space
        else:
            line += piece
    lines.append(line)
    return CRLF.join(lines)


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
    if not phrase:
        return address
    last = phrase.rsplit(CRLF, 1)[-1]
    offset = 0 if CRLF in phrase else len(header) + 2
    # Fold before the address rather than run past 78 characters.
    fold = CRLF if offset + len(last) + len(address) + 3 > 78 else ""
    return f"{phrase}{fold} <{address}>"


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
