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
from markupsafe import Markup, escape
from premailer import Premailer

from cac_news import settings
from cac_news.compose.text import Footnotes, html_to_text
from cac_news.content.markdown import render_markdown
from cac_news.extensions import db
from cac_news.media.html import display_size, size_images
from cac_news.media.library import media_url
from cac_news.models import MediaFile, Newsletter
from cac_news.settings import FIELD, FIRST_NAME_FIELDS, SiteSettings
from cac_news.urls import external_url

# Per-recipient placeholders: letters, digits and underscores only (premailer-proof).
GREETING_NAME = "CACNEWSxGREETINGxNAME"
UNSUBSCRIBE_URL = "CACNEWSxUNSUBSCRIBExURL"
PREFERENCES_URL = "CACNEWSxPREFERENCESxURL"
TOKENS = (GREETING_NAME, UNSUBSCRIBE_URL, PREFERENCES_URL)
REQUIRED_VALUES = (UNSUBSCRIBE_URL, PREFERENCES_URL)
TOKEN_PATTERN = re.compile("|".join(TOKENS))
# A subject the pilot already numbered ("Lettre n°12 — ...") is not numbered again.
NUMBERED = re.compile(r"^(?:lettre|letter)\s*(?:n°|no\.?|n\.)\s*\d+", re.IGNORECASE)
LOGO_WIDTH = 240  # the masthead logo's largest width in the mail


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
        # Images keep their computed height= attribute: CSS "height: auto" (for narrow
        # screens) must not be copied over it as height="auto".
        disable_basic_attributes=["height"],
        cssutils_logging_level=logging.CRITICAL,
    ).transform()


def numbered_title(number: int, subject: str, numbering: bool) -> str:
    """The letter's title: "Lettre n°N — subject" when numbering is on, never twice."""
    subject = subject.strip()
    if not numbering or NUMBERED.match(subject):
        return subject
    return f"{_('Letter no. %(number)d', number=number)} — {subject}"


def fill_first_name(text: str) -> str:
    """Personalisation fields ({{ prénom }}) -> the first-name token, filled per recipient."""
    return FIELD.sub(
        lambda found: GREETING_NAME if found.group(1).lower() in FIRST_NAME_FIELDS else "",
        text,
    )


def markdown_html(source: str | None) -> Markup:
    """Markdown -> sanitised HTML whose library images carry width, height and alt."""
    return size_images(render_markdown(source))


def _logo(site: SiteSettings) -> dict | None:
    media = db.session.get(MediaFile, site.logo_media_id) if site.logo_media_id else None
    if media is None:
        return None
    width, height = display_size(media.width, media.height, LOGO_WIDTH)
    return {"url": media_url(media), "width": width, "height": height, "alt": media.alt}


def branding(site: SiteSettings) -> dict:
    """Template values from the settings: footer, colours, logo, greeting."""
    greeting = fill_first_name(site.greeting) if site.greeting_enabled else ""
    return {
        "site_name": current_app.config["SITE_NAME"],
        "organisation_name": site.organisation_name,
        "organisation_address": site.organisation_address,
        "accent_color": site.accent_color,
        "logo": _logo(site),
        "footer_paragraphs": [p.strip() for p in site.footer_text.split("\n\n") if p.strip()],
        "greeting": greeting,
        "tokens": {
            "greeting": GREETING_NAME,
            "unsubscribe": UNSUBSCRIBE_URL,
            "preferences": PREFERENCES_URL,
        },
    }


def is_internal(section) -> bool:
    """A section announcing an internal event: for its recipients, never for the web copy."""
    return section.event is not None and section.event.internal


def _context(newsletter: Newsletter, footnotes: Footnotes, public: bool = False) -> dict:
    """Template values shared by the three renderings; `public`: the web copy, without
    sections about internal events (the archive is public, whoever the letter went to)."""
    site = settings.load()
    intro = markdown_html(newsletter.intro_md)
    closing = markdown_html(newsletter.closing_md)
    groups = []
    shown = [s for s in newsletter.sections if not (public and is_internal(s))]
    for label, sections in groupby(shown, key=lambda s: s.group_label):
        rendered = []
        for section in sections:
            body = markdown_html(section.body_md)
            rendered.append(RenderedSection(section.title, body, html_to_text(body, footnotes)))
        groups.append((label, rendered))
    return {
        **branding(site),
        "title": numbered_title(newsletter.number, newsletter.subject, site.subject_numbering),
        "preheader": newsletter.preheader,
        "intro_html": intro,
        "intro_text": html_to_text(intro, footnotes),
        "closing_html": closing,
        "closing_text": html_to_text(closing, footnotes),
        "groups": groups,
        "web_url": web_copy_url(newsletter),
        "footnotes": footnotes,
    }


def render_newsletter(newsletter: Newsletter) -> RenderedNewsletter:
    """Render the email (CSS inlined once), its text alternative and the web copy."""
    lang = current_app.config["BABEL_DEFAULT_LOCALE"]
    with force_locale(lang):
        footnotes = Footnotes()
        context = _context(newsletter, footnotes)
        email_html = render_template("email/newsletter.html", lang=lang, web=False, **context)
        web_html = render_template(
            "email/newsletter.html", lang=lang, web=True, **_context(newsletter, Footnotes(), True)
        )
        text = render_template("email/newsletter.txt", **context)
    text = re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"  # template blocks leave gaps
    return RenderedNewsletter(html=inline_css(email_html), text=text, web_html=web_html)


def render_web_copy(newsletter: Newsletter) -> str:
    """Only the web copy (no premailer call): for the archive page and its preview."""
    lang = current_app.config["BABEL_DEFAULT_LOCALE"]
    with force_locale(lang):
        context = _context(newsletter, Footnotes(), public=True)
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
