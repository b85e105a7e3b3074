"""No serious or critical axe-core violation on any public page, in chromium."""

from pathlib import Path

import pytest

from tests.public_fixtures import PUBLIC_PAGES, seed_public_content

AXE = Path(__file__).resolve().parents[1] / "vendor" / "axe-core" / "axe.min.js"

pytestmark = pytest.mark.browser


def _violations(page) -> list[dict]:
    # Evaluated through the DevTools protocol, which the pages' CSP (script-src 'self')
    # does not govern; a <script> tag injected by add_script_tag would be refused by it.
    page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate("axe.run()")
    assert result["passes"], "axe ran no check"
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def test_public_pages_have_no_serious_axe_violation(page):
    seed_public_content()
    found = {}
    for path in [*PUBLIC_PAGES, "/archives/feed-missing/", "/lang/en?next=/actions/"]:
        response = page.goto(path)
        assert response is not None
        violations = _violations(page)
        if violations:
            found[path] = violations
    assert found == {}
    # The run did inspect the pages: the map's links are there for axe to check.
    page.goto("/actions/")
    assert page.locator("svg a").count() == 96


ADMIN_PAGES = [
    "/admin/",
    "/admin/subscribers/",
    "/admin/subscribers/new",
    "/admin/modes/",
    "/admin/pilots/",
    "/admin/pilots/new",
    "/admin/segments/",
    "/admin/segments/new",
    "/admin/newsletters/",
    "/admin/newsletters/new",
    "/admin/roadmap/",
    "/admin/actions/",
    "/login",
]


def test_admin_pages_have_no_serious_axe_violation(page, admin, make_subscriber):
    from tests.fixtures.people import PASSWORD

    seed_public_content()
    subscriber = make_subscriber(email="axe@example.org", territory_code="75")
    page.goto("/login")
    page.fill("input[name=email]", admin.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url("**/admin/")
    found = {}
    for path in [*ADMIN_PAGES, f"/admin/subscribers/{subscriber.id}"]:
        response = page.goto(path)
        assert response is not None and response.status == 200, path
        violations = _violations(page)
        if violations:
            found[path] = violations
    assert found == {}
