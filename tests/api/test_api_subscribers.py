"""Subscribers through the API: double opt-in at a real SMTP server, import-scope active
creation, field-naming problems, the one-way door, unsubscribe, the admin's filters."""

from __future__ import annotations

from sqlalchemy import select

from cac_news.extensions import db
from cac_news.models import OutboxMail, Subscriber, SubscriptionEvent
from tests.api_helpers import assert_problem, bearer, new_token
from tests.audience_helpers import links_in, path_of
from tests.engine_helpers import run_worker


def by_email(email: str) -> Subscriber | None:
    db.session.expire_all()
    return db.session.scalar(select(Subscriber).where(Subscriber.email == email))


def test_created_subscriber_is_pending_and_confirms_by_mail(client, app, smtp_server):
    headers = bearer(new_token("write", "read"))
    response = client.post(
        "/api/v1/subscribers",
        json={
            "email": "Nadia.Benali@Exemple.ORG",
            "first_name": "Nadia",
            "territory": "93",
            "modes": ["relais-local"],
            "language": "fr",
        },
        headers=headers,
    )
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["status"] == "pending" and body["email"] == "nadia.benali@exemple.org"
    assert body["modes"] == ["relais-local"] and body["territory"] == "93"
    assert response.headers["Location"].endswith(f"/api/v1/subscribers/{body['id']}")
    assert smtp_server.messages == []  # queued in the outbox, sent by the worker
    run_worker(app)
    [mail] = smtp_server.messages
    assert mail.rcpt_tos == ["nadia.benali@exemple.org"]
    [url] = [u for u in links_in(mail) if "/confirm/" in u]
    assert client.post(path_of(url)).status_code == 200
    subscriber = by_email("nadia.benali@exemple.org")
    assert subscriber.status == "active" and subscriber.consent_source == "form"
    events = [(e.source, e.new_status) for e in subscriber.events if e.kind == "status"]
    assert events == [("api", "pending"), ("confirmation", "active")]
    got = client.get(f"/api/v1/subscribers/{subscriber.id}", headers=headers).get_json()
    assert got["status"] == "active"
    assert set(got) >= {"id", "email", "status", "consent", "modes"}
    assert not set(got) & {"consent_ip", "search_text", "mode_mask", "consent_text"}


def test_import_scope_creates_active_with_consent_source(client, smtp_server, app):
    headers = bearer(new_token("write", "import", name="adherents"))
    response = client.post(
        "/api/v1/subscribers",
        json={
            "email": "membre@exemple.org",
            "status": "active",
            "consent_source": "bulletin d'adhésion papier 2026",
        },
        headers=headers,
    )
    assert response.status_code == 201, response.get_json()
    subscriber = by_email("membre@exemple.org")
    assert subscriber.status == "active" and subscriber.consent_source == "import"
    assert subscriber.consent_detail == "API token adherents: bulletin d'adhésion papier 2026"
    assert subscriber.consent_at is not None
    [event] = [e for e in subscriber.events if e.kind == "status"]
    assert (event.source, event.new_status) == ("import", "active")
    run_worker(app)
    assert smtp_server.messages == []  # no confirmation for an imported active person
    assert db.session.scalar(select(OutboxMail.id)) is None


def test_active_creation_needs_import_scope_and_consent_source(client):
    write = bearer(new_token("write"))
    response = client.post(
        "/api/v1/subscribers",
        json={"email": "a@exemple.org", "status": "active", "consent_source": "x"},
        headers=write,
    )
    assert_problem(response, 403, "status")
    importer = bearer(new_token("write", "import"))
    response = client.post(
        "/api/v1/subscribers", json={"email": "a@exemple.org", "status": "active"}, headers=importer
    )
    assert_problem(response, 422, "consent_source")
    assert by_email("a@exemple.org") is None


