"""/api/v1/newsletters: the issues, and one issue with its delivery counts."""

from __future__ import annotations

from flask import jsonify
from sqlalchemy import select

from cac_news.api import representations
from cac_news.extensions import db
from cac_news.mailing.sending import delivery_counts
from cac_news.models import Newsletter
from cac_news.web.api import bp
from cac_news.web.api.auth import requires
from cac_news.web.api.responses import list_response, not_found, query_page


@bp.get("/newsletters")
@requires("read")
def newsletters_list():
    """Newsletters by ascending id."""
    return list_response(query_page(select(Newsletter), Newsletter.id), representations.newsletter)


@bp.get("/newsletters/<int:newsletter_id>")
@requires("read")
def newsletter_get(newsletter_id: int):
    """One newsletter with its deliveries counted by status."""
    newsletter = db.session.get(Newsletter, newsletter_id)
    if newsletter is None:
        raise not_found("newsletter")
    return jsonify(representations.newsletter(newsletter, delivery_counts(newsletter.id)))
