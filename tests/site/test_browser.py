"""A pilot logs in with a real browser and opens the subscriber list."""

import pytest

from tests.fixtures.people import PASSWORD

pytestmark = pytest.mark.browser


def test_login_and_subscriber_list(page, admin, make_subscriber):
    make_subscriber(email="visible@example.org", first_name="Inès", territory_code="2A")
    page.goto("/admin/subscribers/")
    assert "/login" in page.url  # the admin is closed until login

    page.get_by_label("Adresse e-mail").fill(admin.email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url("**/admin/subscribers/")

    assert page.locator("html").get_attribute("lang") == "fr"
    row = page.get_by_role("row").filter(has_text="visible@example.org")
    assert row.count() == 1
    assert "Inès" in row.inner_text()

    page.get_by_label("Rechercher", exact=True).fill("nobody-matches-this")
    page.get_by_role("button", name="Filtrer").click()
    page.wait_for_url("**q=nobody-matches-this**")
    assert page.get_by_role("row").filter(has_text="visible@example.org").count() == 0
