"""Login wiring: how Flask-Login finds a pilot, and the role guard for admin views."""

from __future__ import annotations

from functools import wraps

from flask import Flask, abort
from flask_babel import lazy_gettext as _l
from flask_login import LoginManager, current_user

from cac_news.accounts import password_reset, sessions
from cac_news.models import Pilot
from cac_news.pilots import pilot_for_session


def init_login(app: Flask, login_manager: LoginManager) -> None:
    """Configure Flask-Login for pilots."""
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please log in to reach this page.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "strong"

    @login_manager.user_loader
    def load_pilot(session_token: str) -> Pilot | None:
        # The id Flask-Login keeps is a login's token: an ended login loads no one.
        pilot = pilot_for_session(session_token)
        if pilot is not None:
            sessions.touch(session_token)
        return pilot

    password_reset.register_outbox_mail()


def admin_required(view):
    """Let only admins through; editors get 403."""

    @wraps(view)
    def guarded(*args, **kwargs):
        if not current_user.is_authenticated or not current_user.is_admin:
            abort(403)
        return view(*args, **kwargs)

    return guarded
