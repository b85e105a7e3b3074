"""Forgotten password: ask for a link by email, then set a new password through it."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from limits import parse

from cac_news.accounts import password_reset
from cac_news.errors import ValidationError
from cac_news.extensions import db, limiter
from cac_news.forms.auth import ForgotPasswordForm, NewPasswordForm
from cac_news.i18n import current_locale
from cac_news.pilots import login_key
from cac_news.web.admin.helpers import apply_errors
from cac_news.web.auth import bp


def _address_allows_another(email: str) -> bool:
    """Per-address throttle, silent: past it the page answers the same and queues nothing."""
    limit = parse(current_app.config["PASSWORD_RESET_RATE_LIMIT_ADDRESS"])
    key = "password-reset-address:" + login_key(email)
    if limiter.storage.get(key) >= limit.amount:
        return False
    limiter.storage.incr(key, limit.get_expiry())
    return True


@bp.route("/login/forgot", methods=["GET", "POST"])
@limiter.limit(
    lambda: current_app.config["PASSWORD_RESET_RATE_LIMIT_IP"],
    methods=["POST"],
    scope="password-reset-ip",
)
def forgot_password():
    """Ask for a reset link; the answer is the same whether the account exists or not."""
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        if _address_allows_another(form.email.data):
            password_reset.request_reset(form.email.data, str(current_locale()))
        return render_template("auth/forgot_sent.html")
    return render_template("auth/forgot.html", form=form)


@bp.route("/login/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    """Set a new password through the link of the mail."""
    if password_reset.pilot_for_token(token) is None:
        return render_template("auth/reset_invalid.html"), 410
    form = NewPasswordForm()
    if form.validate_on_submit():
        try:
            pilot = password_reset.reset_password(token, form.password.data)
        except ValidationError as exc:
            db.session.rollback()
            apply_errors(form, exc)
        else:
            if pilot is None:
                return render_template("auth/reset_invalid.html"), 410
            flash(_("Your password was changed. Log in with it."), "success")
            return redirect(url_for("auth.login"))
    # The token is in the path: security.py sends this page with Referrer-Policy no-referrer.
    return render_template("auth/reset.html", form=form)
