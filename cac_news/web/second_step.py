"""The second step of a login with two-factor: a TOTP or recovery code at /login/code.

Between the two steps the session holds only a marker (pilot id, expiry in 5 minutes,
"remember me", where to go next): Flask-Login knows no one, so the admin stays closed.
"""

from __future__ import annotations

import time

from flask import abort, current_app, flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from limits import parse

from cac_news.accounts import audit, two_factor
from cac_news.extensions import db, limiter
from cac_news.forms.auth import CodeForm
from cac_news.models import Pilot
from cac_news.web.auth import _login_failed, bp, finish_login

PENDING_KEY = "pending_second_factor"
PENDING_SECONDS = 5 * 60


def start(pilot: Pilot, remember: bool, next_url: str | None) -> None:
    """Remember, in the session, that this pilot typed the right password just now."""
    session[PENDING_KEY] = {
        "pilot": pilot.id,
        "until": int(time.time()) + PENDING_SECONDS,
        "remember": remember,
        "next": next_url or "",
    }


def _pending() -> tuple[Pilot, dict] | None:
    """The pilot waiting for their code, while the marker is fresh."""
    marker = session.get(PENDING_KEY)
    if not isinstance(marker, dict) or int(marker.get("until", 0)) < time.time():
        session.pop(PENDING_KEY, None)
        return None
    pilot = db.session.get(Pilot, int(marker.get("pilot", 0)))
    if pilot is None or not pilot.active or not pilot.two_factor_enabled:
        return None
    return pilot, marker


def _failures_key(pilot: Pilot) -> str:
    return f"login-code-account:{pilot.id}"


def _too_many_failures(pilot: Pilot) -> bool:
    limit = parse(current_app.config["LOGIN_RATE_LIMIT_ACCOUNT"])
    return limiter.storage.get(_failures_key(pilot)) >= limit.amount


def _remember_failure(pilot: Pilot) -> None:
    g.login_failed = True
    window = parse(current_app.config["LOGIN_RATE_LIMIT_ACCOUNT"]).get_expiry()
    limiter.storage.incr(_failures_key(pilot), window)


@bp.route("/login/code", methods=["GET", "POST"])
@limiter.limit(
    lambda: current_app.config["LOGIN_RATE_LIMIT_IP"],
    methods=["POST"],
    deduct_when=_login_failed,
    scope="login-code-ip",
)
def login_code():
    """Ask for the code of the authenticator app (or a recovery code)."""
    pending = _pending()
    if pending is None:
        flash(_("Your login expired. Type your email address and password again."), "info")
        return redirect(url_for("auth.login"))
    pilot, marker = pending
    if request.method == "POST" and _too_many_failures(pilot):
        abort(429)
    form = CodeForm()
    if form.validate_on_submit():
        used = two_factor.check_second_factor(pilot, form.code.data)
        if used is not None:
            if used == "recovery":
                audit.record("two_factor.recovery_used", pilot, pilot=pilot)
            response = finish_login(pilot, bool(marker.get("remember")), marker.get("next"))
            if used == "recovery":
                flash(_("You used a recovery code: it will not work again."), "info")
            return response
        _remember_failure(pilot)
        flash(_("This code is not valid."), "error")
    elif request.method == "POST":
        _remember_failure(pilot)
    return render_template("auth/code.html", form=form)
