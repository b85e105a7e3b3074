"""Counted links: rewrite a letter's links at send start, count a follow per (link, day).

A follow is counted as one increment of a (link, day) counter: the request's address,
cookies, user agent and the reader are never stored or logged. The code is the same in
every recipient's copy, so a URL cannot tell who clicked it.
"""

from __future__ import annotations

import html
import re
import secrets
from datetime import date

from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from cac_news.extensions import db
from cac_news.models import LetterLink, LinkFollowCount, Newsletter
from cac_news.timeutil import utcnow
from cac_news.urls import external_url

HREF_RE = re.compile(r"""(href=)(["'])(https?://[^"'\s<>]+)\2""", re.IGNORECASE)
TEXT_URL_RE = re.compile(r"""https?://[^\s<>"')\]]+""")
# Paths of the site's own links that must keep working unchanged in every copy.
MAX_URL = 2000
KEPT_PATHS = ("/unsubscribe/", "/preferences/", "/archives/", "/l/")
# Link scanners and privacy proxies fetch every link on arrival: their requests are not
# follows. Matched case-insensitively as substrings of the User-Agent header.
SCANNER_AGENTS = (
    "barracuda",
    "mimecast",
    "proofpoint",
    "safelinks",
    "microsoft office",
    "ms-office",
    "symantec",
    "forcepoint",
    "trendmicro",
    "sophos",
    "fortiguard",
    "cisco",
    "googleimageproxy",
    "yahoomailproxy",
    "bot",
    "crawler",
    "spider",
    "curl",
    "wget",
    "python-requests",
    "go-http-client",
)


def is_kept(url: str) -> bool:
    """True for links never rewritten: the site's unsubscribe, preferences, archive links."""
    site = current_app.config["SITE_URL"].rstrip("/")
    if not url.startswith(site + "/"):
        return False
    path = url[len(site) :]
    return any(path.startswith(prefix) for prefix in KEPT_PATHS)


def _new_code() -> str:
    """A random code: letters, digits, - and _ (premailer-proof, unguessable)."""
    return secrets.token_urlsafe(12)[:16]


def link_codes(newsletter: Newsletter, urls: list[str]) -> dict[str, str]:
    """The code of each URL for this letter, creating the missing (letter, link) rows."""
    existing = dict(
        db.session.execute(
            select(LetterLink.url, LetterLink.code).where(LetterLink.newsletter_id == newsletter.id)
        ).all()
    )
    for position, url in enumerate(urls):
        if url not in existing:
            link = LetterLink(
                newsletter_id=newsletter.id, url=url, code=_new_code(), position=position
            )
            db.session.add(link)
            existing[url] = link.code
    db.session.flush()
    return existing


def rewrite_links(newsletter: Newsletter, email_html: str, text: str) -> tuple[str, str]:
    """The email's HTML and text with every counted http(s) link sent through /l/<code>."""
    in_html = [html.unescape(m.group(3)) for m in HREF_RE.finditer(email_html)]
    in_text = TEXT_URL_RE.findall(text)
    urls = list(dict.fromkeys(u for u in in_html + in_text if not is_kept(u)))
    urls = [u for u in urls if len(u) <= MAX_URL]  # longer ones stay direct (index limit)
    if not urls:
        return email_html, text
    codes = link_codes(newsletter, urls)

    def counted(url: str) -> str:
        return (
            url
            if url not in codes or is_kept(url)
            else external_url("links.follow", code=codes[url])
        )

    def in_href(found: re.Match) -> str:
        target = counted(html.unescape(found.group(3)))
        return f"{found.group(1)}{found.group(2)}{html.escape(target)}{found.group(2)}"

    email_html = HREF_RE.sub(in_href, email_html)
    text = TEXT_URL_RE.sub(lambda found: counted(found.group(0)), text)
    return email_html, text


def is_scanner(user_agent: str) -> bool:
    """True for an empty user agent or one of the known link scanners."""
    agent = user_agent.casefold()
    return not agent or any(name in agent for name in SCANNER_AGENTS)


def target_of(code: str) -> LetterLink | None:
    """The link a code stands for, or None (an unknown code is never redirected)."""
    if not code or len(code) > 64:
        return None
    return db.session.scalar(select(LetterLink).where(LetterLink.code == code))


def count_follow(link: LetterLink, day: date | None = None) -> None:
    """Add one follow to the (link, day) counter; safe when two requests race."""
    day = day or utcnow().date()
    bump = (
        update(LinkFollowCount)
        .where(LinkFollowCount.link_id == link.id, LinkFollowCount.day == day)
        .values(count=LinkFollowCount.count + 1)
        .execution_options(synchronize_session=False)
    )
    if db.session.execute(bump).rowcount == 0:
        try:
            with db.session.begin_nested():
                db.session.add(LinkFollowCount(link_id=link.id, day=day, count=1))
        except IntegrityError:  # another request created the row meanwhile
            db.session.execute(bump)
    db.session.commit()
