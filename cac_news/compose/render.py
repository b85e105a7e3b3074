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

from cac_news import personalisation, settings
from cac_news.compose.text import Footnotes, html_to_text
from cac_news.content.markdown import render_markdown
from cac_news.extensions import db
from cac_news.media.html import display_size, size_images
from cac_news.media.library import media_url
from cac_news.models import MediaFile, Newsletter
from cac_news.settings import SiteSettings
from cac_news.urls import external_url

# Per-recipient placeholders: letters, digits and underscores only (premailer-proof).
GREETING_NAME = "CACNEWSxGREETINGxNAME"
UNSUBSCRIBE_URL = "CACNEWSxUNSUBSCRIBExURL"
PREFERENCES_URL = "CACNEWSxPREFERENCESxURL"
TOKENS = (GREETING_NAME, UNSUBSCRIBE_URL, PREFERENCES_URL)
REQUIRED_VALUES = (UNSUBSCRIBE_URL, PREFERENCES_URL)
# {{ prénom | "ami·e" }}: the first name, else the fallback, carried in the token itself
# (its UTF-8 in hex, closed by an "x", which no hex digit is) so that the frozen email
# alone says what to fill in.
FIRST_NAME_OR = "CACNEWSxFIRSTxNAMExOR"
FALLBACK_TOKEN = re.compile(FIRST_NAME_OR + r"([0-9a-f]+)x")
TOKEN_PATTERN = re.compile("|".join((*TOKENS, FALLBACK_TOKEN.pattern)))
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


def field_token(field: personalisation.Field) -> str:
    """The placeholder a personalisation field becomes in the email."""
    if field.fallback:
        return f"{FIRST_NAME_OR}{field.fallback.encode().hex()}x"
    return GREETING_NAME


def fill_first_name(text: str) -> str:
    """Personalisation fields ({{ prénom }}) -> tokens, filled per recipient."""
    return personalisation.substitute(text, field_token)


def without_personal_data(text: str) -> str:
    """Personalisation fields -> their fallback (or nothing): for the public web copy."""
    return personalisation.substitute(text, lambda field: field.fallback or "")


def fallback_tokens(*texts: str) -> dict[str, str]:
    """The fallback tokens found in rendered texts, with their fallback value."""
    found = {}
    for text in texts:
        for match in FALLBACK_TOKEN.finditer(text):
            try:
                found[match.group(0)] = bytes.fromhex(match.group(1)).decode()
            except ValueError:  # not one of ours (typed by hand): it stands for nothing
                found[match.group(0)] = ""
    return found


def token_values(values: dict[str, str], *texts: str) -> dict[str, str]:
    """Every token of the texts with its value: a fallback token takes the first name,
    else its fallback."""
    filled = {token: values.get(token) or "" for token in TOKENS}
    first_name = filled[GREETING_NAME]
    for token, fallback in fallback_tokens(*texts).items():
        filled[token] = first_name or fallback
    return filled


def greets_itself(site: SiteSettings, intro_md: str) -> bool:
    """The introduction already opens with the greeting's words ("Bonjour ..."): the
    settings' greeting line is not added a second time."""
    words = personalisation.FIELD.split(site.greeting, maxsplit=1)[0].strip(" ,")
    return len(words) >= 3 and intro_md.lstrip().lower().startswith(words.lower())


def markdown_html(source: str | None) -> Markup:
    """Markdown -> sanitised HTML whose library images carry width, height and alt."""
    return size_images(render_markdown(source))


def _logo(site: SiteSettings) -> dict | None:
    media = db.session.get(MediaFile, site.logo_media_id) if site.logo_media_id else None
    if media is None:
        return None
    width, height = display_size(media.width, media.height, LOGO_WIDTH)
    return {"url": media_url(media), "width": width, "height": height, "alt": media.alt}


def branding(site: SiteSettings, intro_md: str = "") -> dict:
    """Template values from the settings: footer, colours, logo, greeting."""
    greeted = site.greeting_enabled and not greets_itself(site, intro_md)
    greeting = fill_first_name(site.greeting) if greeted else ""
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


def _context(
    newsletter: Newsletter, footnotes: Footnotes, personal: bool = True, public: bool = False
) -> dict:
    """Template values shared by the renderings; ``personal``: fields become per-recipient
    tokens (the email), else their fallback (the public web copy); ``public``: the web copy,
    without sections about internal events (the archive is public, whoever the letter
    went to)."""
    site = settings.load()
    fields = fill_first_name if personal else without_personal_data
    intro = markdown_html(fields(newsletter.intro_md))
    closing = markdown_html(fields(newsletter.closing_md))
    groups = []
    shown = [s for s in newsletter.sections if not (public and is_internal(s))]
    for label, sections in groupby(shown, key=lambda s: s.group_label):
        rendered = []
        for section in sections:
            body = markdown_html(fields(section.body_md))
            text = html_to_text(body, footnotes)
            rendered.append(RenderedSection(fields(section.title), body, text))
        groups.append((label, rendered))
    subject = fields(newsletter.subject)
    return {
        **branding(site, newsletter.intro_md or ""),
        "title": numbered_title(newsletter.number, subject, site.subject_numbering),
        "preheader": fields(newsletter.preheader),
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
        text = render_template("email/newsletter.txt", **context)
        web_html = render_web_copy(newsletter)
    text = re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"  # template blocks leave gaps
    return RenderedNewsletter(html=inline_css(email_html), text=text, web_html=web_html)


def render_web_copy(newsletter: Newsletter) -> str:
    """Only the web copy (no premailer call, no personal data): for the archive."""
    lang = current_app.config["BABEL_DEFAULT_LOCALE"]
    with force_locale(lang):
        context = _context(newsletter, Footnotes(), personal=False, public=True)
        return render_template("email/newsletter.html", lang=lang, web=True, **context)


def subject_template(newsletter: Newsletter) -> str:
    """The Subject header with its fields as tokens (the send fills them per recipient)."""
    return fill_first_name(newsletter.subject)


def personalise_subject(subject: str, values: dict[str, str]) -> str:
    """A subject template (see subject_template) filled for one recipient."""
    if not values.get(GREETING_NAME):
        subject = subject.replace(" " + GREETING_NAME, "")
    filled = token_values(values, subject)
    return " ".join(TOKEN_PATTERN.sub(lambda found: filled[found.group(0)], subject).split())


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
    plain = token_values(values, html, text)
    escaped = {token: str(escape(value)) for token, value in plain.items()}
    html = TOKEN_PATTERN.sub(lambda found: escaped[found.group(0)], html)
    text = TOKEN_PATTERN.sub(lambda found: plain[found.group(0)], text)
    return html, text


def sample_values(name: str = "") -> dict[str, str]:
    """Values for previews and test sends: links that lead to the site, not to a subscriber."""
    home = external_url("public.home")
    return {GREETING_NAME: name, UNSUBSCRIBE_URL: home, PREFERENCES_URL: home}
