"""Segments, newsletters (with delivery counts), action reports and roadmap updates."""

from __future__ import annotations

from sqlalchemy import select

from cac_news.audience.segments import SegmentRule, save_segment
from cac_news.compose.newsletters import SectionData
from cac_news.extensions import db
from cac_news.mailing import sending
from cac_news.models import ActionReport, ParticipationMode, RoadmapItem, RoadmapUpdate
from tests.api_helpers import assert_problem, bearer, new_token
from tests.engine_helpers import run_worker


def test_segments_list_and_live_count(client, make_subscriber):
    headers = bearer(new_token("read"))
    relais = db.session.scalar(
        select(ParticipationMode.id).where(ParticipationMode.slug == "relais-local")
    )
    segment = save_segment(
        "Relais Auvergne-Rhône-Alpes", "", SegmentRule(mode_ids=[relais], territory_codes=["R84"])
    )
    make_subscriber(territory_code="69", modes=["relais-local"])
    make_subscriber(territory_code="69", modes=["relais-local"], status="unsubscribed")
    make_subscriber(territory_code="75", modes=["relais-local"])
    body = client.get("/api/v1/segments", headers=headers).get_json()
    assert body["next"] is None
    [item] = body["data"]
    assert item == {
        "id": segment.id,
        "name": "Relais Auvergne-Rhône-Alpes",
        "description": "",
        "language": None,
        "modes": ["relais-local"],
        "territories": ["R84"],
    }
    count = client.get(f"/api/v1/segments/{segment.id}/count", headers=headers).get_json()
    assert count == {"id": segment.id, "count": 1}
    make_subscriber(territory_code="01", modes=["relais-local"])
    count = client.get(f"/api/v1/segments/{segment.id}/count", headers=headers).get_json()
    assert count["count"] == 2
    assert_problem(client.get("/api/v1/segments/9999/count", headers=headers), 404)


def test_newsletter_with_delivery_counts_and_nothing_internal(
    client, app, smtp_server, make_subscriber, make_newsletter
):
    headers = bearer(new_token("read"))
    for _ in range(3):
        make_subscriber()
    newsletter = make_newsletter(sections=[SectionData(kind="text", title="T", body_md="Texte")])
    sending.start_send(newsletter)
    run_worker(app)
    listing = client.get("/api/v1/newsletters", headers=headers).get_json()
    assert [n["id"] for n in listing["data"]] == [newsletter.id]
    assert "deliveries" not in listing["data"][0]
    body = client.get(f"/api/v1/newsletters/{newsletter.id}", headers=headers).get_json()
    assert body["status"] == "sent" and body["recipients_count"] == 3
    assert body["deliveries"]["sent"] == 3 and body["deliveries"]["failed"] == 0
    text = str(body)
    for internal in ("email_html", "email_text", "claimed_by", "smtp_", "@exemple.org"):
        assert internal not in text
    assert_problem(client.get("/api/v1/newsletters/424242", headers=headers), 404)


def test_action_report_created_as_draft(client, make_action_report):
    headers = bearer(new_token("read", "write"))
    published = make_action_report(title="Publié")
    response = client.post(
        "/api/v1/action-reports",
        json={
            "title": "Réunion publique à Lille",
            "date": "2026-11-20",
            "territory": "59",
            "kind": "public_meeting",
            "body_md": "Soixante personnes.",
        },
        headers=headers,
    )
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["published"] is False and body["published_at"] is None
    report = db.session.get(ActionReport, body["id"])
    assert report.published is False and report.territory_code == "59"
    assert client.get(response.headers["Location"], headers=headers).get_json() == body
    # Drafts stay off the public site.
    assert "Lille" not in client.get("/actions/").get_data(as_text=True)
    drafts = client.get("/api/v1/action-reports?published=false", headers=headers).get_json()
    assert [r["id"] for r in drafts["data"]] == [report.id]
    both = client.get("/api/v1/action-reports", headers=headers).get_json()
    assert [r["id"] for r in both["data"]] == [published.id, report.id]
    response = client.post(
        "/api/v1/action-reports",
        json={"title": "", "date": "20/11/2026", "territory": "99", "kind": "party"},
        headers=headers,
    )
    body = assert_problem(response, 422, "date")
    assert {e["field"] for e in body["errors"]} == {"title", "date"}
    response = client.post(
        "/api/v1/action-reports",
        json={"title": "T", "date": "2026-11-20", "territory": "99", "kind": "party"},
        headers=headers,
    )
    body = assert_problem(response, 422)
    assert {e["field"] for e in body["errors"]} == {"territory", "kind"}
    assert db.session.scalar(select(ActionReport).where(ActionReport.title == "T")) is None


def test_roadmap_update_created_and_listed(client, make_pilot):
    pilot = make_pilot(email="auteur@example.org")
    item = RoadmapItem(objective="expertise", title="Note de synthèse")
    db.session.add(item)
    db.session.commit()
    headers = bearer(new_token("read", "write", actor=pilot))
    response = client.post(
        "/api/v1/roadmap-updates",
        json={"item_id": item.id, "date": "2026-11-30", "body_md": "Premier jet relu."},
        headers=headers,
    )
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["item_title"] == "Note de synthèse" and body["new_status"] is None
    update = db.session.get(RoadmapUpdate, body["id"])
    assert update.author_id == pilot.id
    listing = client.get(f"/api/v1/roadmap-updates?item_id={item.id}", headers=headers)
    assert [u["id"] for u in listing.get_json()["data"]] == [update.id]
    response = client.post(
        "/api/v1/roadmap-updates", json={"item_id": 999, "date": "2026-11-30"}, headers=headers
    )
    assert_problem(response, 422, "item_id")
    response = client.post(
        "/api/v1/roadmap-updates",
        json={"item_id": item.id, "date": "2026-11-30", "new_status": "finished"},
        headers=headers,
    )
    assert_problem(response, 422, "new_status")
    response = client.post("/api/v1/roadmap-updates", json={"item_id": "1"}, headers=headers)
    body = assert_problem(response, 422, "item_id")
    assert {e["field"] for e in body["errors"]} == {"item_id", "date"}
