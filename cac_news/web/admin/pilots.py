"""Pilot management, for admins only."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from cac_news.accounts import audit, two_factor
from cac_news.accounts.settings import TWO_FACTOR_REQUIRED, require_two_factor, two_factor_required
from cac_news.auth import admin_required
from cac_news.errors import ValidationError
from cac_news.extensions import db
from cac_news.forms.account import SecuritySettingsForm
from cac_news.forms.admin import ROLE_LABELS, ConfirmForm, PilotForm
from cac_news.forms.mapping import form_data
from cac_news.models import Pilot
from cac_news.pilots import PilotData, change_password, create_pilot, delete_pilot, update_pilot
from cac_news.web.admin import bp
from cac_news.web.admin.helpers import apply_errors


@bp.get("/pilots/")
@admin_required
def pilots():
    """Every pilot account."""
    accounts = db.session.scalars(select(Pilot).order_by(Pilot.name)).all()
    security = SecuritySettingsForm(two_factor_required=two_factor_required())
    return render_template(
        "admin/pilots/list.html",
        pilots=accounts,
        role_labels=ROLE_LABELS,
        form=ConfirmForm(),
        security_form=security,
    )


@bp.post("/pilots/security")
@admin_required
def pilots_security():
    """Require (or stop requiring) two-factor login for every pilot."""
    form = SecuritySettingsForm()
    if not form.validate_on_submit():
        abort(400)
    required = bool(form.two_factor_required.data)
    if require_two_factor(required):
        audit.record("settings.changed", details={TWO_FACTOR_REQUIRED: required})
    flash(_("Changes saved."), "success")
    return redirect(url_for("admin.pilots"))


@bp.post("/pilots/<int:pilot_id>/two-factor/reset")
@admin_required
def pilot_two_factor_reset(pilot_id: int):
    """Turn another pilot's two-factor login off (a lost phone): they enrol again."""
    pilot = db.session.get(Pilot, pilot_id) or abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    two_factor.disable(pilot)
    audit.record("two_factor.reset", pilot)
    flash(_("Two-factor login of %(email)s reset.", email=pilot.email), "success")
    return redirect(url_for("admin.pilots"))


@bp.route("/pilots/new", methods=["GET", "POST"])
@admin_required
def pilot_new():
    """Create a pilot account with an initial password."""
    form = PilotForm()
    if form.validate_on_submit():
        try:
            pilot = create_pilot(form_data(form, PilotData), form.password.data or "")
        except ValidationError as exc:
            db.session.rollback()
            apply_errors(form, exc)
        else:
            audit.record("pilot.created", pilot, details={"role": pilot.role})
            flash(_("Pilot %(email)s created.", email=pilot.email), "success")
            return redirect(url_for("admin.pilots"))
    return render_template("admin/pilots/form.html", form=form, pilot=None)


@bp.route("/pilots/<int:pilot_id>/edit", methods=["GET", "POST"])
@admin_required
def pilot_edit(pilot_id: int):
    """Edit a pilot; a new password is optional."""
    pilot = db.session.get(Pilot, pilot_id) or abort(404)
    form = PilotForm(obj=pilot)
    if request.method == "GET":
        form.password.data = ""
    if form.validate_on_submit():
        try:
            update_pilot(pilot, form_data(form, PilotData), current_user)
            if form.password.data:
                change_password(pilot, form.password.data)
        except ValidationError as exc:
            db.session.rollback()
            apply_errors(form, exc)
        else:
            details = {"role": pilot.role, "active": pilot.active}
            details["password_changed"] = bool(form.password.data)
            audit.record("pilot.updated", pilot, details=details)
            flash(_("Changes saved."), "success")
            return redirect(url_for("admin.pilots"))
    return render_template("admin/pilots/form.html", form=form, pilot=pilot)


@bp.post("/pilots/<int:pilot_id>/delete")
@admin_required
def pilot_delete(pilot_id: int):
    """Delete a pilot account."""
    pilot = db.session.get(Pilot, pilot_id) or abort(404)
    try:
        delete_pilot(pilot, current_user)
        audit.record("pilot.deleted", target_type="pilot", target_id=pilot_id)
    except ValidationError as exc:
        for messages in exc.errors.values():
            for message in messages:
                flash(message, "error")
    else:
        flash(_("Pilot deleted."), "success")
    return redirect(url_for("admin.pilots"))
