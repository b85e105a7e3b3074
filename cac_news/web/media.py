"""The library's images at their stable public address, cached for a year."""

from __future__ import annotations

from flask import Blueprint, abort, send_file

from cac_news.media.library import stored_file

bp = Blueprint("media", __name__)
ONE_YEAR = 365 * 24 * 3600


@bp.get("/media/<name>")
def file(name: str):
    """A stored image: its name never changes its content, so caches may keep it forever."""
    found = stored_file(name)
    if found is None:
        abort(404)
    path, content_type = found
    response = send_file(path, mimetype=content_type, max_age=ONE_YEAR, conditional=True)
    response.cache_control.public = True
    response.cache_control.immutable = True
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
