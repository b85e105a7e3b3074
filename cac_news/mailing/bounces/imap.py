"""The bounce mailbox over IMAP: read unseen messages, then move or flag the processed ones.

Messages are fetched with BODY.PEEK[] so reading does not mark them seen; only a message
the run matched is moved to BOUNCE_IMAP_PROCESSED_FOLDER (IMAP MOVE, or COPY and \\Seen
where the server lacks MOVE) or flagged \\Seen. Nothing is ever expunged.
"""

from __future__ import annotations

import imaplib
import re
import ssl
from collections.abc import Iterator, Mapping

from .sources import SourceMessage

FETCH_SIZE_RE = re.compile(rb"\{(\d+)\}$")


class ImapError(Exception):
    """The mailbox could not be reached or read."""


def _quote(folder: str) -> str:
    """A mailbox name as an IMAP quoted string."""
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _check(result: tuple, what: str):
    """The data of an OK response; anything else raises ImapError."""
    status, data = result
    if status != "OK":
        detail = b" ".join(d for d in data if isinstance(d, bytes)).decode("utf-8", "replace")
        raise ImapError(f"{what}: {status} {detail}".strip())
    return data


def connect(config: Mapping) -> imaplib.IMAP4:
    """Log in to the configured bounce mailbox; the caller logs out."""
    host = config.get("BOUNCE_IMAP_HOST")
    if not host:
        raise ImapError("BOUNCE_IMAP_HOST is not set")
    port = int(config.get("BOUNCE_IMAP_PORT") or 993)
    timeout = config.get("MAIL_TIMEOUT", 30)
    try:
        if config.get("BOUNCE_IMAP_SSL", True):
            conn: imaplib.IMAP4 = imaplib.IMAP4_SSL(
                host, port, ssl_context=ssl.create_default_context(), timeout=timeout
            )
        else:
            conn = imaplib.IMAP4(host, port, timeout=timeout)
        _check(
            conn.login(
                config.get("BOUNCE_IMAP_USER") or "", config.get("BOUNCE_IMAP_PASSWORD") or ""
            ),
            "LOGIN",
        )
        # Servers announce more after login (MOVE among them): imaplib keeps the first list.
        data = _check(conn.capability(), "CAPABILITY")
        conn.capabilities = tuple(data[-1].decode("ascii", "replace").upper().split())
    except (OSError, imaplib.IMAP4.error) as exc:
        raise ImapError(f"{host}:{port}: {exc}") from exc
    return conn


def iter_imap(conn: imaplib.IMAP4, config: Mapping) -> Iterator[SourceMessage]:
    """Yield the unseen messages of BOUNCE_IMAP_FOLDER; marking moves or flags one."""
    folder = config.get("BOUNCE_IMAP_FOLDER") or "INBOX"
    processed = config.get("BOUNCE_IMAP_PROCESSED_FOLDER") or None
    _check(conn.select(_quote(folder)), f"SELECT {folder}")
    if processed:
        conn.create(_quote(processed))  # NO when it exists already: fine
    uids = _check(conn.uid("SEARCH", "UNSEEN"), "SEARCH")[0].split()
    for uid in uids:
        ref = f"imap:{folder}/{uid.decode()}"
        try:
            data = _check(conn.uid("FETCH", uid, "(BODY.PEEK[])"), f"FETCH {uid!r}")
            raw = next((item[1] for item in data if isinstance(item, tuple)), b"")
            error = None
        except (ImapError, imaplib.IMAP4.error) as exc:
            raw, error = b"", str(exc)
        yield SourceMessage(raw, ref, error, _mark=_marker(conn, uid, folder, processed))


def _marker(conn: imaplib.IMAP4, uid: bytes, folder: str, processed: str | None):
    """The function that marks one message processed: move it, or flag it seen."""

    def mark() -> str:
        if processed:
            if "MOVE" in conn.capabilities:
                _check(conn.uid("MOVE", uid, _quote(processed)), "MOVE")
                return f"imap:{processed} (moved from {folder}/{uid.decode()})"
            _check(conn.uid("COPY", uid, _quote(processed)), "COPY")
        _check(conn.uid("STORE", uid, "+FLAGS.SILENT", r"(\Seen)"), "STORE")
        return f"imap:{folder}/{uid.decode()} (seen)"

    return mark