def test_problems_name_each_bad_field(client):
    headers = bearer(new_token("write"))
    response = client.post(
        "/api/v1/subscribers",
        json={"email": "not an address", "first_name": 12, "colour": "blue"},
        headers=headers,
    )
    body = assert_problem(response, 422, "first_name")
    assert {e["field"] for e in body["errors"]} == {"email", "first_name", "colour"}
    response = client.post("/api/v1/subscribers", json={"email": "not an address"}, headers=headers)
    assert_problem(response, 422, "email")
    response = client.post(
        "/api/v1/subscribers",
        json={"email": "b@exemple.org", "territory": "R11", "modes": ["nope"], "language": "de"},
        headers=headers,
    )
    body = assert_problem(response, 422)
    assert {e["field"] for e in body["errors"]} == {"territory", "modes", "language"}
    response = client.post(
        "/api/v1/subscribers", json={"email": "b@exemple.org", "language": "de"}, headers=headers
    )
    assert_problem(response, 422, "language")
    assert_problem(client.post("/api/v1/subscribers", json={}, headers=headers), 422, "email")
    assert by_email("b@exemple.org") is None


def test_known_address_is_a_conflict(client, make_subscriber):
    existing = make_subscriber(email="deja@exemple.org")
    response = client.post(
        "/api/v1/subscribers",
        json={"email": "DEJA@exemple.org"},
        headers=bearer(new_token("write")),
    )
    body = assert_problem(response, 409, "email")
    assert str(existing.id) in body["detail"]


def test_patch_changes_profile_but_never_reopens_the_door(client, make_subscriber):
    headers = bearer(new_token("write", "read"))
    person = make_subscriber(email="p@exemple.org", territory_code="75")
    response = client.patch(
        f"/api/v1/subscribers/{person.id}",
        json={"first_name": "Zoé", "territory": "13", "modes": ["contributeur"]},
        headers=headers,
    )
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert (body["first_name"], body["territory"], body["modes"]) == ("Zoé", "13", ["contributeur"])
    assert body["last_name"] == "Martin"  # untouched fields stay

    gone = make_subscriber(email="gone@exemple.org", status="unsubscribed")
    for status in ("active", "pending"):
        response = client.patch(
            f"/api/v1/subscribers/{gone.id}", json={"status": status}, headers=headers
        )
        assert_problem(response, 409, "status")
    bounced = make_subscriber(email="bounced@exemple.org", status="bounced")
    response = client.patch(
        f"/api/v1/subscribers/{bounced.id}",
        json={"status": "active", "first_name": "X"},
        headers=headers,
    )
    assert_problem(response, 409, "status")
    assert by_email("gone@exemple.org").status == "unsubscribed"
    assert by_email("bounced@exemple.org").status == "bounced"
    assert by_email("bounced@exemple.org").first_name == "Camille"  # nothing half-written
    # Nor can a pending person be activated by a call: only their own confirmation does.
    pending = make_subscriber(email="wait@exemple.org", status="pending")
    response = client.patch(
        f"/api/v1/subscribers/{pending.id}", json={"status": "active"}, headers=headers
    )
    assert_problem(response, 422, "status")
    assert by_email("wait@exemple.org").status == "pending"
    response = client.patch(
        f"/api/v1/subscribers/{person.id}", json={"email": "other@exemple.org"}, headers=headers
    )
    assert_problem(response, 422, "email")


def test_unsubscribe_is_recorded_and_idempotent(client, make_subscriber):
    headers = bearer(new_token("write", name="bot"))
    person = make_subscriber(email="leave@exemple.org")
    response = client.post(f"/api/v1/subscribers/{person.id}/unsubscribe", headers=headers)
    assert response.status_code == 200 and response.get_json()["status"] == "unsubscribed"
    again = client.post(f"/api/v1/subscribers/{person.id}/unsubscribe", headers=headers)
    assert again.status_code == 200 and again.get_json()["status"] == "unsubscribed"
    events = db.session.scalars(
        select(SubscriptionEvent).where(
            SubscriptionEvent.subscriber_id == person.id,
            SubscriptionEvent.new_status == "unsubscribed",
        )
    ).all()
    assert [(e.source, e.detail) for e in events] == [("api", "API token bot")]
    response = client.patch(
        f"/api/v1/subscribers/{person.id}", json={"status": "active"}, headers=headers
    )
    assert_problem(response, 409, "status")


