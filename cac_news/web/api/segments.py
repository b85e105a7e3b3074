"""/api/v1/segments: the saved audiences and their live counts."""

from __future__ import annotations

from flask import jsonify
from sqlalchemy import select

from cac_news.api import representations
from cac_news.audience.segments import count_segment
from cac_news.extensions import db
from cac_news.models import Segment
from cac_news.web.api import bp
from cac_news.web.api.auth import requires
from cac_news.web.api.responses import list_response, not_found, query_page


@bp.get("/segments")
@requires("read")
def segments_list():
    """Segments by ascending id."""
    return list_response(query_page(select(Segment), Segment.id), representations.segment)


@bp.get("/segments/<int:segment_id>/count")
@requires("read")
def segment_count(segment_id: int):
    """How many active subscribers the segment holds right now."""
    segment = db.session.get(Segment, segment_id)
    if segment is None:
        raise not_found("segment")
    return jsonify({"id": segment.id, "count": count_segment(segment)})
