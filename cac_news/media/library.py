"""The media library: store re-encoded uploads under the instance folder, list, delete."""

from __future__ import annotations

import os
import re
import secrets
import unicodedata
from collections.abc import Mapping
from pathlib import Path

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from cac_news.errors import ValidationError
from cac_news.extensions import db
from cac_news.media.images import CONTENT_TYPES, clean_image
from cac_news.models import MediaFile, Pilot
from cac_news.pagination import Page, paginate
from cac_news.urls import external_url

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
MAX_ALT_LENGTH = 300
# What the app writes: 32 hex characters and the extension of a format it encodes.
STORED_NAME = re.compile(r"^[0-9a-f]{32}\.(?:jpg|png)$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


class TooLarge(ValidationError):
    """The upload is over MEDIA_MAX_BYTES (answered 413)."""


def max_bytes(config: Mapping) -> int:
    """MEDIA_MAX_BYTES, the largest upload accepted (default 10 MB)."""
    try:
        return max(1, int(config.get("MEDIA_MAX_BYTES") or DEFAULT_MAX_BYTES))
    except (TypeError, ValueError):
        return DEFAULT_MAX_BYTES


def images_dir(config: Mapping | None = None) -> Path:
    """instance/media/images (MEDIA_DIR overrides the media folder)."""
    config = config if config is not None else current_app.config
    base = config.get("MEDIA_DIR") or os.path.join(current_app.instance_path, "media")
    return Path(base) / "images"


def media_url(media: MediaFile) -> str:
    """The image's stable absolute address under SITE_URL (for mails and the composer)."""
    return external_url("media.file", name=media.stored_name)


def check_alt(alt: str | None) -> str:
    """The text alternative: required, one line, at most MAX_ALT_LENGTH characters."""
    text = " ".join(_CONTROL.sub(" ", alt or "").split())
    if not text:
        raise ValidationError.single(
            "alt",
            str(_l("Describe the image in the “alt” field: people who cannot see it read this.")),
        )
    if len(text) > MAX_ALT_LENGTH:
        raise ValidationError.single("alt", str(_l("At most %(n)d characters.", n=MAX_ALT_LENGTH)))
    return text


def _original_name(filename: str | None) -> str:
    name = unicodedata.normalize("NFC", os.path.basename(filename or ""))
    return _CONTROL.sub("", name)[:255]


def save_upload(
    data: bytes, filename: str | None, alt: str | None, uploader: Pilot | None = None
) -> MediaFile:
    """Check, re-encode and store an image; ValidationError (field `file` or `alt`) if not."""
    limit = max_bytes(current_app.config)
    if not data:
        raise ValidationError.single("file", str(_l("Choose an image file to send.")))
    if len(data) > limit:
        megabytes = round(limit / 1024 / 1024)
        raise TooLarge({"file": str(_l("The file is too large: at most %(mb)s MB.", mb=megabytes))})
    alt_text = check_alt(alt)
    if (filename or "").lower().endswith((".svg", ".svgz")):
        raise ValidationError.single(
            "file", str(_l("SVG images are not accepted: send a PNG or a JPEG."))
        )
    image = clean_image(data)
    folder = images_dir()
    folder.mkdir(parents=True, exist_ok=True)
    stored_name = f"{secrets.token_hex(16)}.{image.extension}"
    path = folder / stored_name
    temporary = folder / f".{stored_name}.part"
    temporary.write_bytes(image.data)
    os.replace(temporary, path)  # readers never see half a file
    media = MediaFile(
        stored_name=stored_name,
        original_name=_original_name(filename),
        content_type=image.content_type,
        width=image.width,
        height=image.height,
        alt=alt_text,
        bytes=len(image.data),
        sha256=image.sha256,
        uploaded_by_id=uploader.id if uploader is not None else None,
    )
    db.session.add(media)
    try:
        db.session.commit()
    except Exception:
        db.session.rollback()
        path.unlink(missing_ok=True)
        raise
    return media


def stored_file(name: str) -> tuple[Path, str] | None:
    """(path, Content-Type) of a stored image by its name, or None for anything else."""
    if not STORED_NAME.match(name):
        return None
    path = images_dir() / name
    if not path.is_file():
        return None
    return path, CONTENT_TYPES[name.rsplit(".", 1)[1]]


def list_media(page: int = 1, per_page: int = 24) -> Page:
    """One page of the library, newest first."""
    return paginate(select(MediaFile).order_by(MediaFile.id.desc()), page, per_page)


def all_media() -> list[MediaFile]:
    """Every image, newest first (the logo choice)."""
    return list(db.session.scalars(select(MediaFile).order_by(MediaFile.id.desc())))


def remove_file(media: MediaFile) -> None:
    """Delete the row and the file (the caller has checked the image is not in use)."""
    path = images_dir() / media.stored_name
    db.session.delete(media)
    db.session.commit()
    path.unlink(missing_ok=True)
