"""The letters' titles in site pages: "Lettre n°N — subject" as the settings say, never
numbered twice when the pilot typed the number in the subject."""

from __future__ import annotations

from flask import g

from cac_news import settings
from cac_news.compose.render import numbered_title


def letter_title(number: int, subject: str) -> str:
    """A letter's title for lists and headings (settings read once per request)."""
    if "subject_numbering" not in g:
        g.subject_numbering = settings.load().subject_numbering
    return numbered_title(number, subject, g.subject_numbering)
