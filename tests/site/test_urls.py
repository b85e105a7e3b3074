"""Absolute URLs for emails come from SITE_URL, with or without a request."""

from cac_news.urls import external_url


def test_external_url_uses_site_url_outside_a_request(app):
    app.config["SITE_URL"] = "https://lettre.example.org/"
    assert external_url("auth.login") == "https://lettre.example.org/login"


def test_external_url_keeps_a_path_prefix(app):
    app.config["SITE_URL"] = "https://example.org/lettre"
    assert external_url("public.home") == "https://example.org/lettre/"
