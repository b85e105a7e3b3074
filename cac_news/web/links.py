"""``/l/<code>``: a letter's counted link, redirected to its target (nothing personal kept)."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, request

from cac_news.insight import links

bp = Blueprint("links", __name__)


@bp.route("/l/<code>", methods=["GET", "HEAD"])
def follow(code: str):
    """302 to the stored target; GETs by people are counted, HEAD and scanners are not."""
    link = links.target_of(code)
    if link is None:
        abort(404)
    if request.method == "GET" and not links.is_scanner(request.headers.get("User-Agent", "")):
        links.count_follow(link)
    response = redirect(link.url, code=302)
    response.headers["Cache-Control"] = "no-store"  # every follow reaches the counter
    response.headers["Referrer-Policy"] = "no-referrer"
    return response
