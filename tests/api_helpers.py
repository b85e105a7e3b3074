"""Helpers for API tests: tokens made through the real code, bearer headers."""

from __future__ import annotations

from cac_news.api.tokens import create_token


def new_token(*scopes: str, name: str | None = None, actor=None) -> str:
    """Create a token with these scopes and return its secret."""
    name = name or "tool-" + "-".join(scopes)
    return create_token(name, list(scopes), actor=actor).secret


def bearer(secret: str) -> dict[str, str]:
    """The Authorization header of a token."""
    return {"Authorization": f"Bearer {secret}"}


def assert_problem(response, status: int, field: str | None = None) -> dict:
    """The response is a problem+json of this status; when given, `errors` names the field."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    body = response.get_json(force=True)
    assert body["status"] == status
    assert body["type"] and body["title"] and body["detail"]
    assert isinstance(body["errors"], list)
    if field is not None:
        assert field in [e["field"] for e in body["errors"]], body
        assert all(e["message"] for e in body["errors"])
    return body
