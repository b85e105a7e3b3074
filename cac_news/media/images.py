"""Uploaded images decoded and written again by Pillow: a fresh image without metadata.

Nothing of the uploaded bytes reaches a reader: the pixels are decoded (only JPEG, PNG,
WebP and GIF are tried, so SVG, HTML or a script renamed ``.jpg`` never decode), turned
upright from the EXIF orientation, converted to sRGB, scaled down to MAX_WIDTH and saved
as a new image, so EXIF (a phone's GPS position), XMP, ICC and comments are all gone.
Emails are the target: WebP and GIF become PNG or JPEG, which every mail client shows.
"""

from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

from cac_news.errors import ValidationError

MAX_WIDTH = 1200  # twice the 600 px mail column: sharp on high-density screens
MAX_PIXELS = 50_000_000  # decoded size refused above this (decompression bombs)
ACCEPTED_FORMATS = ("JPEG", "PNG", "WEBP", "GIF")
JPEG_QUALITY = 85
CONTENT_TYPES = {"jpg": "image/jpeg", "png": "image/png"}


@dataclass(frozen=True)
class CleanImage:
    """The re-encoded image, ready to store."""

    data: bytes
    extension: str  # "jpg" or "png"
    width: int
    height: int

    @property
    def content_type(self) -> str:
        """The MIME type of the written format."""
        return CONTENT_TYPES[self.extension]

    @property
    def sha256(self) -> str:
        """The stored bytes' digest."""
        return hashlib.sha256(self.data).hexdigest()


def _refuse(message) -> ValidationError:
    return ValidationError.single("file", str(message))


def _decode(data: bytes) -> tuple[Image.Image, str]:
    """The first frame, fully decoded, and the format it came in; ValidationError if not."""
    unreadable = _l("The file is not an image the site can read (JPEG, PNG, WebP or GIF).")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=ACCEPTED_FORMATS)
            source_format = image.format or ""
            if image.width * image.height > MAX_PIXELS:
                raise _refuse(_l("The image is too large (more than 50 million pixels)."))
            image.seek(0)  # an animated GIF or WebP: its first frame
            image.load()
    except ValidationError:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _refuse(unreadable) from None
    except (OSError, ValueError, SyntaxError, EOFError):  # truncated or corrupt data
        raise _refuse(unreadable) from None
    return image, source_format


def _to_srgb(image: Image.Image) -> Image.Image:
    """Convert pixels tagged with an ICC profile to sRGB, since the profile is dropped."""
    icc = image.info.get("icc_profile")
    if not icc or image.mode not in ("RGB", "RGBA", "CMYK"):
        return image
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        target = ImageCms.createProfile("sRGB")
        mode = "RGBA" if image.mode == "RGBA" else "RGB"
        return ImageCms.profileToProfile(image, source, target, outputMode=mode) or image
    except (ImageCms.PyCMSError, OSError, ValueError):
        return image  # an unusable profile: keep the pixels as they are


def looks_like_svg(data: bytes) -> bool:
    """Whether undecodable bytes look like an SVG document (for a precise message)."""
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return head.startswith((b"<?xml", b"<svg", b"<!doctype svg")) and b"<svg" in head


def _has_alpha(image: Image.Image) -> bool:
    return image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info


def clean_image(data: bytes, max_width: int = MAX_WIDTH) -> CleanImage:
    """Decode, straighten, scale down and re-encode an upload; ValidationError if refused."""
    try:
        image, source_format = _decode(data)
    except ValidationError:
        if looks_like_svg(data):  # SVG can carry scripts: it is never served
            raise _refuse(_l("SVG images are not accepted: send a PNG or a JPEG.")) from None
        raise
    image = ImageOps.exif_transpose(image) or image
    image = _to_srgb(image)
    alpha = _has_alpha(image)
    image = image.convert("RGBA" if alpha else ("L" if image.mode in ("1", "L") else "RGB"))
    if image.width > max_width:
        height = max(1, round(image.height * max_width / image.width))
        image = image.resize((max_width, height), Image.Resampling.LANCZOS)
    # A fresh image holds the pixels only: no info dict, hence no EXIF, XMP, ICC, comment.
    fresh = Image.frombytes(image.mode, image.size, image.tobytes())
    out = io.BytesIO()
    # Photos stay JPEG; graphics and anything transparent become PNG.
    if source_format == "JPEG" or (source_format == "WEBP" and not alpha):
        fresh.save(out, format="JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
        extension = "jpg"
    else:
        fresh.save(out, format="PNG", optimize=True)
        extension = "png"
    return CleanImage(out.getvalue(), extension, fresh.width, fresh.height)
