"""The library's pages in chromium: no serious axe-core violation, nothing wider than 375 px."""

import pytest

from tests.fixtures.people import PASSWORD
from tests.resource_helpers import make_resource, sample_pdf
from tests.site.test_public_accessibility import _violations

pytestmark = pytest.mark.browser


def _seed():
    make_resource(
        "Note d'analyse sur la Fédération et les contrats à impact social",
        tags="cis, financement, territoires sans cis",
        file=(sample_pdf(), "note-longue-avec-un-nom-de-fichier-tres-long.pdf"),
    )
    return make_resource("Tribune", kind="tribune", tags="mobilisation")


def _page_width(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def test_public_library_pages_pass_axe_and_fit_375_px(page):
    resource = _seed()
    paths = [
        "/ressources/",
        "/ressources/?tag=cis",
        f"/ressources/{resource.slug}",
        "/ressources/note-d-analyse-sur-la-federation-et-les-contrats-a-impact-social",
        "/archives/recherche/?q=federation",
        "/archives/recherche/?q=federation&kind=resource",
    ]
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
    page.goto(paths[3])
    assert page.locator("a[download]").count() == 1


def test_admin_library_pages_pass_axe_and_fit_375_px(page, admin):
    resource = _seed()
    page.goto("/login")
    page.fill("input[name=email]", admin.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url("**/admin/")
    paths = [
        "/admin/resources/",
        "/admin/resources/new",
        f"/admin/resources/{resource.id}/edit",
        f"/admin/resources/{resource.id}/delete",
        "/admin/resources/kinds/",
        "/admin/modes/",
    ]
    found = {}
    for path in paths:
        response = page.goto(path)
        assert response is not None and response.status == 200, path
        violations = _violations(page)
        if violations:
            found[path] = violations
    assert found == {}
