"""Pilot account pages in chromium: enrolment read off the screen, login with a code,
no serious axe-core violation, nothing wider than a 375 px phone."""

from __future__ import annotations

import time

import pyotp
import pytest

from cac_news.accounts import password_reset, two_factor
from tests.fixtures.people import PASSWORD
from tests.site.test_public_accessibility import _violations

pytestmark = pytest.mark.browser


# The page's own content (the shared top bar is another matter); wide tables scroll
# inside their own box.
FITS = """[...document.querySelectorAll('main *')]
  .filter(e => e.parentElement.closest('.table-scroll') === null)
  .every(e => e.getBoundingClientRect().right <= window.innerWidth + 1)"""


def _fits_a_phone(page) -> bool:
    return page.evaluate(FITS)


def _log_in(page, email: str) -> None:
    page.goto("/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")


def test_enrol_then_log_in_with_a_code(page, admin):
    found, too_wide = {}, []

    def check(name: str) -> None:
        violations = _violations(page)
        if violations:
            found[name] = violations
        page.set_viewport_size({"width": 375, "height": 740})
        if not _fits_a_phone(page):
            too_wide.append(name)
        page.set_viewport_size({"width": 1280, "height": 720})

    page.goto("/login/forgot")
    check("forgot")
    page.fill("input[name=email]", "personne@example.org")
    page.click("main button[type=submit]")
    page.wait_for_selector("h1")
    check("forgot sent")
    page.goto(f"/login/reset/{password_reset.make_token(admin)}")
    check("reset")
    page.goto("/login/reset/not-a-token")
    check("reset invalid")

    _log_in(page, admin.email)
    page.wait_for_url("**/admin/")
    page.goto("/admin/account/two-factor")
    assert page.locator("figure.qr-code svg[role=img]").count() == 1
    check("enrolment")
    secret = page.locator("code.totp-secret").inner_text().strip()
    earlier = time.time() - two_factor.STEP_SECONDS  # leave now's code for the login
    page.fill("input[name=code]", pyotp.TOTP(secret).at(earlier))
    page.click("main button[type=submit]")
    assert page.locator("ul.recovery-codes li").count() == 10
    check("recovery codes")
    page.goto("/admin/account/")
    check("account")
    page.goto("/admin/audit/")
    assert "Connexion à deux facteurs activée" in page.content()
    check("audit")

    page.click("text=Se déconnecter >> nth=0")
    _log_in(page, admin.email)
    page.wait_for_url("**/login/code")
    check("login code")
    page.fill("input[name=code]", pyotp.TOTP(secret).now())
    page.click("main button[type=submit]")
    page.wait_for_url("**/admin/")
    assert found == {}
    assert too_wide == []
