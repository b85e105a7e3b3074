"""Login, logout, the admin's closed doors, roles, CSRF and throttling."""

import re

import pytest

from tests.fixtures.people import PASSWORD, login

ADMIN_PAGES = ["/admin/", "/admin/subscribers/", "/admin/subscribers/new", "/admin/modes/"]


@pytest.mark.parametrize("path", ADMIN_PAGES + ["/admin/pilots/"])
def test_admin_is_closed_to_anonymous_visitors(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_login_then_logout(client, admin):
    response = login(client, admin.email)
    assert response.status_code == 302 and response.headers["Location"].endswith("/admin/")
    assert client.get("/admin/").status_code == 200
    assert client.post("/logout").status_code == 302
    assert client.get("/admin/").status_code == 302


def test_login_redirects_only_to_local_pages(client, admin):
    response = client.post(
        "/login?next=https://evil.example/steal",
        data={"email": admin.email, "password": PASSWORD},
    )
    assert response.headers["Location"] == "/"
    client.post("/logout")
    response = client.post(
        "/login?next=/admin/subscribers/", data={"email": admin.email, "password": PASSWORD}
    )
    assert response.headers["Location"] == "/admin/subscribers/"


def test_wrong_password_and_unknown_account_get_the_same_answer(client, admin):
    wrong = client.post("/login", data={"email": admin.email, "password": "nope nope nope"})
    unknown = client.post(
        "/login", data={"email": "nobody@exemple.org", "password": "nope nope nope"}
    )
    assert wrong.status_code == unknown.status_code == 200
    strip = lambda html: re.sub(r'name="csrf_token"[^>]*', "", html.decode())  # noqa: E731
    assert strip(wrong.data).replace(admin.email, "X") == strip(unknown.data).replace(
        "nobody@exemple.org", "X"
    )
    assert client.get("/admin/").status_code == 302


def test_inactive_pilot_cannot_log_in(client, make_pilot):
    pilot = make_pilot(active=False)
    assert login(client, pilot.email).status_code == 200
    assert client.get("/admin/").status_code == 302


def test_editor_cannot_manage_pilots(editor_client, admin):
    assert editor_client.get("/admin/").status_code == 200
    assert editor_client.get("/admin/pilots/").status_code == 403
    assert editor_client.get("/admin/pilots/new").status_code == 403
    assert editor_client.post(f"/admin/pilots/{admin.id}/delete").status_code == 403
    assert b"/admin/pilots/" not in editor_client.get("/admin/").data  # no menu entry


def test_throttled_after_repeated_failures_from_one_address(client, make_pilot):
    for index in range(10):
        response = client.post("/login", data={"email": f"x{index}@exemple.org", "password": "bad"})
        assert response.status_code == 200
    blocked = client.post("/login", data={"email": "y@exemple.org", "password": "bad"})
    assert blocked.status_code == 429


def test_throttled_after_repeated_failures_for_one_account(client, admin):
    for index in range(5):
        response = client.post(
            "/login",
            data={"email": admin.email, "password": "bad"},
            environ_base={"REMOTE_ADDR": f"10.0.0.{index + 1}"},
        )
        assert response.status_code == 200
    # An address that failed is refused for a while, even with the right password...
    blocked = client.post(
        "/login",
        data={"email": admin.email.upper(), "password": PASSWORD},
        environ_base={"REMOTE_ADDR": "10.0.0.3"},
    )
    assert blocked.status_code == 429
    # ...while the pilot still gets in from an address that never failed.
    allowed = client.post(
        "/login",
        data={"email": admin.email, "password": PASSWORD},
        environ_base={"REMOTE_ADDR": "10.0.0.99"},
    )
    assert allowed.status_code == 302


def test_successful_logins_do_not_count_against_the_limit(client, admin):
    for _ in range(12):
        assert login(client, admin.email).status_code == 302
        client.post("/logout")


def test_csrf_refused_when_enabled(app, client, admin):
    app.config["WTF_CSRF_ENABLED"] = True
    refused = client.post("/login", data={"email": admin.email, "password": PASSWORD})
    assert refused.status_code == 400
    page = client.get("/login").data.decode()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    accepted = client.post(
        "/login", data={"email": admin.email, "password": PASSWORD, "csrf_token": token}
    )
    assert accepted.status_code == 302
    # A logged-in form without its token is refused too.
    assert client.post("/logout").status_code == 400


def test_absurd_numbers_are_a_404_or_ignored_never_a_500(admin_client):
    huge = "9" * 25
    assert admin_client.get(f"/admin/subscribers/{huge}").status_code == 404
    assert admin_client.get(f"/archives/{huge}/").status_code == 404
    assert admin_client.get(f"/admin/subscribers/?mode={huge}").status_code == 200
    assert admin_client.get(f"/admin/bounces/?newsletter={huge}").status_code == 200
    assert admin_client.get(f"/admin/subscribers/?page={huge}").status_code == 200
