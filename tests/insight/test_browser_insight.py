"""The dashboard, the territories and a letter's report: no serious axe-core violation."""

from __future__ import annotations

import pytest

from cac_news.compose.newsletters import SectionData
from cac_news.mailing import sending
from tests.engine_helpers import run_worker
from tests.public_fixtures import seed_public_content
from tests.site.test_public_accessibility import _violations

pytestmark = pytest.mark.browser


def test_insight_pages_have_no_serious_axe_violation(
    app, page, admin, smtp_server, make_subscriber, make_newsletter
):
    from tests.fixtures.people import PASSWORD

    seed_public_content()
    make_subscriber(email="relais@example.org", territory_code="33", modes=["relais-local"])
    make_subscriber(email="reunion@example.org", territory_code="974")
    newsletter = make_newsletter(
        sections=[SectionData(kind="text", title="Lire", body_md="[Un lien](https://example.org/)")]
    )
    sending.start_send(newsletter)
    run_worker(app)
    page.goto("/login")
    page.fill("input[name=email]", admin.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url("**/admin/")
    found = {}
    paths = ["/admin/", "/admin/territories/", f"/admin/newsletters/{newsletter.id}/report"]
    for path in paths:
        response = page.goto(path)
        assert response is not None and response.status == 200, path
        violations = _violations(page)
        if violations:
            found[path] = violations
    assert found == {}
    # axe did see the pictures: the charts and the map are on the dashboard.
    page.goto("/admin/")
    assert page.locator("svg.chart-svg").count() == 2
    assert page.locator("svg.map g[role=img]").count() == 101
