"""Attached files: the type is told by the content (never the name nor the browser's word),
the size is bounded, the file is stored under the instance's media/resources/ by a random
name, and served as a download."""

from __future__ import annotations

import re
import secrets
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from flask import current_app
from flask_babel import lazy_gettext as _l

from cac_news.errors import ValidationError

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
CHUNK = 64 * 1024
ODT_MIME = "application/vnd.oasis.opendocument.text"
DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
DOCX_MAIN = DOCX_MIME + ".main+xml"
PDF_MIME = "application/pdf"
EXTENSIONS = {PDF_MIME: "pdf", ODT_MIME: "odt", DOCX_MIME: "docx"}
SMALL_MEMBER = 1024 * 1024  # the zip members read to tell the type are small


@dataclass(frozen=True)
class StoredFile:
    """A checked file now in media/resources/."""

    stored: str  # file name on disk
    name: str  # download name, with the extension of its real type
    mime: str
    size: int


def media_dir() -> Path:
    """The folder of the resources' files (created on demand)."""
    folder = Path(current_app.instance_path) / "media" / "resources"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def max_bytes() -> int:
    """The largest file accepted (RESOURCE_MAX_BYTES)."""
    return int(current_app.config.get("RESOURCE_MAX_BYTES") or DEFAULT_MAX_BYTES)


def _field_error(message) -> ValidationError:
    # The message names the field: it is also shown in the summary above the form.
    return ValidationError.single(
        "file", str(_l("%(field)s: %(message)s", field=_l("Attached file"), message=message))
    )


def detect_type(path: Path) -> str | None:
    """The MIME type of a PDF, ODT or DOCX file read from its content, else None."""
    with path.open("rb") as handle:
        head = handle.read(8)
    if head.startswith(b"%PDF-"):
        return PDF_MIME
    if not head.startswith(b"PK\x03\x04") or not zipfile.is_zipfile(path):
        return None
    try:
        with zipfile.ZipFile(path) as archive:
            members = {info.filename: info for info in archive.infolist()}
            mimetype = members.get("mimetype")
            if (
                mimetype is not None
                and mimetype.file_size < 200
                and archive.read(mimetype).strip() == ODT_MIME.encode()
            ):
                return ODT_MIME
            types = members.get("[Content_Types].xml")
            if (
                types is not None
                and types.file_size < SMALL_MEMBER
                and "word/document.xml" in members
                and DOCX_MAIN.encode() in archive.read(types)
            ):
                return DOCX_MIME
    except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError):
        return None
    return None


def safe_name(original: str, mime: str) -> str:
    """A download name: the original's stem in plain characters, the real type's extension."""
    stem = Path(original or "").stem
    folded = unicodedata.normalize("NFKD", stem)
    ascii_stem = "".join(c for c in folded if not unicodedata.combining(c))
    ascii_stem = re.sub(r"[^A-Za-z0-9._-]+", "-", ascii_stem).strip(".-_")[:100]
    return f"{ascii_stem or 'document'}.{EXTENSIONS[mime]}"


def store_upload(stream: BinaryIO, original_name: str) -> StoredFile:
    """Copy an upload into media/resources/ if it is a PDF, ODT or DOCX within the limit.

    Raise ValidationError on the `file` field otherwise; nothing is left on disk then.
    """
    limit = max_bytes()
    folder = media_dir()
    temporary = folder / f".upload-{secrets.token_hex(8)}"
    size = 0
    try:
        with temporary.open("wb") as out:
            while chunk := stream.read(CHUNK):
                size += len(chunk)
                if size > limit:
                    raise _field_error(
                        _l(
                            "the file is larger than %(mb).0f MB, the limit.",
                            mb=limit / (1024 * 1024),
                        )
                        if limit >= 1024 * 1024
                        else _l("the file is larger than %(n)d bytes, the limit.", n=limit)
                    )
                out.write(chunk)
        if size == 0:
            raise _field_error(_l("the file is empty."))
        mime = detect_type(temporary)
        if mime is None:
            raise _field_error(
                _l(
                    "the content of “%(name)s” is not a PDF, ODT or DOCX document.",
                    name=original_name or "?",
                )
            )
        stored = f"{secrets.token_hex(16)}.{EXTENSIONS[mime]}"
        temporary.replace(folder / stored)
        return StoredFile(stored, safe_name(original_name, mime), mime, size)
    finally:
        temporary.unlink(missing_ok=True)


def stored_path(stored: str) -> Path | None:
    """The path of a stored file, if the name is one this module makes and it exists."""
    if not re.fullmatch(r"[0-9a-f]{32}\.(pdf|odt|docx)", stored or ""):
        return None
    path = media_dir() / stored
    return path if path.is_file() else None


def remove_stored(stored: str | None) -> None:
    """Delete a stored file (after its resource dropped or replaced it)."""
    path = stored_path(stored or "")
    if path is not None:
        path.unlink(missing_ok=True)
