"""No serious or critical axe-core violation on any public page, in chromium."""

from pathlib import Path

import pytest

from tests.public_fixtures import PUBLIC_PAGES, seed_public_content

AXE = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"

pytestmark = pytest.mark.browser


def _violations(page) -> list[dict]:
    page.add_script_tag(path=str(AXE))
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
