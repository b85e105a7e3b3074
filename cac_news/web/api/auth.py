"""Who calls: a bearer token and nothing else (no cookie), its scopes and its rate limit.

Every endpoint of the blueprint declares the scope it needs with @requires; one without a
declaration is refused, so a forgotten decorator fails closed.
"""

from __future__ import annotations

from functools import wraps
from math import ceil
from time import time

from flask import current_app, g, request
from limits import parse_many

from cac_news.api.tokens import find_by_secret, record_use
from cac_news.extensions import limiter
from cac_news.web.api.problems import ApiProblem

PUBLIC = "public"
CHALLENGE = 'Bearer realm="cac_news"'


def requires(scope: str):
    """Declare the scope an endpoint needs: read, write, or public (no token)."""

    def decorate(view):
        @wraps(view)
        def guarded(*args, **kwargs):
            if scope != PUBLIC and not g.api_token.has_scope(scope):
                raise ApiProblem(
                    403,
                    f"This token does not have the {scope} scope.",
                    [{"field": "scope", "message": f"The {scope} scope is required."}],
                )
            return view(*args, **kwargs)

        guarded.api_scope = scope
        return guarded

    return decorate


def _unauthorized(detail: str, error: str | None = None) -> ApiProblem:
    challenge = CHALLENGE + (f', error="{error}"' if error else "")
    return ApiProblem(
        401,
        detail,
        [{"field": "Authorization", "message": detail}],
        {"WWW-Authenticate": challenge},
    )


def bearer_secret() -> str | None:
    """The token of the Authorization header, or None when there is no bearer."""
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return None
    return value.strip()


def authenticate() -> None:
    """before_request of the API: find the token, check it, count the call against its limit."""
    view = current_app.view_functions.get(request.endpoint or "")
    scope = getattr(view, "api_scope", None)
    if scope == PUBLIC:
        return
    secret = bearer_secret()
    if secret is None:
        # A session cookie is no credential here: the API is CSRF-exempt because of it.
        raise _unauthorized("Send an API token in an Authorization: Bearer header.")
    token = find_by_secret(secret)
    if token is None or token.revoked_at is not None:
        raise _unauthorized("This API token is not valid or was revoked.", "invalid_token")
    if token.is_expired():
        raise _unauthorized("This API token has expired.", "invalid_token")
    if scope is None:
        raise ApiProblem(403, "This endpoint declares no scope; it is closed.")
    g.api_token = token
    check_rate_limit(token.id)
    record_use(token)


def check_rate_limit(token_id: int) -> None:
    """Count one call of this token against API_RATE_LIMIT; 429 when over it."""
    strategy = limiter.limiter
    for item in parse_many(current_app.config["API_RATE_LIMIT"]):
        if not strategy.hit(item, "api", str(token_id)):
            reset_at, _remaining = strategy.get_window_stats(item, "api", str(token_id))
            wait = max(1, ceil(reset_at - time()))
            raise ApiProblem(
                429,
                f"Too many calls with this token (limit {item}); try again in {wait} s.",
                headers={"Retry-After": str(wait)},
            )
