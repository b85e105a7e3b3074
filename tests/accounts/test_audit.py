"""The audit log: sends, cancels, deletions and exports leave a row naming the pilot and
ids only; admins read it, paginated; editors cannot."""

from __future__ import annotations

from sqlalchemy import select

from cac_news.accounts import audit
from cac_news.audience.segments import SegmentRule, save_segment
from cac_news.extensions import db
from cac_news.models import AuditEvent, Pilot


def events() -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)))


def test_send_cancel_delete_export_are_recorded(app, admin_client, admin, make_subscriber,
                                                make_newsletter):  # fmt: skip
    make_subscriber(email="camille@exemple.org")
    doomed_id = make_subscriber(email="dominique@exemple.org").id
    newsletter_id = make_newsletter(subject="Lettre suivie").id
    base = f"/admin/newsletters/{newsletter_id}"
    assert admin_client.post(f"{base}/send", data={"at": ""}).status_code == 302
    assert admin_client.post(f"{base}/cancel").status_code == 302
    assert admin_client.post(f"/admin/subscribers/{doomed_id}/delete").status_code == 302
    assert admin_client.get("/admin/subscribers/export.csv").status_code == 200
    segment = save_segment("Paris", "", SegmentRule(territory_codes=["75"]))
    segment_id = segment.id
    assert admin_client.post(f"/admin/segments/{segment_id}/delete").status_code == 302

    rows = events()
    assert [e.action for e in rows] == [
        "newsletter.sent",
        "newsletter.cancelled",
        "subscriber.deleted",
        "subscribers.exported",
        "segment.deleted",
    ]
    assert all(e.pilot_id == admin.id for e in rows)
    sent = rows[0]
    assert (sent.target_type, sent.target_id) == ("newsletter", newsletter_id)
    assert audit.event_details(sent) == {"recipients": 2}
    assert sent.ip == "127.0.0.0/24"  # the client's network, not its address
    assert (rows[2].target_type, rows[2].target_id) == ("subscriber", doomed_id)
    assert (rows[4].target_type, rows[4].target_id) == ("segment", segment_id)
    stored = " ".join(f"{e.details} {e.target_type}" for e in rows)
    assert "exemple.org" not in stored and "Camille" not in stored


def test_scheduled_send_recorded_as_scheduled(app, admin_client, make_subscriber,
                                              make_newsletter):  # fmt: skip
    make_subscriber()
    newsletter = make_newsletter()
    response = admin_client.post(
        f"/admin/newsletters/{newsletter.id}/send", data={"at": "2099-01-01 09:00"}
    )
    assert response.status_code == 302
    assert [e.action for e in events()] == ["newsletter.scheduled"]


def test_admin_page_lists_events_paginated(app, admin_client, admin):
    app.config["ADMIN_PAGE_SIZE"] = 2
    for number in range(5):
        audit.record("segment.deleted", target_type="segment", target_id=number, pilot=admin)
    first = admin_client.get("/admin/audit/").data.decode()
    assert first.count("segment #") == 2 and "segment #4" in first and "Alice Admin" in first
    assert "Segment supprimé" in first  # the French label
    last = admin_client.get("/admin/audit/?page=3").data.decode()
    assert "segment #0" in last and "segment #4" not in last


def test_audit_page_is_for_admins_only(editor_client):
    assert editor_client.get("/admin/audit/").status_code == 403


def test_record_outside_a_request_and_deleted_pilot(app, make_pilot):
    pilot = make_pilot(email="partant@example.org")
    audit.record("token.created", target_type="api_token", target_id=7, pilot=pilot)
    audit.record("newsletter.sent", target_type="newsletter", target_id=1)  # command line
    db.session.delete(db.session.get(Pilot, pilot.id))
    db.session.commit()
    assert [(e.action, e.pilot_id, e.ip) for e in events()] == [
        ("token.created", None, None),
        ("newsletter.sent", None, None),
    ]
