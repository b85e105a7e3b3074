"""The agenda's pages in chromium: no serious axe-core violation, nothing wider than 375 px,
and the "add to my calendar" link serving a calendar file."""

import pytest

from cac_news.agenda.events import set_cancelled
from tests.agenda_helpers import make_event
from tests.fixtures.people import PASSWORD
from tests.site.test_public_accessibility import _violations

pytestmark = pytest.mark.browser


def _seed():
    make_event(
        "Webinaire : les contrats à impact social, les obligations à impact et les territoires",
        start="2027-03-29 18:00",
        end="2027-03-29 19:30",
        kind="webinaire",
        place="",
        online_url="https://visio.example.org/une-adresse-de-visioconference-particulierement-longue",
        territory_code="FR",
    )
    past = make_event("Assemblée générale", start="2026-06-13", all_day=True, kind="assemblee")
    set_cancelled(past)
    make_event("Réunion interne des pilotes", start="2027-01-10 12:30", internal=True)
    return past


def _page_width(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def _check(page, paths):
    found, too_wide = {}, {}
    for path in paths:
        response = page.goto(path)
        assert response is not None and response.status == 200, path
        violations = _violations(page)
        if violations:
            found[path] = violations
    page.set_viewport_size({"width": 375, "height": 800})
    for path in paths:
        page.goto(path)
        width = _page_width(page)
        if width > 375:
            too_wide[path] = width
    assert found == {}
    assert too_wide == {}


def test_public_agenda_pages_pass_axe_and_fit_375_px(page):
    past = _seed()
    _check(page, ["/agenda/", "/agenda/1/", f"/agenda/{past.id}/", "/agenda/?kind=webinaire"])
    page.goto("/agenda/1/")
    link = page.get_by_role("button", name="Ajouter à mon agenda")
    response = page.request.get(link.get_attribute("href"))
    assert response.headers["content-type"] == "text/calendar; charset=utf-8"
    assert "BEGIN:VEVENT" in response.text()
    assert "Réunion interne" not in page.goto("/agenda/").text()


def test_admin_agenda_pages_pass_axe_and_fit_375_px(page, admin):
    past = _seed()
    page.goto("/login")
    page.fill("input[name=email]", admin.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url("**/admin/")
    _check(
        page,
        [
            "/admin/agenda/",
            "/admin/agenda/new",
            f"/admin/agenda/{past.id}/edit",
            "/admin/agenda/1/cancel",
            "/admin/agenda/kinds/",
        ],
    )
