"""A pilot's own account: two-factor login and the list of their logins."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from cac_news.accounts import audit, recovery_codes, sessions, two_factor
from cac_news.accounts.settings import two_factor_required
from cac_news.errors import ValidationError
from cac_news.extensions import db
from cac_news.forms.account import TwoFactorCodeForm
from cac_news.forms.admin import ConfirmForm
from cac_news.web.admin import bp
from cac_news.web.admin.helpers import apply_errors


@bp.get("/account/")
def account():
    """Two-factor status and the pilot's active logins."""
    return render_template(
        "admin/account/index.html",
        logins=sessions.list_sessions(current_user),
        current_token=current_user.login_token,
        codes_left=recovery_codes.remaining(current_user),
        required=two_factor_required(),
        code_form=TwoFactorCodeForm(),
        renew_form=TwoFactorCodeForm(prefix="renew"),
        form=ConfirmForm(),
    )


@bp.route("/account/two-factor", methods=["GET", "POST"])
def account_two_factor():
    """Enrol: scan the QR code (or type the secret), then type a code to turn it on."""
    if current_user.two_factor_enabled:
        return redirect(url_for("admin.account"))
    form = TwoFactorCodeForm()
    if form.validate_on_submit():
        try:
            codes = two_factor.enable(current_user, form.code.data)
        except ValidationError as exc:
            db.session.rollback()
            apply_errors(form, exc)
        else:
            audit.record("two_factor.enabled", current_user)
            return render_template("admin/account/recovery_codes.html", codes=codes)
    secret = two_factor.pending_secret(current_user)
    uri = two_factor.provisioning_uri(current_user, secret, issuer=_site_name())
    return render_template(
        "admin/account/two_factor.html",
        form=form,
        secret=secret,
        qr_svg=two_factor.qr_svg(uri, title=_("QR code to scan with an authenticator app")),
        required=two_factor_required(),
    )


def _site_name() -> str:
    return current_app.config.get("SITE_NAME") or two_factor.ISSUER


@bp.post("/account/two-factor/disable")
def account_two_factor_disable():
    """Turn two-factor login off, with a current code; not while admins require it."""
    form = TwoFactorCodeForm()
    if two_factor_required():
        flash(_("Two-factor login is required for every pilot: it cannot be turned off."), "error")
    elif form.validate_on_submit() and two_factor.check_second_factor(current_user, form.code.data):
        two_factor.disable(current_user)
        audit.record("two_factor.disabled", current_user)
        flash(_("Two-factor login is off."), "success")
    else:
        flash(_("This code is not valid."), "error")
    return redirect(url_for("admin.account"))


@bp.post("/account/two-factor/recovery-codes")
def account_recovery_codes():
    """Replace the recovery codes (all used, or seen by someone), with a current code."""
    form = TwoFactorCodeForm(prefix="renew")
    if (
        current_user.two_factor_enabled
        and form.validate_on_submit()
        and two_factor.check_totp(current_user, form.code.data)
    ):
        codes = two_factor.renew_recovery_codes(current_user)
        audit.record("two_factor.recovery_codes_replaced", current_user)
        return render_template("admin/account/recovery_codes.html", codes=codes, renewed=True)
    flash(_("This code is not valid."), "error")
    return redirect(url_for("admin.account"))


@bp.post("/account/sessions/<int:session_id>/end")
def account_session_end(session_id: int):
    """End one of the pilot's logins (another browser, or this one)."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if not sessions.end_one(current_user, session_id):
        abort(404)
    flash(_("That session has ended."), "success")
    return redirect(url_for("admin.account"))


@bp.post("/account/sessions/end-others")
def account_sessions_end_others():
    """End every login of the pilot but this one."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    count = sessions.end_others(current_user, current_user.login_token)
    flash(_("Sessions ended: %(count)d.", count=count), "success")
    return redirect(url_for("admin.account"))
