"""Locale selection: French first, English by Accept-Language or an explicit switch."""

from __future__ import annotations

import re
from datetime import date, datetime

from flask import current_app, has_request_context, request, session
from flask_babel import format_date, format_datetime, get_locale, to_user_timezone

# French writes the first day of a month as an ordinal: « 1er janvier », never « 1 janvier ».
_FIRST_OF_MONTH = re.compile(r"(?<![\d:.,])1 (?=[^\W\d_])")


def select_locale() -> str:
    """The language chosen with the switch, else the browser's preference, else French."""
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():  # command line, worker: the default language
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    chosen = session.get("lang")
    if chosen in languages:
        return chosen
    return (
        request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]
    )


def current_locale() -> str:
    """The language of the page being rendered, as a two-letter code."""
    locale = get_locale()
    return locale.language if locale else current_app.config["BABEL_DEFAULT_LOCALE"]


def _ordinal_first(text: str, moment: date) -> str:
    if moment.day == 1 and current_locale() == "fr":
        return _FIRST_OF_MONTH.sub("1er ", text, count=1)
    return text


def date_label(value: date | datetime | None, format: str = "medium") -> str:
    """Babel's date in the page's language, with « 1er » in French."""
    if value is None:
        return ""
    return _ordinal_first(format_date(value, format), value)


def datetime_label(value: datetime | None, format: str = "medium") -> str:
    """Babel's date and time in the page's language and time zone, « 1er » in French."""
    if value is None:
        return ""
    text = format_datetime(value, format)
    return _ordinal_first(text, to_user_timezone(value))
