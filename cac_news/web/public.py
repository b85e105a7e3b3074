"""Public pages: home and the language switch."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, redirect, render_template, request, session, url_for

bp = Blueprint("public", __name__)


@bp.get("/")
def home():
    """The group's home page: the latest issue, the subscription form, where to go next."""
    from cac_news.archive.queries import latest_copies
    from cac_news.web.caching import cacheable
    from cac_news.web.subscription import make_subscribe_form

    latest = next(iter(latest_copies(1)), None)
    return cacheable(
        render_template("public/home.html", latest=latest, subscribe_form=make_subscribe_form())
    )


@bp.get("/lang/<code>")
def switch_language(code: str):
    """Remember the chosen language and go back to a page of this site."""
    if code in current_app.config["LANGUAGES"]:
        session["lang"] = code
    return redirect(safe_next(request.args.get("next")))


def safe_next(target: str | None) -> str:
    """Only follow redirects to a path on this site, never to another host."""
    if not target:
        return url_for("public.home")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return url_for("public.home")
    return target
