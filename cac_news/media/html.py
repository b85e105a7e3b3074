"""Library images in rendered HTML: width, height and alt, never wider than the column.

Outlook ignores CSS max-width and shows an image at its natural size unless the ``width``
attribute says otherwise, so each image of the library gets its dimensions scaled to the
mail column (the height keeps the ratio, so nothing jumps while images load).
"""

from __future__ import annotations

import re
from html import escape, unescape

from markupsafe import Markup
from sqlalchemy import select

from cac_news.extensions import db
from cac_news.media.library import media_url
from cac_news.models import MediaFile

EMAIL_COLUMN = 536  # the 600 px container minus its 32 px side paddings
IMG_TAG = re.compile(r"<img\b[^>]*>", re.IGNORECASE)
ATTRIBUTE = re.compile(r'([a-zA-Z-]+)="([^"]*)"')
MEDIA_NAME = re.compile(r"^(?:https?://[^/]+)?/media/([0-9a-f]{32}\.(?:jpg|png))(?:[?#].*)?$")


def display_size(width: int, height: int, column: int = EMAIL_COLUMN) -> tuple[int, int]:
    """The image's size in the column: its own, or scaled down to the column's width."""
    if width <= column:
        return width, height
    return column, max(1, round(height * column / width))


def _library(html: str) -> dict[str, MediaFile]:
    names = set()
    for tag in IMG_TAG.findall(html):
        src = dict(ATTRIBUTE.findall(tag)).get("src", "")
        found = MEDIA_NAME.search(unescape(src))
        if found:
            names.add(found.group(1))
    if not names:
        return {}
    rows = db.session.scalars(select(MediaFile).where(MediaFile.stored_name.in_(names)))
    return {row.stored_name: row for row in rows}


def size_images(html: str, column: int = EMAIL_COLUMN) -> Markup:
    """Give the library's images in sanitised HTML their width, height and alt text."""
    library = _library(html)
    if not library:
        return Markup(html)  # noqa: S704 (unchanged sanitised HTML)

    def rewrite(found: re.Match) -> str:
        attributes = dict(ATTRIBUTE.findall(found.group(0)))
        name = MEDIA_NAME.search(unescape(attributes.get("src", "")))
        media = library.get(name.group(1)) if name else None
        if media is None:
            return found.group(0)
        width, height = display_size(media.width, media.height, column)
        attributes["src"] = escape(media_url(media))  # absolute under SITE_URL, for mails
        attributes["width"], attributes["height"] = str(width), str(height)
        attributes["alt"] = attributes.get("alt") or escape(media.alt)
        return "<img " + " ".join(f'{key}="{value}"' for key, value in attributes.items()) + ">"

    return Markup(IMG_TAG.sub(rewrite, html))  # noqa: S704 (values from the library, escaped)
