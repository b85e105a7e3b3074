"""Two-factor login (TOTP): codes computed here with pyotp, replay, recovery codes,
the 5-minute half-login that opens nothing, enrolment forced by admins, resets."""

from __future__ import annotations

import re
import time

import pyotp
from sqlalchemy import select

from cac_news.accounts import recovery_codes, two_factor
from cac_news.extensions import db
from cac_news.models import AuditEvent, Pilot
from tests.fixtures.people import login


def enable_for(pilot: Pilot) -> pyotp.TOTP:
    """Turn 2FA on for a pilot with a code of two steps ago (so that now's code is fresh)."""
    secret = two_factor.pending_secret(pilot)
    earlier = time.time() - 2 * two_factor.STEP_SECONDS
    two_factor.enable(pilot, pyotp.TOTP(secret).at(earlier), now=earlier)
    return pyotp.TOTP(secret)


def enrol_through_the_page(client) -> tuple[pyotp.TOTP, list[str]]:
    """Enrol the logged-in pilot as a person does: read the key, type the code."""
    page = client.get("/admin/account/two-factor").data.decode()
    assert "<svg" in page and 'role="img"' in page
    secret = re.search(r'class="totp-secret">([A-Z2-7]+)<', page).group(1)
    totp = pyotp.TOTP(secret)
    done = client.post("/admin/account/two-factor", data={"code": totp.now()})
    assert done.status_code == 200
    codes = re.findall(r"<code>([a-z2-9]{5}-[a-z2-9]{5})</code>", done.data.decode())
    assert len(codes) == 10 and len(set(codes)) == 10
    return totp, codes


def test_login_needs_the_code_and_half_login_opens_no_admin(client, admin):
    totp = enable_for(admin)
    response = login(client, admin.email)
    assert response.status_code == 302 and response.location.endswith("/login/code")
    # Password right, code not typed yet: the admin stays closed.
    assert client.get("/admin/").status_code == 302
    assert client.get("/admin/subscribers/").status_code == 302
    assert client.post("/login/code", data={"code": totp.now()}).status_code == 302
    assert client.get("/admin/").status_code == 200


def test_wrong_code_refused(client, admin):
    totp = enable_for(admin)
    login(client, admin.email)
    wrong = f"{(int(totp.now()) + 1) % 1_000_000:06d}"
    page = client.post("/login/code", data={"code": wrong})
    assert page.status_code == 200
    assert client.get("/admin/").status_code == 302


def test_code_from_a_minute_ago_refused_but_previous_step_accepted(app, admin):
    totp = enable_for(admin)
    now = time.time()
    assert not two_factor.check_totp(admin, totp.at(now - 90), now=now)
    assert two_factor.check_totp(admin, totp.at(now - 30), now=now)


def test_replayed_code_refused(app, admin):
    totp = enable_for(admin)
    code = totp.now()
    first, second = app.test_client(), app.test_client()
    login(first, admin.email)
    login(second, admin.email)
    assert first.post("/login/code", data={"code": code}).status_code == 302
    assert second.post("/login/code", data={"code": code}).status_code == 200
    assert second.get("/admin/").status_code == 302
    assert db.session.get(Pilot, admin.id).totp_last_step == two_factor.current_step()


def test_recovery_code_works_once(app, client, admin):
    login(client, admin.email)
    _, codes = enrol_through_the_page(client)
    stored = db.session.get(Pilot, admin.id)
    assert stored.two_factor_enabled
    # Stored hashed: no code appears in the table.
    hashes = db.session.execute(select(db.text("code_hash FROM pilot_recovery_code"))).scalars()
    assert not set(codes) & {h.split("$")[1] for h in hashes}
    first = app.test_client()
    login(first, admin.email)
    assert first.post("/login/code", data={"code": codes[3].upper()}).status_code == 302
    assert first.get("/admin/").status_code == 200
    again = app.test_client()
    login(again, admin.email)
    assert again.post("/login/code", data={"code": codes[3]}).status_code == 200
    assert again.get("/admin/").status_code == 302
    actions = db.session.scalars(select(AuditEvent.action)).all()
    assert {"two_factor.enabled", "two_factor.recovery_used"} <= set(actions)


def test_enrolment_refuses_a_wrong_code(client, admin):
    login(client, admin.email)
    client.get("/admin/account/two-factor")
    page = client.post("/admin/account/two-factor", data={"code": "000000"})
    assert page.status_code == 200
    assert not db.session.get(Pilot, admin.id).two_factor_enabled


def test_half_login_expires_after_five_minutes(client, admin):
    totp = enable_for(admin)
    login(client, admin.email)
    with client.session_transaction() as session:
        marker = session["pending_second_factor"]
        assert marker == {**marker, "pilot": admin.id}
        assert set(session.keys()) <= {"pending_second_factor", "_flashes", "csrf_token"}
        marker["until"] = int(time.time()) - 1
        session["pending_second_factor"] = marker
    response = client.post("/login/code", data={"code": totp.now()})
    assert response.status_code == 302 and response.location.endswith("/login")
    assert client.get("/admin/").status_code == 302


