"""Cursor pagination: lists go by ascending id, a cursor names the last id already seen.

Unlike page numbers, a cursor neither skips nor repeats rows when others are added or
removed between two calls, and each page is one indexed range scan however deep it is.
The cursor is opaque to clients (URL-safe base64 of a versioned id).
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass

from sqlalchemy import Select

from cac_news.errors import ValidationError
from cac_news.extensions import db

DEFAULT_LIMIT = 50
MAX_LIMIT = 200
VERSION = "v1"


@dataclass
class CursorPage:
    """One page of rows and the cursor of the next page (None on the last page)."""

    items: list
    next_cursor: str | None


def encode_cursor(last_id: int) -> str:
    """The opaque cursor that continues after this id."""
    raw = f"{VERSION}:{last_id}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> int:
    """The id a cursor continues after (0 for no cursor); ValidationError if it is not ours."""
    if not cursor:
        return 0
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        version, _, value = base64.urlsafe_b64decode(padded.encode()).decode().partition(":")
        if version != VERSION or not value.isdigit() or len(value) > 10:
            raise ValueError(cursor)
        return int(value)
    except (ValueError, binascii.Error, UnicodeDecodeError) as exc:
        raise ValidationError.single(
            "cursor", "Not a cursor of this API: use the `next` link of a previous page."
        ) from exc


def parse_limit(raw: str | None) -> int:
    """The page size asked for, 1 to MAX_LIMIT; ValidationError otherwise."""
    if raw is None or raw == "":
        return DEFAULT_LIMIT
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_LIMIT:
        raise ValidationError.single("limit", f"A whole number from 1 to {MAX_LIMIT}.")
    return int(raw)


def paginate(statement: Select, id_column, cursor: str | None, limit: int) -> CursorPage:
    """The page of `statement` after the cursor, by ascending id."""
    after = decode_cursor(cursor)
    rows = list(
        db.session.scalars(statement.where(id_column > after).order_by(id_column).limit(limit + 1))
    )
    more = len(rows) > limit
    rows = rows[:limit]
    return CursorPage(items=rows, next_cursor=encode_cursor(rows[-1].id) if more else None)
