"""HTTP caching of public pages: ETag, Last-Modified, 304 on revalidation."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Response, make_response, request

PUBLIC_MAX_AGE = 300  # seconds: a withdrawal reaches every reader within five minutes


def cacheable(
    body,
    etag: str | None = None,
    last_modified: datetime | None = None,
    max_age: int = PUBLIC_MAX_AGE,
    vary_on_session: bool = True,
) -> Response:
    """A public response with validators; 304 when the client's copy is still good.

    Without an explicit `etag`, the ETag is a hash of the body (which includes the
    language and the login state of the page), so two variants never share one.
    """
    response = make_response(body)
    if etag:
        response.set_etag(etag)
    else:
        response.add_etag()
    if last_modified is not None:
        response.last_modified = last_modified.replace(tzinfo=UTC)
    response.cache_control.public = True
    response.cache_control.max_age = max_age
    if vary_on_session:
        # The language choice and the pilot's login live in the session cookie.
        response.vary.add("Cookie")
        response.vary.add("Accept-Language")
    return response.make_conditional(request)
