"""Helpers for the archive tests: a sent newsletter with its frozen copy."""

from __future__ import annotations

from cac_news.archive.copies import freeze_copy
from cac_news.compose.newsletters import SectionData
from cac_news.extensions import db
from cac_news.models import ArchivedCopy


def sent_copy(make_newsletter, subject: str = "Rentrée du groupe", body: str = "", **fields):
    """A newsletter marked sent and its frozen copy, committed."""
    sections = [SectionData(kind="text", title="Le point", body_md=body)] if body else []
    newsletter = make_newsletter(subject=subject, sections=sections, **fields)
    newsletter.status = "sent"
    db.session.commit()
    copy = freeze_copy(newsletter)
    db.session.commit()
    return copy


def reload(copy: ArchivedCopy) -> ArchivedCopy:
    """The copy as stored now."""
    return db.session.get(ArchivedCopy, copy.id)
