"""Admin dashboard: subscriber counts at a glance."""

from __future__ import annotations

from flask import render_template

from cac_news.audience import queries
from cac_news.forms.admin import STATUS_LABELS
from cac_news.web.admin import bp


@bp.get("/")
def dashboard():
    """Counts by status, mode and région."""
    by_status = queries.counts_by_status()
    return render_template(
        "admin/dashboard.html",
        by_status=by_status,
        status_labels=STATUS_LABELS,
        total=sum(by_status.values()),
        by_mode=queries.active_counts_by_mode(),
        by_region=queries.active_counts_by_region(),
    )
