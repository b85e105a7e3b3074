"""Where bounce messages come from: a Maildir, an mbox file, or one message on a stream.

Every source yields `SourceMessage` items holding the raw bytes and a reference for
reporting. Reading never judges the content: a truncated or garbage message is yielded
as it is and the parser reports it. Nothing is ever deleted; a Maildir message can be
marked processed, which moves it into cur/ with the Seen flag (the Maildir convention
mail clients understand), so a later run skips it.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

MAILDIR_INFO_SEPARATOR = ":2,"
SEEN_FLAG = "S"


@dataclass
class SourceMessage:
    """One message read from a source: its bytes and where it came from."""

    raw: bytes
    ref: str
    error: str | None = None  # why the bytes could not be read, when they could not
    _mark: Callable[[], str] | None = field(default=None, repr=False)

    @property
    def can_mark(self) -> bool:
        """Whether the source can record that this message was processed."""
        return self._mark is not None

    def mark_processed(self) -> str | None:
        """Record that the message was processed; returns its new reference, or None."""
        if self._mark is None:
            return None
        self.ref = self._mark()
        return self.ref


# --- Maildir -------------------------------------------------------------------------


def maildir_flags(name: str) -> str:
    """The flags of a Maildir file name ('' when it has no info part)."""
    _, sep, flags = name.partition(MAILDIR_INFO_SEPARATOR)
    return flags if sep else ""


def mark_maildir_seen(path: Path) -> Path:
    """Move a Maildir message into cur/ with the S flag added; never deletes it."""
    base, sep, flags = path.name.partition(MAILDIR_INFO_SEPARATOR)
    new_flags = "".join(sorted(set(flags if sep else "") | {SEEN_FLAG}))
    target = path.parent.parent / "cur" / f"{base}{MAILDIR_INFO_SEPARATOR}{new_flags}"
    if target != path:
        os.replace(path, target)  # same file system: an atomic rename
    return target


def iter_maildir(
    directory: str | os.PathLike, include_seen: bool = False
) -> Iterator[SourceMessage]:
    """Yield the messages of a Maildir's new/ and cur/ (skipping seen ones unless asked)."""
    root = Path(directory)
    if not (root / "new").is_dir() or not (root / "cur").is_dir():
        raise NotADirectoryError(f"{root} is not a Maildir (no new/ and cur/ folders)")
    for sub in ("new", "cur"):
        for path in sorted((root / sub).iterdir()):
            if path.name.startswith(".") or path.is_dir():
                continue
            if sub == "cur" and SEEN_FLAG in maildir_flags(path.name) and not include_seen:
                continue
            yield _read_maildir_file(path)


def _read_maildir_file(path: Path) -> SourceMessage:
    """Read one Maildir file; an unreadable file becomes an empty item carrying the error."""
    try:
        raw, error = path.read_bytes(), None
    except OSError as exc:  # vanished or unreadable: report it, do not stop the run
        raw, error = b"", f"{type(exc).__name__}: {exc}"
    return SourceMessage(raw, str(path), error, _mark=lambda: str(mark_maildir_seen(path)))


# --- mbox ----------------------------------------------------------------------------


def iter_mbox(path: str | os.PathLike) -> Iterator[SourceMessage]:
    """Yield the messages of an mbox file, split on its "From " lines.

    Bytes before the first "From " line (a file that is not really an mbox) are yielded
    as one more item rather than dropped, so that the run counts them as malformed.
    """
    with open(path, "rb") as handle:  # a missing file is the caller's error: it raises here
        index, chunk, start_line = 0, [], 1
        previous_blank = True
        for number, line in enumerate(handle, start=1):
            if line.startswith(b"From ") and previous_blank:
                if chunk and any(part.strip() for part in chunk):
                    yield _mbox_item(path, index, start_line, chunk)
                    index += 1
                chunk, start_line = [], number
                previous_blank = False
                continue  # the From_ line is the separator, not part of the message
            chunk.append(line)
            previous_blank = line in (b"\n", b"\r\n")
        if chunk and any(part.strip() for part in chunk):
            yield _mbox_item(path, index, start_line, chunk)


def _mbox_item(path: str | os.PathLike, index: int, line: int, chunk: list[bytes]) -> SourceMessage:
    """One mbox message; the blank line that separates it from the next belongs to neither."""
    raw = b"".join(chunk)
    if raw.endswith(b"\n\n"):
        raw = raw[:-1]
    return SourceMessage(raw, f"{os.fspath(path)}#{index} (line {line})")


# --- a stream (standard input) -------------------------------------------------------


def iter_stream(stream: BinaryIO, ref: str = "<stdin>") -> Iterator[SourceMessage]:
    """Yield the one message read from a binary stream."""
    try:
        raw, error = stream.read(), None
    except OSError as exc:
        raw, error = b"", f"{type(exc).__name__}: {exc}"
    yield SourceMessage(raw or b"", ref, error)
