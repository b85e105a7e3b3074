"""cac_news: newsletter and mailing-list manager of the CAC working group."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import Flask
from werkzeug.routing import IntegerConverter

from cac_news.config import Defaults
from cac_news.locations import default_instance_path, resource_dir


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the application: configuration, extensions, blueprints and commands."""
    instance_path = (test_config or {}).get("INSTANCE_PATH") or default_instance_path()
    app = Flask(
        __name__,
        instance_path=str(instance_path),
        instance_relative_config=True,
        template_folder=str(resource_dir("templates")),
        static_folder=str(resource_dir("static")),
    )
    load_config(app, test_config)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)

    register_extensions(app)
    app.url_map.converters["int"] = BoundedIntegerConverter
    register_blueprints(app)
    register_commands(app)
    trust_proxies(app)
    from cac_news.urls import pin_external_urls

    pin_external_urls(app)
    return app


def trust_proxies(app: Flask) -> None:
    """Behind TRUSTED_PROXIES reverse proxies, read the client's address, scheme and host
    from their X-Forwarded-* headers (so rate limits key on the real client)."""
    hops = int(app.config.get("TRUSTED_PROXIES") or 0)
    if hops > 0:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)


class BoundedIntegerConverter(IntegerConverter):
    """`<int:...>` in every route stops at the largest id a column holds: a longer number
    is a 404, not an overflow in the database driver."""

    def __init__(self, url_map, *args, **kwargs):
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(url_map, *args, **kwargs)


def load_config(app: Flask, test_config: dict[str, Any] | None) -> None:
    """Defaults, then instance/config.py and CAC_NEWS_* variables, or the test mapping."""
    app.config.from_object(Defaults)
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
        app.config.from_prefixed_env("CAC_NEWS")
    else:
        app.config.from_mapping(test_config)

    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        db_path = Path(app.instance_path) / "cac_news.db"
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{db_path}"
    if not app.config.get("SECRET_KEY"):
        if not (app.debug or app.testing):
            raise RuntimeError(
                "SECRET_KEY is not set. Put SECRET_KEY = '<long random string>' in "
                f"{Path(app.instance_path) / 'config.py'} or set CAC_NEWS_SECRET_KEY "
                "(python -c 'import secrets; print(secrets.token_urlsafe(48))' makes one)."
            )
        app.config["SECRET_KEY"] = os.urandom(32).hex()  # debug/testing only: per process
    zone = app.config.get("TIMEZONE") or app.config["BABEL_DEFAULT_TIMEZONE"]
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise RuntimeError(f"TIMEZONE {zone!r} is not a time zone (e.g. Europe/Paris).") from exc
    app.config["TIMEZONE"] = app.config["BABEL_DEFAULT_TIMEZONE"] = zone
    secure = str(app.config["SITE_URL"]).startswith("https://")
    app.config["SESSION_COOKIE_SECURE"] = secure
    app.config["REMEMBER_COOKIE_SECURE"] = secure


def register_extensions(app: Flask) -> None:
    """Bind every extension object to this app."""
    from cac_news import i18n, models  # noqa: F401  (models register their tables)
    from cac_news.database import configure_engine_events, include_object
    from cac_news.extensions import babel, csrf, db, limiter, login_manager, migrate

    db.init_app(app)
    with app.app_context():
        configure_engine_events(db.engine)
    migrate.init_app(
        app,
        db,
        directory=str(resource_dir("migrations")),
        include_object=include_object,
    )
    csrf.init_app(app)
    limiter.init_app(app)
    babel.init_app(
        app,
        locale_selector=i18n.select_locale,
        default_translation_directories=str(Path(__file__).parent / "translations"),
    )
    app.jinja_env.globals["get_locale"] = i18n.current_locale
    # Flask-Babel's own filters, with French ordinals for the first day of a month.
    app.jinja_env.filters["dateformat"] = i18n.date_label
    app.jinja_env.filters["datetimeformat"] = i18n.datetime_label
    from cac_news.content.markdown import render_markdown

    app.jinja_env.filters["markdown"] = render_markdown
    from cac_news.search.index import watch_models

    watch_models()  # the SQLite site index follows the content's flushes
    from cac_news.auth import init_login

    init_login(app, login_manager)
    from cac_news.lists import register_mail

    register_mail()


def register_blueprints(app: Flask) -> None:
    """Mount the public site, the login pages and the admin."""
    from cac_news.web import register

    register(app)


def register_commands(app: Flask) -> None:
    """Add the `flask` command groups."""
    from cac_news.cli import register

    register(app)
