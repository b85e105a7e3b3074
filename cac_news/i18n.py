"""Locale selection: French first, English by Accept-Language or an explicit switch."""

from __future__ import annotations

from flask import current_app, has_request_context, request, session
from flask_babel import get_locale


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
