"""API tokens from the admin page (admins only) and from `flask tokens`."""

from __future__ import annotations

import re

from sqlalchemy import select

from cac_news.api.tokens import hash_secret
from cac_news.extensions import db
from cac_news.models import ApiToken
from tests.api_helpers import assert_problem, bearer

TOKEN = re.compile(r"cacn_[A-Za-z0-9_-]{43}")


def test_admin_creates_sees_once_and_revokes(admin_client, client):
    page = admin_client.get("/admin/tokens/")
    assert page.status_code == 200 and "cacn_" not in page.get_data(as_text=True)
    response = admin_client.post(
        "/admin/tokens/",
        data={"name": "formulaire du site", "scopes": ["read", "write"], "expires": "2099-12-31"},
    )
    assert response.status_code == 200
    [secret] = TOKEN.findall(response.get_data(as_text=True))
    assert response.headers["Cache-Control"].count("no-store")
    row = db.session.scalar(select(ApiToken).where(ApiToken.name == "formulaire du site"))
    assert row.token_hash == hash_secret(secret) and row.scope_list == ["read", "write"]
    assert row.created_by.email == "admin@example.org" and row.expires_at.year in (2099, 2100)
    # Shown once: the list page never shows it again, nor its hash.
    listing = admin_client.get("/admin/tokens/").get_data(as_text=True)
    assert secret not in listing and row.token_hash not in listing
    assert "formulaire du site" in listing and "read, write" in listing
    assert client.get("/api/v1/segments", headers=bearer(secret)).status_code == 200
    revoked = admin_client.post(f"/admin/tokens/{row.id}/revoke")
    assert revoked.status_code == 302
    db.session.refresh(row)
    assert row.revoked_at is not None
    assert_problem(client.get("/api/v1/segments", headers=bearer(secret)), 401)


def test_admin_form_names_bad_fields(admin_client):
    response = admin_client.post("/admin/tokens/", data={"name": "", "scopes": []})
    assert response.status_code == 400
    response = admin_client.post("/admin/tokens/", data={"name": "x", "scopes": ["import"]})
    assert response.status_code == 400
    assert "field-error" in response.get_data(as_text=True)
    assert db.session.scalar(select(ApiToken.id)) is None


def test_editors_cannot_see_or_make_tokens(editor_client):
    assert editor_client.get("/admin/tokens/").status_code == 403
    response = editor_client.post("/admin/tokens/", data={"name": "x", "scopes": ["read"]})
    assert response.status_code == 403
    assert db.session.scalar(select(ApiToken.id)) is None


def test_cli_create_list_revoke(runner, client):
    result = runner.invoke(
        args=["tokens", "create", "tableur", "--scope", "read", "--scope", "write"]
    )
    assert result.exit_code == 0, result.output
    [secret] = TOKEN.findall(result.stdout)
    assert result.stdout.strip() == secret  # stdout holds the token alone: scriptable
    assert client.get("/api/v1/segments", headers=bearer(secret)).status_code == 200

    result = runner.invoke(
        args=["tokens", "create", "bot", "--scope", "read", "--expires", "2099-01-31"]
    )
    assert result.exit_code == 0, result.output
    listing = runner.invoke(args=["tokens", "list"])
    assert "tableur\tread,write" in listing.output and "2099-01-31" in listing.output
    assert secret not in listing.output and hash_secret(secret) not in listing.output

    row = db.session.scalar(select(ApiToken).where(ApiToken.name == "tableur"))
    assert runner.invoke(args=["tokens", "revoke", str(row.id)]).exit_code == 0
    assert runner.invoke(args=["tokens", "revoke", "bot"]).exit_code == 0
    listing = runner.invoke(args=["tokens", "list"]).output
    assert listing.count("revoked") == 2
    assert_problem(client.get("/api/v1/segments", headers=bearer(secret)), 401)


def test_cli_refuses_bad_input(runner):
    assert runner.invoke(args=["tokens", "create", "x", "--scope", "admin"]).exit_code != 0
    result = runner.invoke(
        args=["tokens", "create", "x", "--scope", "read", "--expires", "2020-01-01"]
    )
    assert result.exit_code != 0 and "expires:" in result.output
    result = runner.invoke(args=["tokens", "create", "x", "--scope", "read", "--expires", "soon"])
    assert result.exit_code != 0 and "YYYY-MM-DD" in result.output
    assert runner.invoke(args=["tokens", "revoke", "nobody"]).exit_code != 0
    assert db.session.scalar(select(ApiToken.id)) is None
