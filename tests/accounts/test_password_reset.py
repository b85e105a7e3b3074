"""Password reset by email: a real mail at a real SMTP server, a link that works once and
for one hour, the same answer for an unknown address, throttles, other logins ended."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from cac_news.accounts import password_reset
from cac_news.extensions import db
from cac_news.models import AuditEvent, OutboxMail, Pilot
from cac_news.timeutil import utcnow
from tests.engine_helpers import run_worker
from tests.fixtures.people import PASSWORD, login

NEW_PASSWORD = "un tout nouveau mot de passe"


def reset_link(smtp_server) -> str:
    """The path of the reset link in the one mail received."""
    [mail] = smtp_server.messages
    body = mail.message.get_body(("plain",)).get_content()
    url = re.search(r"http://localhost(/login/reset/\S+)", body).group(1)
    return url


def test_reset_mail_received_and_link_works_once(app, client, admin, smtp_server):
    assert "/login/forgot" in client.get("/login").data.decode()
    page = client.post("/login/forgot", data={"email": "ADMIN@example.org"})
    assert page.status_code == 200
    assert smtp_server.messages == []  # the request only queued it
    run_worker(app)
    [mail] = smtp_server.messages
    assert mail.rcpt_tos == ["admin@example.org"]
    link = reset_link(smtp_server)
    assert client.get(link).status_code == 200
    done = client.post(link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert done.status_code == 302 and done.location.endswith("/login")
    assert login(client, admin.email, NEW_PASSWORD).status_code == 302
    # Used once: the password changed, so the link opens nothing any more.
    again = app.test_client()
    assert again.get(link).status_code == 410
    third = "encore un autre mot de passe"
    assert again.post(link, data={"password": third, "confirm": third}).status_code == 410
    assert db.session.get(Pilot, admin.id).check_password(NEW_PASSWORD)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "password.reset"))
    assert event.pilot_id == admin.id


def test_unknown_address_gets_the_same_answer_and_no_mail(app, client, admin, smtp_server):
    known = client.post("/login/forgot", data={"email": admin.email})
    unknown = client.post("/login/forgot", data={"email": "personne@example.org"})
    assert known.data == unknown.data
    assert db.session.scalar(select(db.func.count(OutboxMail.id))) == 2
    run_worker(app)
    assert [m.rcpt_tos for m in smtp_server.messages] == [[admin.email]]


def test_inactive_pilot_gets_no_mail(app, client, make_pilot, smtp_server):
    make_pilot(email="partie@example.org", active=False)
    client.post("/login/forgot", data={"email": "partie@example.org"})
    run_worker(app)
    assert smtp_server.messages == []


def test_link_expires_after_one_hour(app, admin):
    issued = utcnow()
    token = password_reset.make_token(admin, issued)
    assert password_reset.pilot_for_token(token, issued + timedelta(minutes=59)) is admin
    assert password_reset.pilot_for_token(token, issued + timedelta(minutes=61)) is None
    late = password_reset.reset_password(token, NEW_PASSWORD, issued + timedelta(minutes=61))
    assert late is None
    assert db.session.get(Pilot, admin.id).check_password(PASSWORD)


def test_link_from_the_mail_expires_after_one_hour(app, client, admin, smtp_server, monkeypatch):
    client.post("/login/forgot", data={"email": admin.email})
    run_worker(app)
    link = reset_link(smtp_server)
    later = utcnow() + timedelta(hours=1, minutes=1)
    monkeypatch.setattr(password_reset, "utcnow", lambda: later)
    assert client.get(link).status_code == 410
    form = {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    assert client.post(link, data=form).status_code == 410
    assert db.session.get(Pilot, admin.id).check_password(PASSWORD)


def test_tampered_token_refused(app, client, admin):
    token = password_reset.make_token(admin)
    assert client.get(f"/login/reset/{token[:-2]}xx").status_code == 410


def test_reset_ends_the_pilots_other_sessions(app, client, admin, smtp_server):
    logged_in = app.test_client()
    assert login(logged_in, admin.email).status_code == 302
    client.post("/login/forgot", data={"email": admin.email})
    run_worker(app)
    link = reset_link(smtp_server)
    client.post(link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert logged_in.get("/admin/").status_code == 302


def test_weak_or_mismatched_password_keeps_the_link(app, client, admin):
    link = f"/login/reset/{password_reset.make_token(admin)}"
    short = client.post(link, data={"password": "court", "confirm": "court"})
    assert short.status_code == 200
    differ = client.post(link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD + "x"})
    assert differ.status_code == 200
    assert client.get(link).status_code == 200
    assert db.session.get(Pilot, admin.id).check_password(PASSWORD)


def test_requests_throttled_per_address_silently_and_per_ip(app, client, admin):
    pages = set()
    for i in range(5):
        page = client.post(
            "/login/forgot",
            data={"email": admin.email},
            environ_base={"REMOTE_ADDR": f"198.51.100.{i + 1}"},
        )
        assert page.status_code == 200
        pages.add(page.data)
    assert len(pages) == 1
    assert db.session.scalar(select(db.func.count(OutboxMail.id))) == 3
    for i in range(5):
        client.post("/login/forgot", data={"email": f"x{i}@example.org"})
    assert client.post("/login/forgot", data={"email": "y@example.org"}).status_code == 429


def test_reset_does_not_skip_two_factor(app, client, admin):
    from tests.accounts.test_two_factor import enable_for

    enable_for(admin)
    password_reset.reset_password(password_reset.make_token(admin), NEW_PASSWORD)
    response = login(client, admin.email, NEW_PASSWORD)
    assert response.location.endswith("/login/code")
    assert client.get("/admin/").status_code == 302


def test_reset_page_leaks_its_token_to_no_one(app, client, admin):
    app.config["WTF_CSRF_ENABLED"] = True  # as in production: the form carries a token
    response = client.get(f"/login/reset/{password_reset.make_token(admin)}")
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert "no-store" in response.headers["Cache-Control"]
