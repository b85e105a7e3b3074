"""Absolute URLs for emails, built from SITE_URL so that no request is needed."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app


def external_url(endpoint: str, **values) -> str:
    """The public URL of an endpoint, as SITE_URL says the site is reached."""
    site = urlsplit(current_app.config["SITE_URL"].rstrip("/"))
    adapter = current_app.url_map.bind(
        site.netloc, url_scheme=site.scheme, script_name=site.path or "/"
    )
    return adapter.build(endpoint, values, force_external=True)
