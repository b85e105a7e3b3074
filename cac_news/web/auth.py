"""Login and logout of pilots, throttled per address and per account."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from limits import parse

from cac_news.accounts.gate import enrolment_needed
from cac_news.extensions import limiter
from cac_news.forms.auth import LoginForm
from cac_news.pilots import authenticate, end_all_sessions, end_session, login_key, open_session
from cac_news.web.public import safe_next

bp = Blueprint("auth", __name__)


def _login_failed(_response) -> bool:
    """Only failed attempts count against the login limits."""
    return bool(g.get("login_failed"))


def _account_key() -> str:
    """Storage key naming the account being tried, whatever the client address, with the
    normalisation `authenticate` uses: `pilote@ｅxample.org` is `pilote@example.org`."""
    return "login-account:" + login_key(request.form.get("email"))


def _failure_marker() -> str:
    """Storage key remembering that this client address failed on this account."""
    return f"login-failed-from:{request.remote_addr or 'unknown'}:{_account_key()}"


def account_locked_for_this_address() -> bool:
    """The account has seen too many failures, and this address is one that failed.

    Every failure counts against the account, from whatever address; once over the limit
    only the addresses that failed on it are refused, so an attacker's guesses lock their
    own addresses out and the pilot still gets in from an address that never failed.
    """
    limit = parse(current_app.config["LOGIN_RATE_LIMIT_ACCOUNT"])
    failures = limiter.storage.get(_account_key())
    return failures >= limit.amount and limiter.storage.get(_failure_marker()) > 0


def remember_failure() -> None:
    """Count a failure against the account and mark this address as a failing one."""
    window = parse(current_app.config["LOGIN_RATE_LIMIT_ACCOUNT"]).get_expiry()
    limiter.storage.incr(_account_key(), window)
    limiter.storage.incr(_failure_marker(), window)


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(
    lambda: current_app.config["LOGIN_RATE_LIMIT_IP"],
    methods=["POST"],
    deduct_when=_login_failed,
    scope="login-ip",
)
def login():
    """Show the login form; log the pilot in on good credentials."""
    if current_user.is_authenticated:
        return redirect(url_for("admin.dashboard"))
    if request.method == "POST" and account_locked_for_this_address():
        abort(429)
    form = LoginForm()
    if form.validate_on_submit():
        pilot = authenticate(form.email.data, form.password.data)
        if pilot is not None and pilot.two_factor_enabled:
            # Password right, not logged in yet: the session only says who may type a code.
            session.clear()
            second_step.start(pilot, bool(form.remember.data), request.args.get("next"))
            return redirect(url_for("auth.login_code"))
        if pilot is not None:
            return finish_login(pilot, bool(form.remember.data), request.args.get("next"))
        g.login_failed = True
        remember_failure()
        # Same message whether the account exists or not.
        flash(_("Wrong email address or password."), "error")
    elif request.method == "POST":
        g.login_failed = True
        remember_failure()
    return render_template("auth/login.html", form=form), 200


def finish_login(pilot, remember: bool, next_url: str | None):
    """Log the pilot in on a fresh session and send them on (to enrolment if required)."""
    # A fresh session: no CSRF token or data from before the login survives.
    session.clear()
    open_session(pilot, request.user_agent.string, request.remote_addr)
    login_user(pilot, remember=remember)
    if enrolment_needed(pilot):
        return redirect(url_for("admin.account_two_factor"))
    return redirect(safe_next(next_url) if next_url else url_for("admin.dashboard"))


@bp.post("/logout")
@login_required
def logout():
    """End this login for good: its session and remember cookies open nothing any more."""
    end_session(current_user.login_token)
    logout_user()
    flash(_("You are logged out."), "success")
    return redirect(url_for("auth.login"))


@bp.post("/logout/everywhere")
@login_required
def logout_everywhere():
    """End every login of this pilot, on every browser."""
    end_all_sessions(current_user)
    logout_user()
    flash(_("You are logged out on every device."), "success")
    return redirect(url_for("auth.login"))


from cac_news.web import password_reset, second_step  # noqa: E402, F401  (routes on bp)
