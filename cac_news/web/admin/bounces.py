"""Admin views of bounces and the deliverability checklist."""

from __future__ import annotations

from flask import current_app, render_template, request

from cac_news.mailing.bounces.queries import list_bounces
from cac_news.mailing.deliverability import checklist
from cac_news.web.admin import bp
from cac_news.web.admin.helpers import id_param, page_number

KIND_LABELS_KEYS = ("hard", "soft", "complaint")


@bp.get("/bounces/")
def bounces():
    """Bounces and complaints, newest first, filtered by kind or newsletter."""
    kind = request.args.get("kind", "")
    kind = kind if kind in KIND_LABELS_KEYS else ""
    raw_newsletter = request.args.get("newsletter", "")
    newsletter_id = id_param(raw_newsletter)
    page = list_bounces(
        kind,
        newsletter_id,
        page_number(request.args.get("page")),
        current_app.config["ADMIN_PAGE_SIZE"],
    )
    args = {k: v for k, v in (("kind", kind), ("newsletter", newsletter_id)) if v}
    return render_template("admin/bounces/list.html", page=page, kind=kind, args=args)


@bp.get("/deliverability")
def deliverability():
    """What makes the letter reach inboxes: a checklist over the settings."""
    return render_template("admin/deliverability.html", checks=checklist(current_app))
