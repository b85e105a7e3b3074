"""Absolute URLs for emails, built from SITE_URL so that no request is needed."""

from __future__ import annotations

from urllib.parse import quote, urlsplit

from flask import current_app


def external_url(endpoint: str, **values) -> str:
    """The public URL of an endpoint, as SITE_URL says the site is reached."""
    site = urlsplit(current_app.config["SITE_URL"].rstrip("/"))
    adapter = current_app.url_map.bind(
        site.netloc, url_scheme=site.scheme, script_name=site.path or "/"
    )
    return adapter.build(endpoint, values, force_external=True)


def pin_external_urls(app) -> None:
    """Make every `url_for(..., _external=True)` use SITE_URL, never the request's Host
    or X-Forwarded-Host, which a client (or a misconfigured proxy) controls."""
    build = app.url_for

    def url_for(
        endpoint: str, *, _anchor=None, _method=None, _scheme=None, _external=None, **values
    ) -> str:
        if not (_external or _scheme):
            return build(endpoint, _anchor=_anchor, _method=_method, **values)
        if endpoint.startswith("."):
            from flask import request

            endpoint = f"{request.blueprint}{endpoint}" if request.blueprint else endpoint[1:]
        url = external_url(endpoint, **values)
        return f"{url}#{quote(_anchor)}" if _anchor else url

    app.url_for = url_for
    app.jinja_env.globals["url_for"] = url_for  # the templates' copy was bound earlier
