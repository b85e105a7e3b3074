"""Freeze a newsletter's web copy once, withdraw it from the archive, restore it."""

from __future__ import annotations

import hashlib
from html.parser import HTMLParser

from sqlalchemy import event, inspect, select

from cac_news.archive import search
from cac_news.archive.queries import forget_copy_page
from cac_news.compose.render import render_web_copy
from cac_news.extensions import db
from cac_news.models import ArchivedCopy, Newsletter, Pilot
from cac_news.timeutil import utcnow

# The only columns that may change once a copy exists.
MUTABLE_COLUMNS = {"withdrawn_at", "withdrawn_by_id", "changed_at"}


class ImmutableCopyError(RuntimeError):
    """Raised when code tries to change a frozen copy's content."""


class _BodyText(HTMLParser):
    """Collects the visible text of an HTML document's body."""

    SKIP = {"head", "style", "script", "title"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag, attrs) -> None:
        if tag in self.SKIP:
            self.skipping += 1
        elif tag in {"p", "h1", "h2", "h3", "h4", "li", "tr", "br", "td"}:
            self.parts.append("\n")

    def handle_endtag(self, tag) -> None:
        if tag in self.SKIP and self.skipping:
            self.skipping -= 1

    def handle_data(self, data) -> None:
        if not self.skipping:
            self.parts.append(data)


def html_text(html: str) -> str:
    """The visible text of a web copy, whitespace collapsed: what search indexes."""
    parser = _BodyText()
    parser.feed(html)
    parser.close()
    lines = (" ".join(line.split()) for line in "".join(parser.parts).split("\n"))
    return "\n".join(line for line in lines if line)


def copy_of(newsletter: Newsletter) -> ArchivedCopy | None:
    """The frozen copy of a newsletter, if any."""
    return db.session.scalar(
        select(ArchivedCopy).where(ArchivedCopy.newsletter_id == newsletter.id)
    )


def freeze_copy(newsletter: Newsletter, web_html: str | None = None) -> ArchivedCopy:
    """Render the newsletter's web copy once and store it; idempotent.

    Called by the delivery engine when a send starts. A second call returns the
    existing copy unchanged. The caller commits (the copy joins its transaction).
    """
    existing = copy_of(newsletter)
    if existing is not None:
        return existing
    html = web_html if web_html is not None else render_web_copy(newsletter)
    now = utcnow()
    copy = ArchivedCopy(
        newsletter_id=newsletter.id,
        number=newsletter.number,
        subject=newsletter.subject,
        preheader=newsletter.preheader or "",
        html=html,
        text=html_text(html),
        digest=hashlib.sha256(html.encode("utf-8")).hexdigest(),
        published_at=newsletter.sent_at or now,
        created_at=now,
        changed_at=now,
    )
    db.session.add(copy)
    db.session.flush()
    search.index_copy(copy)
    return copy


def withdraw(copy: ArchivedCopy, actor: Pilot | None) -> None:
    """Take an issue out of the archive, the search and the feed (its page answers 410);
    committed."""
    if copy.withdrawn_at is not None:
        return
    copy.withdrawn_at = utcnow()
    copy.withdrawn_by_id = actor.id if actor else None
    copy.changed_at = copy.withdrawn_at
    db.session.flush()
    search.unindex_copy(copy)
    db.session.commit()
    forget_copy_page(copy.number)


def restore(copy: ArchivedCopy) -> None:
    """Put a withdrawn issue back in the archive, the search and the feed; committed."""
    if copy.withdrawn_at is None:
        return
    copy.withdrawn_at = None
    copy.withdrawn_by_id = None
    copy.changed_at = utcnow()
    db.session.flush()
    search.index_copy(copy)
    db.session.commit()
    forget_copy_page(copy.number)


@event.listens_for(ArchivedCopy, "before_update")
def _refuse_content_changes(_mapper, _connection, target: ArchivedCopy) -> None:
    """A frozen copy is immutable: only its withdrawal state may change."""
    state = inspect(target)
    changed = {
        attr.key
        for attr in state.mapper.column_attrs
        if state.attrs[attr.key].history.has_changes()
    }
    if changed - MUTABLE_COLUMNS:
        raise ImmutableCopyError(f"archived copies are immutable: {sorted(changed)}")
