"""`GET /healthz` for load balancers and uptime monitors: JSON, 200 or 503."""

from __future__ import annotations

from flask import Blueprint, jsonify
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from cac_news.extensions import db

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    """Whether the database answers; 503 when it does not."""
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        db.session.rollback()
        return jsonify(status="error", database="unreachable"), 503
    return jsonify(status="ok", database="ok"), 200
