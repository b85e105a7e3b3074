"""Participation modes: pilots edit the list."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from cac_news.audience.modes import delete_mode, list_modes, save_mode
from cac_news.errors import ValidationError
from cac_news.extensions import db
from cac_news.forms.admin import ConfirmForm, ModeForm
from cac_news.models import ParticipationMode
from cac_news.web.admin import bp
from cac_news.web.admin.helpers import apply_errors


@bp.route("/modes/", methods=["GET", "POST"])
def modes():
    """List the modes and add one."""
    form = ModeForm()
    if form.validate_on_submit():
        try:
            mode = save_mode(
                form.name.data,
                form.description.data or "",
                public_choice=bool(form.public_choice.data),
            )
        except ValidationError as exc:
            db.session.rollback()
            apply_errors(form, exc)
        else:
            flash(_("Mode “%(name)s” added.", name=mode.name), "success")
            return redirect(url_for("admin.modes"))
    return render_template(
        "admin/modes/list.html", modes=list_modes(), form=form, delete_form=ConfirmForm()
    )


@bp.route("/modes/<int:mode_id>/edit", methods=["GET", "POST"])
def mode_edit(mode_id: int):
    """Rename a mode or change its description."""
    mode = db.session.get(ParticipationMode, mode_id) or abort(404)
    form = ModeForm(obj=mode)
    if form.validate_on_submit():
        try:
            save_mode(
                form.name.data,
                form.description.data or "",
                mode=mode,
                public_choice=bool(form.public_choice.data),
            )
        except ValidationError as exc:
            db.session.rollback()
            apply_errors(form, exc)
        else:
            flash(_("Changes saved."), "success")
            return redirect(url_for("admin.modes"))
    return render_template("admin/modes/form.html", form=form, mode=mode)


@bp.post("/modes/<int:mode_id>/delete")
def mode_delete(mode_id: int):
    """Delete a mode."""
    mode = db.session.get(ParticipationMode, mode_id) or abort(404)
    delete_mode(mode)
    flash(_("Mode deleted."), "success")
    return redirect(url_for("admin.modes"))
