"""The pilots' admin: everything under /admin/ requires a logged-in pilot."""

from __future__ import annotations

from flask import Blueprint, redirect, request, url_for
from flask_login import current_user, login_required

from cac_news.accounts.gate import enrolment_needed

bp = Blueprint("admin", __name__, url_prefix="/admin")
# What a pilot who must enrol in two-factor login can reach until they have.
ENROLMENT_ENDPOINTS = {"admin.account_two_factor"}


@bp.before_request
@login_required
def require_login():
    """Close the whole admin to anonymous visitors, and to pilots who must enrol first."""
    if request.endpoint not in ENROLMENT_ENDPOINTS and enrolment_needed(current_user):
        return redirect(url_for("admin.account_two_factor"))
    return None


from cac_news.web.admin import (  # noqa: E402, F401
    account,
    actions,
    agenda,
    archive,
    audit,
    bounces,
    composer,
    dashboard,
    drafts,
    imports,
    list_moderation,
    lists,
    media,
    modes,
    newsletters,
    pilots,
    relays,
    reports,
    resources,
    roadmap,
    segments,
    sending,
    settings,
    subscribers,
    territories,
    tokens,
    webhooks,
)
