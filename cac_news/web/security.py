"""Security headers on every response, no public caching of personal pages, and request
bodies bounded per route.

Policy, in short: scripts only from the site (`script-src 'self'`; templates carry no
inline script or event handler), no framing except the admin previews framed by the
admin itself, no referrer on pages whose URL carries a token, HSTS when the site is
served over https. Images on site pages come from the site itself or `data:` URIs
(CSP_IMG_SRC widens it): a remote image in Markdown is shown in the emails, and in the
admin previews (their own policy), but a reader of the public site never makes a request
to a third party.
"""

from __future__ import annotations

from flask import Flask, Response, current_app, g, request, session
from flask_login import current_user

# Pages the admin frames in its previews; every other page refuses to be framed.
FRAMED_BY_ADMIN = {
    "admin.newsletter_preview_email",
    "admin.newsletter_preview_web",
    "admin.newsletter_preview_live",
}
# Responses the same for everyone, cacheable whoever asks (a logged-in pilot too).
SHARED_RESPONSES = {"media.file"}
# Blueprints of the public forms and the login: a few kilobytes are plenty.
SMALL_BODY_BLUEPRINTS = {"public", "subscription", "auth"}
# Admin pages that take a resource's file: its limit (RESOURCE_MAX_BYTES) plus the form.
RESOURCE_UPLOAD_ENDPOINTS = {"admin.resource_new", "admin.resource_edit"}
FORM_MARGIN = 256 * 1024
PERMISSIONS_POLICY = (
    "camera=(), microphone=(), geolocation=(), payment=(), usb=(), "
    "interest-cohort=(), browsing-topics=()"
)
HSTS = "max-age=31536000; includeSubDomains"


def content_security_policy(img_src: str, frame_ancestors: str) -> str:
    """The site's Content-Security-Policy."""
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            f"img-src {img_src}",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            f"frame-ancestors {frame_ancestors}",
        ]
    )


def bound_request_body() -> None:
    """Set this request's body limit: small for public forms and logins, the upload
    limit (MAX_CONTENT_LENGTH) for the admin, whose imports and media need it."""
    if request.blueprint in SMALL_BODY_BLUEPRINTS:
        request.max_content_length = current_app.config["PUBLIC_FORM_MAX_LENGTH"]
    elif request.endpoint in RESOURCE_UPLOAD_ENDPOINTS:
        limit = current_app.config.get("RESOURCE_MAX_BYTES") or 20 * 1024 * 1024
        request.max_content_length = max(
            current_app.config["MAX_CONTENT_LENGTH"] or 0, int(limit) + FORM_MARGIN
        )


def carries_personal_state() -> bool:
    """The page holds a CSRF token, a logged-in pilot, or session data."""
    return "csrf_token" in g or bool(session) or current_user.is_authenticated


def add_security_headers(response: Response) -> Response:
    """Headers every response carries (a view that set its own CSP keeps it)."""
    framed = request.endpoint in FRAMED_BY_ADMIN
    headers = response.headers
    if "Content-Security-Policy" in headers:
        if framed and "frame-ancestors" not in headers["Content-Security-Policy"]:
            headers["Content-Security-Policy"] += "; frame-ancestors 'self'"
    else:
        headers["Content-Security-Policy"] = content_security_policy(
            current_app.config["CSP_IMG_SRC"], "'self'" if framed else "'none'"
        )
    headers["X-Frame-Options"] = "SAMEORIGIN" if framed else "DENY"
    headers["X-Content-Type-Options"] = "nosniff"
    token_in_url = any("token" in name for name in (request.view_args or {}))
    headers["Referrer-Policy"] = (
        "no-referrer" if token_in_url else "strict-origin-when-cross-origin"
    )
    headers["Permissions-Policy"] = PERMISSIONS_POLICY
    if str(current_app.config["SITE_URL"]).startswith("https://"):
        headers["Strict-Transport-Security"] = HSTS
    if request.endpoint not in SHARED_RESPONSES and carries_personal_state():
        response.cache_control.public = False
        response.cache_control.max_age = None
        response.cache_control.private = True
        response.cache_control.no_store = True
        response.vary.add("Cookie")
    return response


def init_security(app: Flask) -> None:
    """Install the body limits and the headers."""
    # First of all: the CSRF check reads the form, hence the body, before other hooks run.
    app.before_request_funcs.setdefault(None, []).insert(0, bound_request_body)
    app.after_request(add_security_headers)
