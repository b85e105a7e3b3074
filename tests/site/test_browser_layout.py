"""The layout in chromium: no page wider than a 375 px phone (public and admin), and the
admin's section bar on one line at 1280 px."""

from __future__ import annotations

import pytest

from tests.fixtures.people import PASSWORD

PUBLIC = [
    "/", "/archives/", "/archives/recherche/?q=cis", "/feuille-de-route/", "/actions/",
    "/subscribe", "/ressources/",
]  # fmt: skip
ADMIN = [
    "/admin/", "/admin/subscribers/", "/admin/segments/", "/admin/newsletters/",
    "/admin/roadmap/", "/admin/actions/", "/admin/bounces/", "/admin/territories/",
    "/admin/modes/", "/admin/media/", "/admin/deliverability", "/admin/pilots/",
    "/admin/settings", "/admin/relays", "/admin/webhooks/", "/admin/subscribers/import",
    "/admin/resources/", "/admin/tokens/", "/admin/audit/", "/admin/account/",
    "/admin/lists/", "/admin/lists/new",
]  # fmt: skip
PAGE_WIDTH = "document.documentElement.scrollWidth"


def log_in(page, pilot) -> None:
    page.goto("/login")
    page.fill("input[name=email]", pilot.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url("**/admin/")


@pytest.mark.parametrize("path", PUBLIC)
def test_public_pages_fit_a_phone(page, path):
    page.set_viewport_size({"width": 375, "height": 800})
    response = page.goto(path)
    assert response is not None and response.status == 200, path
    assert page.evaluate(PAGE_WIDTH) <= 375, path


def test_admin_pages_fit_a_phone_and_the_bar_is_one_line_on_a_laptop(page, admin):
    log_in(page, admin)
    page.set_viewport_size({"width": 375, "height": 800})
    too_wide = {}
    for path in ADMIN:
        response = page.goto(path)
        assert response is not None and response.status == 200, path
        width = page.evaluate(PAGE_WIDTH)
        if width > 375:
            too_wide[path] = width
    assert too_wide == {}
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto("/admin/")
    tops = page.evaluate(
        "[...document.querySelectorAll('nav.subnav > ul > li')]"
        ".map(li => Math.round(li.getBoundingClientRect().top))"
    )
    assert len(tops) > 5 and len(set(tops)) == 1, tops  # every section on one line
    page.click("nav.subnav .nav-more summary")
    assert page.is_visible("nav.subnav .nav-more a[href='/admin/bounces/']")
