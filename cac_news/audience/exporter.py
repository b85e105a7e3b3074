"""Export subscribers to CSV: UTF-8 with BOM, every field, safe against formula injection."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from typing import TextIO

from sqlalchemy import select

from cac_news import territories
from cac_news.audience.segments import segment_query
from cac_news.extensions import db
from cac_news.models import Segment, Subscriber

CHUNK = 1000
COLUMNS = (
    "email", "first_name", "last_name", "organisation", "territory", "territory_name",
    "modes", "language", "status", "consent_at", "consent_source", "consent_detail",
    "created_at",
)  # fmt: skip
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# French Excel splits a comma-separated file on ";" (the list separator of its locale), so a
# cell "Dupont;=HYPERLINK(…)" would become two cells, the second a formula.
FORMULA_AFTER_SEPARATOR = re.compile(r"([;\t])(\s*)(?=[=+\-@])")


def neutralise(value: object) -> str:
    """A cell as text; whatever a spreadsheet would run as a formula gets a leading quote,
    also after a ";" where a French Excel would start a new cell."""
    text = "" if value is None else str(value)
    text = FORMULA_AFTER_SEPARATOR.sub(r"\1\2'", text)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def export_rows(segment: Segment | None = None) -> Iterator[list[str]]:
    """The header, then one row per subscriber (a segment's, or all), read in chunks."""
    yield list(COLUMNS)
    base = segment_query(segment) if segment is not None else select(Subscriber)
    last_id = 0
    while True:
        chunk = list(
            db.session.scalars(
                base.where(Subscriber.id > last_id).order_by(Subscriber.id).limit(CHUNK)
            )
        )
        if not chunk:
            return
        for s in chunk:
            territory = territories.get(s.territory_code) if s.territory_code else None
            yield [
                neutralise(v)
                for v in (
                    s.email, s.first_name, s.last_name, s.organisation, s.territory_code,
                    territory.name if territory else "", "|".join(sorted(m.slug for m in s.modes)),
                    s.language, s.status,
                    s.consent_at.isoformat(sep=" ") if s.consent_at else "",
                    s.consent_source, s.consent_detail, s.created_at.isoformat(sep=" "),
                )
            ]  # fmt: skip
        last_id = chunk[-1].id
        for s in chunk:
            db.session.expunge(s)  # keep memory flat on large lists


def write_csv(out: TextIO, segment: Segment | None = None) -> int:
    """Write the export to a text file opened with newline=""; return the row count."""
    writer = csv.writer(out)
    count = -1
    for row in export_rows(segment):
        writer.writerow(row)
        count += 1
    return count


def iter_csv(segment: Segment | None = None) -> Iterator[str]:
    """The export as text chunks, starting with a BOM (for a streamed download)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    yield "\ufeff"
    for n, row in enumerate(export_rows(segment)):
        writer.writerow(row)
        if n % 500 == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()
