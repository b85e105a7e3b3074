"""API authentication: bearer tokens only, scopes, expiry, revocation, rate limit."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from cac_news.api.tokens import TOKEN_PREFIX, create_token, hash_secret, revoke_token
from cac_news.extensions import db
from cac_news.models import ApiToken, Subscriber
from cac_news.timeutil import utcnow
from tests.api_helpers import assert_problem, bearer, new_token


def test_token_is_shown_once_and_stored_hashed(app):
    created = create_token("site web", ["read", "write"])
    assert created.secret.startswith(TOKEN_PREFIX) and len(created.secret) > 40
    row = db.session.scalar(select(ApiToken).where(ApiToken.name == "site web"))
    assert row.token_hash == hash_secret(created.secret)
    assert created.secret not in str(
        db.session.execute(select(ApiToken.__table__)).all()
    )  # nowhere in clear


def test_no_token_is_401_even_with_a_pilot_session(admin_client, make_subscriber):
    make_subscriber()
    assert admin_client.get("/admin/subscribers/").status_code == 200  # the session works...
    response = admin_client.get("/api/v1/subscribers")  # ...but is no credential here
    body = assert_problem(response, 401, "Authorization")
    assert "Bearer" in response.headers["WWW-Authenticate"]
    assert "@" not in str(body)
    # A cookie-carrying write without a bearer changes nothing, CSRF exemption or not.
    response = admin_client.post("/api/v1/subscribers", json={"email": "x@exemple.org"})
    assert_problem(response, 401)
    assert db.session.scalar(select(Subscriber).where(Subscriber.email == "x@exemple.org")) is None


@pytest.mark.parametrize(
    "header",
    ["Bearer cacn_not-a-real-token", "Bearer ", "Basic dXNlcjpwYXNz", "cacn_raw-without-scheme"],
)
def test_invalid_tokens_are_401(client, header):
    assert_problem(client.get("/api/v1/segments", headers={"Authorization": header}), 401)


def test_revoked_and_expired_tokens_are_401(client, app):
    secret = new_token("read", name="old")
    assert client.get("/api/v1/segments", headers=bearer(secret)).status_code == 200
    revoke_token(db.session.scalar(select(ApiToken).where(ApiToken.name == "old")))
    assert_problem(client.get("/api/v1/segments", headers=bearer(secret)), 401)

    secret = new_token("read", name="expiring")
    row = db.session.scalar(select(ApiToken).where(ApiToken.name == "expiring"))
    row.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    body = assert_problem(client.get("/api/v1/segments", headers=bearer(secret)), 401)
    assert "expired" in body["detail"]


def test_read_token_cannot_write(client, make_subscriber):
    subscriber = make_subscriber()
    read = bearer(new_token("read"))
    assert client.get(f"/api/v1/subscribers/{subscriber.id}", headers=read).status_code == 200
    writes = [
        ("post", "/api/v1/subscribers", {"email": "new@exemple.org"}),
        ("patch", f"/api/v1/subscribers/{subscriber.id}", {"first_name": "Zoé"}),
        ("post", f"/api/v1/subscribers/{subscriber.id}/unsubscribe", None),
        ("post", "/api/v1/action-reports", {"title": "t"}),
        ("post", "/api/v1/roadmap-updates", {"item_id": 1}),
    ]
    for method, url, body in writes:
        response = getattr(client, method)(url, json=body, headers=read)
        assert_problem(response, 403, "scope")
    db.session.refresh(subscriber)
    assert subscriber.status == "active" and subscriber.first_name == "Camille"
    created = select(Subscriber).where(Subscriber.email == "new@exemple.org")
    assert db.session.scalar(created) is None


def test_write_only_token_cannot_read(client):
    assert_problem(client.get("/api/v1/subscribers", headers=bearer(new_token("write"))), 403)


def test_last_use_is_recorded(client):
    secret = new_token("read", name="used")
    row = db.session.scalar(select(ApiToken).where(ApiToken.name == "used"))
    assert row.last_used_at is None
    client.get("/api/v1/segments", headers=bearer(secret))
    db.session.refresh(row)
    assert row.last_used_at is not None and utcnow() - row.last_used_at < timedelta(minutes=1)


def test_rate_limit_per_token_answers_429_problem(client, app):
    app.config["API_RATE_LIMIT"] = "3 per minute"
    first, second = bearer(new_token("read", name="a")), bearer(new_token("read", name="b"))
    for _ in range(3):
        assert client.get("/api/v1/segments", headers=first).status_code == 200
    response = client.get("/api/v1/segments", headers=first)
    body = assert_problem(response, 429)
    assert int(response.headers["Retry-After"]) >= 1
    assert "limit" in body["detail"]
    # The limit is per token: another token (same client address) still gets through.
    assert client.get("/api/v1/segments", headers=second).status_code == 200


def test_unknown_url_and_method_are_problems(client):
    headers = bearer(new_token("read", "write"))
    assert_problem(client.get("/api/v1/nothing-here", headers=headers), 404)
    assert_problem(client.get("/api/v1/subscribers/999999", headers=headers), 404)
    response = client.delete("/api/v1/subscribers", headers=headers)
    assert_problem(response, 405)
    assert "GET" in response.headers["Allow"]
    # The rest of the site keeps its HTML error pages.
    assert client.get("/no-such-page").mimetype == "text/html"


def test_body_must_be_a_json_object(client):
    headers = bearer(new_token("write"))
    assert_problem(client.post("/api/v1/subscribers", data="email=x", headers=headers), 415, "body")
    response = client.post(
        "/api/v1/subscribers",
        data="[1, 2",
        content_type="application/json",
        headers=headers,
    )
    assert_problem(response, 400, "body")


def test_api_is_csrf_exempt_but_the_site_is_not(client, app, admin_client):
    app.config["WTF_CSRF_ENABLED"] = True
    # A form of the site without its CSRF token is refused...
    refused = admin_client.post("/admin/tokens/", data={"name": "x", "scopes": ["read"]})
    assert refused.status_code == 400
    assert db.session.scalar(select(ApiToken.id)) is None  # valid data, refused for CSRF
    # ...while the API, which only takes a bearer token, needs none.
    headers = bearer(new_token("write", "read"))
    response = client.post("/api/v1/subscribers", json={"email": "c@exemple.org"}, headers=headers)
    assert response.status_code == 201, response.get_json()


def test_api_answers_set_no_cookie_and_are_not_cached(client):
    headers = bearer(new_token("read"))
    for response in (
        client.get("/api/v1/subscribers", headers=headers),
        client.get("/api/v1/subscribers"),
    ):
        assert "Set-Cookie" not in response.headers
        assert "no-store" in response.headers["Cache-Control"]
