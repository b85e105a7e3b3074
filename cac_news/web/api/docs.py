"""/api/v1/openapi.json: the API's description, public (it holds no data)."""

from __future__ import annotations

from flask import current_app, jsonify

from cac_news.web.api import bp
from cac_news.web.api.auth import PUBLIC, requires
from cac_news.web.api.openapi import openapi_document


@bp.get("/openapi.json")
@requires(PUBLIC)
def openapi():
    """The OpenAPI 3.1 document."""
    return jsonify(openapi_document(current_app.config["SITE_URL"]))
