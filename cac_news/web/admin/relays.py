"""Admin page of the SMTP relays (admins only): settings without passwords, circuit, quotas."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from cac_news.accounts import audit
from cac_news.auth import admin_required
from cac_news.extensions import db
from cac_news.forms.admin import ConfirmForm
from cac_news.forms.relays import RelayForm
from cac_news.mailing.relay_status import relay_overview
from cac_news.mailing.relay_store import delete_relay, save_relay, stored_relays
from cac_news.mailing.relays import RelayConfigError
from cac_news.models import SmtpRelay
from cac_news.web.admin import bp


@bp.app_template_global()
def relay_states():
    """The relays' state for the send progress partial: (views, configuration error)."""
    try:
        return relay_overview(current_app.config), None
    except RelayConfigError as exc:
        return [], str(exc)


def _save(form: RelayForm, row: SmtpRelay | None) -> bool:
    """Store the submitted relay; False (and the error flashed) when a field is wrong."""
    try:
        saved = save_relay(form.fields_dict(), row)
    except RelayConfigError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return False
    audit.record("settings.changed", saved, details={"setting": "smtp_relay"})
    return True


@bp.route("/relays", methods=["GET", "POST"])
@admin_required
def relays():
    """Every relay in force with its state; the relays admins entered, and a form to add one."""
    form = RelayForm()
    if form.validate_on_submit() and _save(form, None):
        flash(_("Relay “%(name)s” saved.", name=form.name.data), "success")
        return redirect(url_for("admin.relays"))
    return render_template(
        "admin/relays/list.html",
        stored=stored_relays(),
        form=form,
        delete_form=ConfirmForm(),
    )


@bp.route("/relays/<int:relay_id>/edit", methods=["GET", "POST"])
@admin_required
def relay_edit(relay_id: int):
    """Change a relay; an empty password keeps the stored one (never shown)."""
    row = db.session.get(SmtpRelay, relay_id) or abort(404)
    form = RelayForm(obj=row)
    if form.validate_on_submit() and _save(form, row):
        flash(_("Changes saved."), "success")
        return redirect(url_for("admin.relays"))
    return render_template("admin/relays/form.html", form=form, row=row)


@bp.post("/relays/<int:relay_id>/delete")
@admin_required
def relay_delete(relay_id: int):
    """Forget a relay entered here."""
    row = db.session.get(SmtpRelay, relay_id) or abort(404)
    if ConfirmForm().validate_on_submit():
        relay_id = row.id
        delete_relay(row)
        audit.record(
            "settings.changed",
            target_type="smtp_relay",
            target_id=relay_id,
            details={"setting": "smtp_relay", "deleted": True},
        )
        flash(_("Relay deleted."), "success")
    return redirect(url_for("admin.relays"))
