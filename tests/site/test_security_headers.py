"""Security headers on every response, no public caching of personal pages, per-route
body limits with a French 413 page, and templates free of inline scripts (the CSP
allows scripts from the site only)."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest

from tests.fixtures.people import login

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def csp_directives(response) -> dict[str, str]:
    """The Content-Security-Policy as {directive: sources}."""
    parts = [p.strip() for p in response.headers["Content-Security-Policy"].split(";")]
    return {p.split(" ", 1)[0]: (p.split(" ", 1) + [""])[1] for p in parts if p}


@pytest.mark.parametrize("path", ["/", "/login", "/archives/", "/no-such-page"])
def test_every_response_carries_the_headers(client, path):
    response = client.get(path)
    csp = csp_directives(response)
    assert csp["default-src"] == "'self'"
    assert csp["script-src"] == "'self'"
    assert csp["frame-ancestors"] == "'none'"
    assert csp["img-src"] == "'self' data:"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert "camera=()" in response.headers["Permissions-Policy"]
    assert "Strict-Transport-Security" not in response.headers  # SITE_URL is http here


@pytest.mark.parametrize(
    "path", ["/confirm/not-a-real-token", "/unsubscribe/abc.def", "/preferences/xyz"]
)
def test_pages_with_a_token_in_their_url_send_no_referrer(client, path):
    response = client.get(path)
    assert response.headers["Referrer-Policy"] == "no-referrer"


def test_hsts_when_the_site_is_https(app, client):
    app.config["SITE_URL"] = "https://lettre.example.org"
    response = client.get("/")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_pages_with_a_csrf_token_or_a_session_are_never_public(app, client, admin):
    app.config["WTF_CSRF_ENABLED"] = True
    anonymous = client.get("/archives/")
    assert anonymous.cache_control.public  # the rule is targeted: plain public pages cache
    form_page = client.get("/login")
    assert "csrf_token" in form_page.data.decode()
    assert not form_page.cache_control.public
    assert form_page.cache_control.no_store and form_page.cache_control.private
    app.config["WTF_CSRF_ENABLED"] = False
    assert login(client, admin.email).status_code == 302
    for path in ["/archives/", "/admin/"]:
        response = client.get(path)
        assert not response.cache_control.public, path
        assert response.cache_control.no_store, path


def test_admin_preview_frames_are_framable_by_the_admin_only(admin_client, make_newsletter):
    newsletter_id = make_newsletter("Aperçu").id
    for kind in ("email", "web"):
        framed = admin_client.get(f"/admin/newsletters/{newsletter_id}/preview/{kind}")
        assert framed.status_code == 200
        assert csp_directives(framed)["frame-ancestors"] == "'self'"
        assert framed.headers["X-Frame-Options"] == "SAMEORIGIN"
    page = admin_client.get(f"/admin/newsletters/{newsletter_id}/")
    assert page.status_code == 200 and "<iframe" in page.data.decode()
    assert csp_directives(page)["frame-ancestors"] == "'none'"


def test_public_forms_refuse_large_bodies_in_french(client):
    response = client.post("/login", data={"email": "a@example.org", "password": "x" * 40_000})
    assert response.status_code == 413
    assert "trop volumineux" in response.data.decode()
    subscribe = client.post(
        "/subscribe", data={"email": "b@example.org", "first_name": "y" * 40_000}
    )
    assert subscribe.status_code == 413


def test_admin_uploads_keep_their_larger_limit(app, admin_client):
    rows = "".join(f"abonne{i}@exemple.org;Prénom{i};Nom{i}\n" for i in range(3000))
    csv_bytes = ("E-Mail;Prénom;NOM\n" + rows).encode()
    assert len(csv_bytes) > 64 * 1024
    response = admin_client.post(
        "/admin/subscribers/import",
        data={"file": (io.BytesIO(csv_bytes), "abonnes.csv"), "status": "active"},
        content_type="multipart/form-data",
    )
    assert response.status_code == 200
    app.config["MAX_CONTENT_LENGTH"] = 32 * 1024
    refused = admin_client.post(
        "/admin/subscribers/import",
        data={"file": (io.BytesIO(csv_bytes), "abonnes.csv"), "status": "active"},
        content_type="multipart/form-data",
    )
    assert refused.status_code == 413


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
INLINE_HANDLER = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)
JS_URL = re.compile(r"""href\s*=\s*["']\s*javascript:""", re.IGNORECASE)


def test_templates_carry_no_inline_script_or_handler():
    offenders = []
    for template in TEMPLATES.rglob("*.html"):
        if template.parts[-2] == "email":
            continue  # emails run no script anywhere
        text = template.read_text(encoding="utf-8")
        for pattern in (INLINE_SCRIPT, INLINE_HANDLER, JS_URL):
            offenders += [
                f"{template.relative_to(TEMPLATES)}: {m.group(0)}" for m in pattern.finditer(text)
            ]
    assert offenders == []
