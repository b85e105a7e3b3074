"""Login and logout of pilots, throttled per address and per account."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from cac_news.extensions import limiter
from cac_news.forms.auth import LoginForm
from cac_news.pilots import authenticate
from cac_news.web.public import safe_next

bp = Blueprint("auth", __name__)


def _login_failed(_response) -> bool:
    """Only failed attempts count against the login limits."""
    return bool(g.get("login_failed"))


def _account_key() -> str:
    """Rate-limit key naming the account being tried, whatever the client address."""
    return "login-account:" + (request.form.get("email") or "").strip().lower()


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(
    lambda: current_app.config["LOGIN_RATE_LIMIT_IP"],
    methods=["POST"],
    deduct_when=_login_failed,
    scope="login-ip",
)
@limiter.limit(
    lambda: current_app.config["LOGIN_RATE_LIMIT_ACCOUNT"],
    key_func=_account_key,
    methods=["POST"],
    deduct_when=_login_failed,
    scope="login-account",
)
def login():
    """Show the login form; log the pilot in on good credentials."""
    if current_user.is_authenticated:
        return redirect(url_for("admin.dashboard"))
    form = LoginForm()
    if form.validate_on_submit():
        pilot = authenticate(form.email.data, form.password.data)
        if pilot is not None:
            login_user(pilot, remember=form.remember.data)
            return redirect(
                safe_next(request.args.get("next"))
                if request.args.get("next")
                else url_for("admin.dashboard")
            )
        g.login_failed = True
        # Same message whether the account exists or not.
        flash(_("Wrong email address or password."), "error")
    elif request.method == "POST":
        g.login_failed = True
    return render_template("auth/login.html", form=form), 200


@bp.post("/logout")
@login_required
def logout():
    """End the pilot's session."""
    logout_user()
    flash(_("You are logged out."), "success")
    return redirect(url_for("auth.login"))
