"""The welcome mail: the settings' Markdown in the letters' template, with their greeting."""

from __future__ import annotations

import re

from flask import current_app, render_template
from flask_babel import force_locale
from markupsafe import Markup

from cac_news import personalisation
from cac_news.compose.render import (
    RenderedNewsletter,
    branding,
    fill_first_name,
    inline_css,
    markdown_html,
)
from cac_news.compose.text import Footnotes, html_to_text
from cac_news.settings import SiteSettings


def welcome_subject(site: SiteSettings, first_name: str) -> str:
    """The subject with the first name filled in (a missing name leaves no double space)."""
    subject = personalisation.fill(site.welcome_subject, first_name)
    return re.sub(r"\s+([,.])", r"\1", " ".join(subject.split()))


def render_welcome(site: SiteSettings) -> RenderedNewsletter:
    """The welcome mail's HTML (CSS inlined) and text, with the per-recipient tokens."""
    lang = current_app.config["BABEL_DEFAULT_LOCALE"]
    with force_locale(lang):
        footnotes = Footnotes()
        # Only the token's letters are added to the sanitised HTML: it stays safe.
        body = Markup(fill_first_name(str(markdown_html(site.welcome_body))))  # noqa: S704
        context = {
            **branding(site),
            "title": fill_first_name(site.welcome_subject),
            "preheader": "",
            "intro_html": body,
            "intro_text": html_to_text(body, footnotes),
            "closing_html": "",
            "closing_text": "",
            "groups": [],
            "web_url": None,
            "footnotes": footnotes,
        }
        html = render_template("email/newsletter.html", lang=lang, web=False, **context)
        text = render_template("email/newsletter.txt", **context)
    text = re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"
    return RenderedNewsletter(html=inline_css(html), text=text, web_html="")
