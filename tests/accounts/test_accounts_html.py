"""The account pages (with the QR code's inline SVG) are valid HTML for the Nu checker."""

import re
import subprocess

import pyotp
import pytest

from cac_news.accounts import audit, password_reset
from tests.fixtures.people import login
from tests.site.test_html_validity import VNU

pytestmark = pytest.mark.slow


def test_account_pages_are_valid_html(app, client, admin, tmp_path):
    pages = [client.get("/login/forgot"), client.post("/login/forgot", data={"email": "x@y.org"})]
    pages.append(client.get(f"/login/reset/{password_reset.make_token(admin)}"))
    login(client, admin.email)
    enrolment = client.get("/admin/account/two-factor")
    pages.append(enrolment)
    secret = re.search(r'class="totp-secret">([A-Z2-7]+)<', enrolment.data.decode()).group(1)
    pages.append(client.post("/admin/account/two-factor", data={"code": pyotp.TOTP(secret).now()}))
    audit.record("subscriber.deleted", target_type="subscriber", target_id=3, pilot=admin)
    pages += [
        client.get("/admin/account/"),
        client.get("/admin/audit/"),
        client.get("/admin/pilots/"),
    ]
    second = app.test_client()
    login(second, admin.email)
    pages.append(second.get("/login/code"))
    files = []
    for number, response in enumerate(pages):
        assert response.status_code == 200, number
        target = tmp_path / f"page{number}.html"
        target.write_bytes(response.data)
        files.append(str(target))
    result = subprocess.run(
        [str(VNU), *files], capture_output=True, text=True, timeout=300, check=False
    )
    assert result.returncode == 0, result.stderr + result.stdout
