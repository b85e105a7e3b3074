"""Sessions that end: logout, log out everywhere, password change and deactivation end
logins for good (replayed session or remember cookies open nothing); the CSRF token
rotates at login; login throttling keyed on the normalised account."""

from __future__ import annotations

import re

from cac_news.pilots import PilotData, change_password, update_pilot
from tests.fixtures.people import PASSWORD, login


def remember_login(app, email: str):
    """A fresh client logged in with "remember me"; returns it and its remember cookie."""
    browser = app.test_client()
    response = browser.post("/login", data={"email": email, "password": PASSWORD, "remember": "y"})
    assert response.status_code == 302
    return browser, browser.get_cookie("remember_token").value


def replay(app, name: str, value: str):
    """A new client carrying only one stolen cookie."""
    thief = app.test_client()
    thief.set_cookie(name, value)
    return thief


def test_session_cookie_replayed_after_logout_opens_nothing(client, admin):
    assert login(client, admin.email).status_code == 302
    stolen = client.get_cookie("session").value
    assert replay(client.application, "session", stolen).get("/admin/").status_code == 200
    client.post("/logout")
    assert replay(client.application, "session", stolen).get("/admin/").status_code == 302


def test_remember_cookie_replayed_after_logout_opens_nothing(app, admin):
    browser, remember = remember_login(app, admin.email)
    assert replay(app, "remember_token", remember).get("/admin/").status_code == 200
    browser.post("/logout")
    assert replay(app, "remember_token", remember).get("/admin/").status_code == 302


def test_logout_ends_only_that_login(app, admin):
    first, _ = remember_login(app, admin.email)
    second, _ = remember_login(app, admin.email)
    first.post("/logout")
    assert first.get("/admin/").status_code == 302
    assert second.get("/admin/").status_code == 200


def test_log_out_everywhere_ends_every_login(app, admin):
    first, _ = remember_login(app, admin.email)
    second, remember = remember_login(app, admin.email)
    assert first.post("/logout/everywhere").status_code == 302
    assert first.get("/admin/").status_code == 302
    assert second.get("/admin/").status_code == 302
    assert replay(app, "remember_token", remember).get("/admin/").status_code == 302


def test_password_change_ends_every_login_and_remember_cookie(app, admin):
    browser, remember = remember_login(app, admin.email)
    change_password(admin, "un tout nouveau mot de passe")
    assert browser.get("/admin/").status_code == 302
    assert replay(app, "remember_token", remember).get("/admin/").status_code == 302


def test_deactivation_ends_every_login(app, admin, make_pilot):
    editor = make_pilot(role="editor", email="editrice@example.org")
    browser, remember = remember_login(app, editor.email)
    data = PilotData(email=editor.email, name=editor.name, role="editor", active=False)
    update_pilot(editor, data, acting=admin)
    assert browser.get("/admin/").status_code == 302
    assert replay(app, "remember_token", remember).get("/admin/").status_code == 302


def test_csrf_token_rotates_at_login(app, client, admin):
    app.config["WTF_CSRF_ENABLED"] = True
    page = client.get("/login").data.decode()
    before = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post(
        "/login", data={"email": admin.email, "password": PASSWORD, "csrf_token": before}
    )
    assert response.status_code == 302
    dashboard = client.get("/admin/").data.decode()
    after = re.search(r'name="csrf_token" value="([^"]+)"', dashboard).group(1)
    assert after != before
    assert client.post("/logout", data={"csrf_token": before}).status_code == 400
    assert client.post("/logout", data={"csrf_token": after}).status_code == 302


def test_account_throttle_counts_lookalike_spellings_of_the_address(client, make_pilot):
    make_pilot(email="pilote@example.org")
    spellings = [
        "pilote@ｅxample.org",
        "PILOTE@EXAMPLE.ORG",
        " Pilote@Example.org ",
        "pilote@ＥＸＡＭＰＬＥ.org",
        "pilote@example.org",
    ]
    for index, spelling in enumerate(spellings):
        response = client.post(
            "/login",
            data={"email": spelling, "password": "mauvais mot de passe"},
            environ_base={"REMOTE_ADDR": f"192.0.2.{index + 1}"},
        )
        assert response.status_code == 200
    refused = client.post(
        "/login",
        data={"email": "pilote@example.org", "password": PASSWORD},
        environ_base={"REMOTE_ADDR": "192.0.2.1"},
    )
    assert refused.status_code == 429


def test_throttled_account_still_opens_for_its_pilot_from_a_clean_address(client, make_pilot):
    pilot = make_pilot(email="pilote@example.org")
    attacker = {"REMOTE_ADDR": "198.51.100.7"}
    for _ in range(5):
        client.post(
            "/login", data={"email": pilot.email, "password": "x" * 12}, environ_base=attacker
        )
    assert (
        client.post(
            "/login", data={"email": pilot.email, "password": PASSWORD}, environ_base=attacker
        ).status_code
        == 429
    )
    own = client.post(
        "/login",
        data={"email": pilot.email, "password": PASSWORD},
        environ_base={"REMOTE_ADDR": "203.0.113.20"},
    )
    assert own.status_code == 302
