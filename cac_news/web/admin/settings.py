"""The settings screen (admins): branding, sender, greeting, numbering, welcome mail."""

from __future__ import annotations

from dataclasses import asdict

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from cac_news import settings
from cac_news.auth import admin_required
from cac_news.errors import ValidationError
from cac_news.extensions import db
from cac_news.forms.media import SettingsForm
from cac_news.media.library import all_media, media_url
from cac_news.web.admin import bp
from cac_news.web.admin.helpers import apply_errors


def _logo_choices() -> list[tuple[str, str]]:
    choices = [("", _("No logo"))]
    for media in all_media():
        label = f"{media.alt} ({media.width}×{media.height})"
        choices.append((str(media.id), label[:120]))
    return choices


@bp.route("/settings", methods=["GET", "POST"])
@admin_required
def site_settings():
    """Show and save the settings; the next preview and send use them."""
    current = settings.load()
    form = SettingsForm()
    form.logo_media_id.choices = _logo_choices()
    if request.method == "GET":
        for name, value in asdict(current).items():
            getattr(form, name).data = "" if value is None else value
        form.logo_media_id.data = str(current.logo_media_id or "")
    if form.validate_on_submit():
        values = {name: getattr(form, name).data for name in settings.NAMES}
        try:
            settings.save(values, current_user)
        except ValidationError as exc:
            db.session.rollback()
            apply_errors(form, exc)
        else:
            flash(_("Settings saved: the next preview and send use them."), "success")
            return redirect(url_for("admin.site_settings"))
    logo = None
    if current.logo_media_id:
        logo = next((m for m in all_media() if m.id == current.logo_media_id), None)
    return render_template(
        "admin/settings.html",
        form=form,
        logo=logo,
        logo_url=media_url(logo) if logo else None,
        min_contrast=settings.MIN_CONTRAST,
    ), (400 if form.errors else 200)
