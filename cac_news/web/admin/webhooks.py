"""Admin pages of the outgoing webhooks (admins only): register, log, switch, test, delete."""

from __future__ import annotations

from flask import (
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _

from cac_news.auth import admin_required
from cac_news.errors import ValidationError
from cac_news.extensions import db
from cac_news.forms.admin import ConfirmForm
from cac_news.forms.webhooks import EVENT_LABELS, WebhookForm
from cac_news.integrations import endpoints
from cac_news.models import WebhookEndpoint
from cac_news.pagination import Page
from cac_news.web.admin import bp
from cac_news.web.admin.helpers import apply_errors, page_number


def _endpoint(endpoint_id: int) -> WebhookEndpoint:
    return db.session.get(WebhookEndpoint, endpoint_id) or abort(404)


@bp.route("/webhooks/", methods=["GET", "POST"])
@admin_required
def webhooks():
    """The endpoints, and the form to register one; its secret is shown on the next page."""
    form = WebhookForm()
    if form.validate_on_submit():
        try:
            endpoint, secret = endpoints.create_endpoint(
                form.url.data, form.events.data or [], current_app.config
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            # Rendered, not redirected to: this answer is the only place the secret appears.
            html = render_template("admin/webhooks/created.html", endpoint=endpoint, secret=secret)
            response = make_response(html)
            response.headers["Cache-Control"] = "no-store"
            return response
    return render_template(
        "admin/webhooks/list.html", endpoints=endpoints.list_endpoints(), form=form
    )


@bp.get("/webhooks/<int:endpoint_id>/")
@admin_required
def webhook(endpoint_id: int):
    """An endpoint's settings and its delivery log."""
    endpoint = _endpoint(endpoint_id)
    number = page_number(request.args.get("page"))
    rows, total = endpoints.delivery_log(endpoint, number)
    page = Page(items=rows, total=total, page=number, per_page=endpoints.LOG_PAGE)
    return render_template(
        "admin/webhooks/detail.html",
        endpoint=endpoint,
        page=page,
        form=ConfirmForm(),
        event_labels=EVENT_LABELS,
    )


@bp.post("/webhooks/<int:endpoint_id>/<any(enable, disable):action>")
@admin_required
def webhook_switch(endpoint_id: int, action: str):
    """Switch an endpoint on or off."""
    endpoint = _endpoint(endpoint_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    endpoints.set_enabled(endpoint, action == "enable")
    flash(_("Endpoint enabled.") if endpoint.enabled else _("Endpoint disabled."), "success")
    return redirect(url_for("admin.webhook", endpoint_id=endpoint.id))


@bp.post("/webhooks/<int:endpoint_id>/test")
@admin_required
def webhook_test(endpoint_id: int):
    """Queue a webhook.test event for this endpoint; the worker posts it."""
    endpoint = _endpoint(endpoint_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if not endpoint.enabled:
        flash(_("Enable the endpoint first: a disabled endpoint receives nothing."), "error")
    else:
        endpoints.queue_test(endpoint)
        flash(
            _("Test event queued: the worker sends it within seconds; reload this page."),
            "success",
        )
    return redirect(url_for("admin.webhook", endpoint_id=endpoint.id))


@bp.post("/webhooks/<int:endpoint_id>/delete")
@admin_required
def webhook_delete(endpoint_id: int):
    """Delete an endpoint and its log, after the confirmation step of its page."""
    endpoint = _endpoint(endpoint_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    endpoints.remove_endpoint(endpoint)
    flash(_("Endpoint deleted."), "success")
    return redirect(url_for("admin.webhooks"))
