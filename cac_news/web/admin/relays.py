"""Admin page of the SMTP relays (admins only): settings without passwords, circuit, quotas."""

from __future__ import annotations

from flask import current_app, render_template

from cac_news.auth import admin_required
from cac_news.mailing.relay_status import relay_overview
from cac_news.mailing.relays import RelayConfigError
from cac_news.web.admin import bp


@bp.app_template_global()
def relay_states():
    """The relays' state for the send progress partial: (views, configuration error)."""
    try:
        return relay_overview(current_app.config), None
    except RelayConfigError as exc:
        return [], str(exc)


@bp.get("/relays")
@admin_required
def relays():
    """Every relay: host, TLS, connections, rate, quotas used, circuit state."""
    views, error = relay_states()
    return render_template("admin/relays/list.html", views=views, error=error)
