"""/api/v1/subscribers: list (admin filters, cursor), get, create, update, unsubscribe."""

from __future__ import annotations

from flask import g, jsonify, request, url_for
from sqlalchemy import select

from cac_news.api import representations, subscribers
from cac_news.audience.queries import apply_filters
from cac_news.extensions import db
from cac_news.models import Subscriber
from cac_news.web.api import bp
from cac_news.web.api.auth import requires
from cac_news.web.api.responses import (
    created,
    json_body,
    list_response,
    not_found,
    query_page,
    query_value,
)


def _subscriber(subscriber_id: int) -> Subscriber:
    found = db.session.get(Subscriber, subscriber_id)
    if found is None:
        raise not_found("subscriber")
    return found


@bp.get("/subscribers")
@requires("read")
def subscribers_list():
    """Subscribers by ascending id, filtered like the admin's list (q, status, mode, territory)."""
    filters = query_value(subscribers.filters_from_query, request.args)
    page = query_page(apply_filters(select(Subscriber), filters), Subscriber.id)
    return list_response(page, representations.subscriber)


@bp.get("/subscribers/<int:subscriber_id>")
@requires("read")
def subscriber_get(subscriber_id: int):
    """One subscriber."""
    return jsonify(representations.subscriber(_subscriber(subscriber_id)))


@bp.post("/subscribers")
@requires("write")
def subscriber_create():
    """A new subscriber: pending with a confirmation mail (or active with the import scope);
    202 for a known address that is not active: sent a new confirmation link."""
    subscriber, is_new = subscribers.create_subscriber(json_body(), g.api_token)
    response = created(
        representations.subscriber(subscriber),
        url_for("api.subscriber_get", subscriber_id=subscriber.id, _external=True),
    )
    if not is_new:
        response.status_code = 202  # known, not active: a new confirmation link is on its way
    return response


@bp.patch("/subscribers/<int:subscriber_id>")
@requires("write")
def subscriber_update(subscriber_id: int):
    """Change names, organisation, territory, language, modes; or unsubscribe."""
    subscriber = _subscriber(subscriber_id)
    subscribers.update_subscriber(subscriber, json_body(), g.api_token)
    return jsonify(representations.subscriber(subscriber))


@bp.post("/subscribers/<int:subscriber_id>/unsubscribe")
@requires("write")
def subscriber_unsubscribe(subscriber_id: int):
    """Unsubscribe (idempotent: someone who already left stays as they are)."""
    subscriber = _subscriber(subscriber_id)
    subscribers.unsubscribe(subscriber, g.api_token)
    return jsonify(representations.subscriber(subscriber))
