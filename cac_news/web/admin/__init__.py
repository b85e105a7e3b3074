"""The pilots' admin: everything under /admin/ requires a logged-in pilot."""

from __future__ import annotations

from flask import Blueprint
from flask_login import login_required

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.before_request
@login_required
def require_login() -> None:
    """Close the whole admin to anonymous visitors."""


from cac_news.web.admin import (  # noqa: E402, F401
    actions,
    archive,
    bounces,
    dashboard,
    imports,
    modes,
    newsletters,
    pilots,
    relays,
    reports,
    resources,
    roadmap,
    segments,
    sending,
    subscribers,
    territories,
)
