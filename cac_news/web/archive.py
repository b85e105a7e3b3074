"""Public web copies of sent newsletters (the archive)."""

from __future__ import annotations

from flask import abort
from sqlalchemy import select

from cac_news.compose.render import render_web_copy
from cac_news.extensions import db
from cac_news.models import Newsletter
from cac_news.web.public import bp


@bp.get("/archives/<int:number>/")
def newsletter_copy(number: int):
    """The web copy of a sent newsletter; 404 for drafts and unknown numbers.

    Rendered on the fly for now; the delivery engine will store a frozen copy.
    """
    newsletter = db.session.scalar(select(Newsletter).where(Newsletter.number == number))
    # The List-Archive header points here: readable as soon as the send has started.
    if newsletter is None or newsletter.status not in ("sending", "paused", "sent"):
        abort(404)
    return render_web_copy(newsletter)