def test_code_attempts_are_throttled(client, admin):
    totp = enable_for(admin)
    login(client, admin.email)
    for _ in range(5):
        assert client.post("/login/code", data={"code": "123456"}).status_code == 200
    assert client.post("/login/code", data={"code": totp.now()}).status_code == 429
    assert client.get("/admin/").status_code == 302


def test_required_two_factor_forces_enrolment_first(app, admin_client, make_pilot):
    response = admin_client.post("/admin/pilots/security", data={"two_factor_required": "y"})
    assert response.status_code == 302
    editor = make_pilot(role="editor", email="editrice@example.org")
    browser = app.test_client()
    first = login(browser, editor.email)
    assert first.location.endswith("/admin/account/two-factor")
    for path in ("/admin/", "/admin/subscribers/", "/admin/account/"):
        blocked = browser.get(path)
        assert blocked.status_code == 302 and blocked.location.endswith("/admin/account/two-factor")
    enrol_through_the_page(browser)
    assert browser.get("/admin/subscribers/").status_code == 200
    # While required, it cannot be turned off.
    browser.post("/admin/account/two-factor/disable", data={"code": "000000"})
    assert db.session.get(Pilot, editor.id).two_factor_enabled
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "settings.changed"))


def test_admin_resets_another_pilots_two_factor(app, admin_client, make_pilot):
    editor = make_pilot(role="editor", email="editrice@example.org")
    enable_for(editor)
    listing = admin_client.get("/admin/pilots/").data.decode()
    assert f"/admin/pilots/{editor.id}/two-factor/reset" in listing
    assert admin_client.post(f"/admin/pilots/{editor.id}/two-factor/reset").status_code == 302
    editor = db.session.get(Pilot, editor.id)
    assert not editor.two_factor_enabled and editor.totp_secret is None
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "two_factor.reset"))
    assert (event.target_type, event.target_id) == ("pilot", editor.id)
    # The editor now logs in with the password alone.
    assert login(app.test_client(), editor.email).location.endswith("/admin/")


def test_editor_cannot_reset_or_require(editor_client, admin):
    enable_for(admin)
    assert editor_client.post(f"/admin/pilots/{admin.id}/two-factor/reset").status_code == 403
    refused = editor_client.post("/admin/pilots/security", data={"two_factor_required": "y"})
    assert refused.status_code == 403
    assert db.session.get(Pilot, admin.id).two_factor_enabled


def test_pilot_turns_two_factor_off_with_a_code(client, admin):
    login(client, admin.email)
    totp, _ = enrol_through_the_page(client)
    later = time.time() + two_factor.STEP_SECONDS
    client.post("/admin/account/two-factor/disable", data={"code": totp.at(later)})
    assert not db.session.get(Pilot, admin.id).two_factor_enabled


def test_command_line_reset_for_a_locked_out_admin(runner, admin):
    enable_for(admin)
    result = runner.invoke(args=["pilots", "reset-2fa", "ADMIN@example.org"])
    assert result.exit_code == 0, result.output
    assert not db.session.get(Pilot, admin.id).two_factor_enabled
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "two_factor.reset"))
    assert event.pilot_id is None and event.target_id == admin.id
    assert runner.invoke(args=["pilots", "reset-2fa", "nobody@example.org"]).exit_code != 0


def test_second_step_with_csrf_on(app, client, admin):
    app.config["WTF_CSRF_ENABLED"] = True
    totp = enable_for(admin)

    def token(path):
        page = client.get(path).data.decode()
        return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)

    data = {"email": admin.email, "password": "correct horse battery"}
    assert client.post("/login", data={**data, "csrf_token": token("/login")}).status_code == 302
    code_token = token("/login/code")
    assert client.post("/login/code", data={"code": totp.now()}).status_code == 400
    assert client.get("/admin/").status_code == 302
    done = client.post("/login/code", data={"code": totp.now(), "csrf_token": code_token})
    assert done.status_code == 302 and client.get("/admin/").status_code == 200


def test_recovery_codes_replaced_with_a_current_code(app, client, admin):
    login(client, admin.email)
    totp, old_codes = enrol_through_the_page(client)
    later = time.time() + two_factor.STEP_SECONDS
    assert client.post("/admin/account/two-factor/recovery-codes",
                       data={"renew-code": "000000"}).status_code == 302  # fmt: skip
    page = client.post(
        "/admin/account/two-factor/recovery-codes", data={"renew-code": totp.at(later)}
    )
    new_codes = re.findall(r"<code>([a-z2-9]{5}-[a-z2-9]{5})</code>", page.data.decode())
    assert len(new_codes) == 10 and not set(new_codes) & set(old_codes)
    stored = db.session.get(Pilot, admin.id)
    assert not recovery_codes.use(stored, old_codes[0])
    assert recovery_codes.use(stored, new_codes[0])