def test_list_uses_the_admin_filters(client, make_subscriber):
    headers = bearer(new_token("read"))
    make_subscriber(email="lyon@exemple.org", territory_code="69", modes=["relais-local"])
    make_subscriber(email="paris@exemple.org", territory_code="75", first_name="Élodie")
    make_subscriber(email="gone@exemple.org", territory_code="69", status="unsubscribed")

    def emails(query: str) -> list[str]:
        response = client.get(f"/api/v1/subscribers?{query}", headers=headers)
        assert response.status_code == 200, response.get_json()
        return sorted(item["email"] for item in response.get_json()["data"])

    assert emails("territory=R84") == ["gone@exemple.org", "lyon@exemple.org"]  # a région
    assert emails("territory=69&status=active") == ["lyon@exemple.org"]
    assert emails("mode=relais-local") == ["lyon@exemple.org"]
    assert emails("q=elodie") == ["paris@exemple.org"]  # accents and case folded
    assert_problem(client.get("/api/v1/subscribers?status=happy", headers=headers), 400, "status")
    assert_problem(client.get("/api/v1/subscribers?mode=nope", headers=headers), 400, "mode")
    assert_problem(
        client.get("/api/v1/subscribers?territory=ZZ", headers=headers), 400, "territory"
    )


def test_erased_address_is_not_imported_back_as_active(client, make_subscriber):
    from cac_news.audience.rights import erase

    erase(make_subscriber(email="erased@exemple.org"))
    importer = bearer(new_token("write", "import"))
    response = client.post(
        "/api/v1/subscribers",
        json={"email": "erased@exemple.org", "status": "active", "consent_source": "fichier"},
        headers=importer,
    )
    assert_problem(response, 422, "email")
    assert by_email("erased@exemple.org") is None


def test_unsubscribing_a_bounced_person_keeps_the_bounce(client, make_subscriber):
    headers = bearer(new_token("write"))
    bounced = make_subscriber(email="b2@exemple.org", status="bounced")
    response = client.patch(
        f"/api/v1/subscribers/{bounced.id}", json={"status": "unsubscribed"}, headers=headers
    )
    assert response.status_code == 200 and response.get_json()["status"] == "bounced"
    response = client.post(f"/api/v1/subscribers/{bounced.id}/unsubscribe", headers=headers)
    assert response.get_json()["status"] == "bounced"


def test_known_gone_address_gets_a_new_link_like_the_public_form(
    client, app, smtp_server, make_subscriber
):
    headers = bearer(new_token("write"))
    gone = make_subscriber(email="retour@exemple.org", status="unsubscribed", territory_code="75")
    response = client.post(
        "/api/v1/subscribers",
        json={"email": "retour@exemple.org", "territory": "33"},
        headers=headers,
    )
    assert response.status_code == 202, response.get_json()
    assert response.get_json()["status"] == "unsubscribed"  # nothing changes before confirming
    assert by_email("retour@exemple.org").territory_code == "75"
    run_worker(app)
    [mail] = smtp_server.messages
    [url] = [u for u in links_in(mail) if "/confirm/" in u]
    assert client.post(path_of(url)).status_code == 200
    back = by_email("retour@exemple.org")
    assert back.id == gone.id and back.status == "active" and back.territory_code == "33"
    # An active address is a conflict, and nothing is sent.
    response = client.post(
        "/api/v1/subscribers", json={"email": "retour@exemple.org"}, headers=headers
    )
    assert_problem(response, 409, "email")
    run_worker(app)
    assert len(smtp_server.messages) == 1
