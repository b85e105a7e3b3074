"""Attachments of archived posts, under the media rules: listed by name, served only when
their content is an image (re-encoded, metadata dropped) or a PDF, ODT or DOCX (told by the
content, never by the name), always as a download; anything else is named, not served."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path

from cac_news.errors import ValidationError
from cac_news.lists.incoming import parse
from cac_news.media.images import clean_image
from cac_news.models import ListPost
from cac_news.resources.files import EXTENSIONS, detect_type, safe_name

IMAGE_TYPES = {"jpg": "image/jpeg", "png": "image/png"}


@dataclass(frozen=True)
class Attachment:
    """One attached file of a post: its position, the name it came with, its size."""

    index: int
    name: str
    size: int


def _parts(message: EmailMessage) -> list[EmailMessage]:
    """The attached leaves of a message, in order (the body's text parts excluded)."""
    body = message.get_body(preferencelist=("plain", "html"))
    found = []
    for part in message.walk():
        if part.is_multipart() or part is body:
            continue
        if part.get_content_maintype() == "text" and not part.get_filename():
            continue
        if part.get_content_type() in ("application/pkcs7-signature", "application/pgp-signature"):
            continue
        found.append(part)
    return found


def attachments_of(post: ListPost) -> list[Attachment]:
    """The post's attachments (none for an erased or empty raw message)."""
    if not post.raw:
        return []
    listed = []
    for index, part in enumerate(_parts(parse(post.raw))):
        payload = part.get_payload(decode=True) or b""
        listed.append(Attachment(index, part.get_filename() or f"piece-{index + 1}", len(payload)))
    return listed


def served(post: ListPost, index: int) -> tuple[bytes, str, str] | None:
    """(content, MIME type, download name) of an attachment the rules let out, else None."""
    if not post.raw:
        return None
    parts = _parts(parse(post.raw))
    if not 0 <= index < len(parts):
        return None
    part = parts[index]
    data = part.get_payload(decode=True) or b""
    name = part.get_filename() or f"piece-{index + 1}"
    if part.get_content_maintype() == "image":
        try:
            image = clean_image(data)
        except ValidationError:
            return None
        stem = Path(name).stem or "image"
        return image.data, IMAGE_TYPES[image.extension], f"{safe_stem(stem)}.{image.extension}"
    with tempfile.NamedTemporaryFile(suffix=".bin") as handle:
        handle.write(data)
        handle.flush()
        mime = detect_type(Path(handle.name))
    if mime is None or mime not in EXTENSIONS:
        return None
    return data, mime, safe_name(name, mime)


def safe_stem(stem: str) -> str:
    """A plain-character file stem."""
    return safe_name(stem, "application/pdf").rsplit(".", 1)[0]
