"""Render a newsletter once (email HTML inlined by premailer, text, web copy), then
personalise the result per recipient by a cheap substitution of placeholder tokens.

premailer rewrites ``href`` values (``{{ url }}`` became ``{{%20url%20}}``), so the
per-recipient placeholders are made of letters only: they survive inlining untouched.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from itertools import groupby

from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from markupsafe import escape
from premailer import Premailer

from cac_news.compose.text import Footnotes, html_to_text
from cac_news.content.markdown import render_markdown
from cac_news.models import Newsletter
from cac_news.urls import external_url

# Per-recipient placeholders: letters, digits and underscores only (premailer-proof).
GREETING_NAME = "CACNEWSxGREETINGxNAME"
UNSUBSCRIBE_URL = "CACNEWSxUNSUBSCRIBExURL"
PREFERENCES_URL = "CACNEWSxPREFERENCESxURL"
TOKENS = (GREETING_NAME, UNSUBSCRIBE_URL, PREFERENCES_URL)
REQUIRED_VALUES = (UNSUBSCRIBE_URL, PREFERENCES_URL)
TOKEN_PATTERN = re.compile("|".join(TOKENS))


@dataclass(frozen=True)
class RenderedNewsletter:
    """The newsletter rendered once: email HTML and text (with tokens), and the web copy."""

    html: str
    text: str
    web_html: str


@dataclass(frozen=True)
class RenderedSection:
    """A section ready for the templates."""

    title: str
    html: str
    text: str


def web_copy_url(newsletter: Newsletter) -> str:
    """The public address of the newsletter's web copy."""
    return external_url("public.newsletter_copy", number=newsletter.number)


def inline_css(html: str) -> str:
    """Move the <style> rules into style= attributes; media queries stay in a <style>."""
    return Premailer(
        html,
        remove_classes=False,
        strip_important=False,
        allow_network=False,
        cssutils_logging_level=logging.CRITICAL,
    ).transform()


def _context(newsletter: Newsletter, footnotes: Footnotes) -> dict:
    """Template values shared by the three renderings."""
    config = current_app.config
    intro = render_markdown(newsletter.intro_md)
    closing = render_markdown(newsletter.closing_md)
    groups = []
    for label, sections in groupby(newsletter.sections, key=lambda s: s.group_label):
        rendered = []
        for section in sections:
            body = render_markdown(section.body_md)
            rendered.append(RenderedSection(section.title, body, html_to_text(body, footnotes)))
        groups.append((label, rendered))
    return {
        "newsletter": newsletter,
        "heading": _("Letter no. %(number)d", number=newsletter.number),
        "intro_html": intro,
        "intro_text": html_to_text(intro, footnotes),
        "closing_html": closing,
        "closing_text": html_to_text(closing, footnotes),
        "groups": groups,
        "site_name": config["SITE_NAME"],
        "organisation_name": config["ORGANISATION_NAME"],
        "organisation_address": config["ORGANISATION_ADDRESS"],
        "web_url": web_copy_url(newsletter),
        "tokens": {
            "greeting": GREETING_NAME,
            "unsubscribe": UNSUBSCRIBE_URL,
            "preferences": PREFERENCES_URL,
        },
        "footnotes": footnotes,
    }


def render_newsletter(newsletter: Newsletter) -> RenderedNewsletter:
    """Render the email (CSS inlined once), its text alternative and the web copy."""
    lang = current_app.config["BABEL_DEFAULT_LOCALE"]
    with force_locale(lang):
        footnotes = Footnotes()
        context = _context(newsletter, footnotes)
        email_html = render_template("email/newsletter.html", lang=lang, web=False, **context)
        web_html = render_template("email/newsletter.html", lang=lang, web=True, **context)
        text = render_template("email/newsletter.txt", **context)
    text = re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"  # template blocks leave gaps
    return RenderedNewsletter(html=inline_css(email_html), text=text, web_html=web_html)


def render_web_copy(newsletter: Newsletter) -> str:
    """Only the web copy (no premailer call): for the archive page and its preview."""
    lang = current_app.config["BABEL_DEFAULT_LOCALE"]
    with force_locale(lang):
        context = _context(newsletter, Footnotes())
        return render_template("email/newsletter.html", lang=lang, web=True, **context)


def personalise(rendered: RenderedNewsletter, values: dict[str, str]) -> tuple[str, str]:
    """Fill one recipient's values into (html, text); values are HTML-escaped in the HTML."""
    missing = [token for token in REQUIRED_VALUES if not values.get(token)]
    if missing:
        raise ValueError(f"missing values for {', '.join(missing)}")
    html, text = rendered.html, rendered.text
    # An empty name takes its leading space along: "Bonjour," rather than "Bonjour ,".
    if not values.get(GREETING_NAME):
        html = html.replace(" " + GREETING_NAME, "")
        text = text.replace(" " + GREETING_NAME, "")
    # One pass, so that a value that happens to contain a token is never filled in again.
    # (Previews and test sends only: the delivery engine uses mailing.message, which
    # splits the template on its tokens once per newsletter.)
    plain = {token: values.get(token) or "" for token in TOKENS}
    escaped = {token: str(escape(value)) for token, value in plain.items()}
    html = TOKEN_PATTERN.sub(lambda found: escaped[found.group(0)], html)
    text = TOKEN_PATTERN.sub(lambda found: plain[found.group(0)], text)
    return html, text


def sample_values(name: str = "") -> dict[str, str]:
    """Values for previews and test sends: links that lead to the site, not to a subscriber."""
    home = external_url("public.home")
    return {GREETING_NAME: name, UNSUBSCRIBE_URL: home, PREFERENCES_URL: home}
