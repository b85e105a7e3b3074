"""Blueprints: the public site, login pages and the admin."""

from __future__ import annotations

from flask import Flask, render_template, request
from flask_babel import gettext as _


def register(app: Flask) -> None:
    """Mount every blueprint and the error pages."""
    from cac_news.web import agenda, archive, information, resources  # noqa: F401 (public routes)
    from cac_news.web.admin import bp as admin_bp
    from cac_news.web.auth import bp as auth_bp
    from cac_news.web.links import bp as links_bp
    from cac_news.web.public import bp as public_bp
    from cac_news.web.subscription import bp as subscription_bp

    app.register_blueprint(public_bp)
    app.register_blueprint(subscription_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(links_bp)
    from cac_news.web.lists import bp as lists_bp

    app.register_blueprint(lists_bp)
    from cac_news.web.health import bp as health_bp

    app.register_blueprint(health_bp)
    from cac_news.web.media import bp as media_bp

    app.register_blueprint(media_bp)
    from cac_news.web.titles import letter_title

    app.jinja_env.globals["letter_title"] = letter_title
    from cac_news.web import api

    api.register(app)
    register_error_pages(app)
    from cac_news.web.security import init_security

    init_security(app)


def register_error_pages(app: Flask) -> None:
    """Friendly pages for the HTTP errors a person may meet."""
    messages = {
        400: lambda: _("The request could not be understood. Reload the page and try again."),
        403: lambda: _("You are not allowed to see this page."),
        404: lambda: _("This page does not exist."),
        405: lambda: _("This action is not allowed here."),
        410: lambda: _("This page has been withdrawn."),
        413: lambda: _("What you sent is too large for this page."),
        429: lambda: _("Too many attempts. Wait a few minutes, then try again."),
        500: lambda: _("Something went wrong on our side. Try again later."),
    }

    def make_handler(code: int):
        def handler(error):
            if request.path.startswith("/api/"):  # unknown URL or method under the API
                from cac_news.web.api.problems import from_exception

                return from_exception(error)
            return render_template("error.html", code=code, message=messages[code]()), code

        return handler

    for code in messages:
        app.register_error_handler(code, make_handler(code))
