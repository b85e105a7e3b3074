"""A pilot's sessions page: every login with its browser and network, and ending one of
them logs that browser out."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from cac_news.accounts import sessions
from cac_news.client_network import truncate_ip
from cac_news.extensions import db
from cac_news.models import PilotSession
from cac_news.timeutil import utcnow
from tests.fixtures.people import PASSWORD


def browser_login(app, email: str, agent: str, address: str):
    browser = app.test_client()
    # The same browser on every request (Flask-Login's strong session protection checks).
    browser.environ_base.update({"REMOTE_ADDR": address, "HTTP_USER_AGENT": agent})
    response = browser.post("/login", data={"email": email, "password": PASSWORD})
    assert response.status_code == 302
    return browser


def test_sessions_listed_with_browser_and_truncated_network(app, admin):
    laptop = browser_login(app, admin.email, "Firefox/140 laptop", "192.0.2.57")
    browser_login(app, admin.email, "Chromium phone", "2001:db8:1:2::5")
    page = laptop.get("/admin/account/").data.decode()
    assert "Firefox/140 laptop" in page and "Chromium phone" in page
    assert "192.0.2.0/24" in page and "2001:db8:1::/48" in page
    assert "192.0.2.57" not in page and "2001:db8:1:2::5" not in page
    assert page.count('/end"') == 2


def test_ending_one_session_logs_that_browser_out(app, admin):
    laptop = browser_login(app, admin.email, "laptop", "192.0.2.1")
    phone = browser_login(app, admin.email, "phone", "192.0.2.2")
    phone_login = db.session.scalar(select(PilotSession).where(PilotSession.user_agent == "phone"))
    assert laptop.post(f"/admin/account/sessions/{phone_login.id}/end").status_code == 302
    assert phone.get("/admin/").status_code == 302
    assert laptop.get("/admin/").status_code == 200


def test_end_every_other_session(app, admin):
    laptop = browser_login(app, admin.email, "laptop", "192.0.2.1")
    others = [browser_login(app, admin.email, f"b{i}", "192.0.2.2") for i in range(2)]
    assert laptop.post("/admin/account/sessions/end-others").status_code == 302
    assert all(o.get("/admin/").status_code == 302 for o in others)
    assert laptop.get("/admin/").status_code == 200


def test_cannot_end_another_pilots_session(app, admin, make_pilot):
    editor = make_pilot(role="editor", email="editrice@example.org")
    editor_browser = browser_login(app, editor.email, "editor", "192.0.2.3")
    admin_browser = browser_login(app, admin.email, "admin", "192.0.2.4")
    editor_login = db.session.scalar(select(PilotSession).where(PilotSession.pilot_id == editor.id))
    assert admin_browser.post(f"/admin/account/sessions/{editor_login.id}/end").status_code == 404
    assert editor_browser.get("/admin/").status_code == 200


def test_last_seen_written_at_most_once_a_minute(app, admin):
    browser_login(app, admin.email, "laptop", "192.0.2.1")
    login_row = db.session.scalar(select(PilotSession))
    token, first_seen = login_row.token, login_row.last_seen_at
    sessions.touch(token, first_seen + timedelta(seconds=30))
    db.session.expire_all()
    assert db.session.get(PilotSession, login_row.id).last_seen_at == first_seen
    later = utcnow() + timedelta(minutes=5)
    sessions.touch(token, later)
    db.session.expire_all()
    assert db.session.get(PilotSession, login_row.id).last_seen_at == later


def test_truncate_ip():
    assert truncate_ip("198.51.100.200") == "198.51.100.0/24"
    assert truncate_ip("::ffff:198.51.100.200") == "198.51.100.0/24"
    assert truncate_ip("not an address") is None
