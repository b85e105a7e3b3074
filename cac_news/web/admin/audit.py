"""The audit log, for admins: who did what, newest first."""

from __future__ import annotations

from flask import current_app, render_template, request

from cac_news.accounts.audit import action_label, event_details, list_events
from cac_news.auth import admin_required
from cac_news.web.admin import bp
from cac_news.web.admin.helpers import page_number


@bp.get("/audit/")
@admin_required
def audit_log():
    """Every recorded pilot action, paginated."""
    page = list_events(page_number(request.args.get("page")), current_app.config["ADMIN_PAGE_SIZE"])
    return render_template(
        "admin/audit/list.html",
        page=page,
        details=event_details,
        action_label=action_label,
    )
