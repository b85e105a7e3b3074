"""The lists' pages in chromium: a list's admin pages and its archive fit a 375 px phone,
and a pilot approves a held post from the queue."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from cac_news.extensions import db
from cac_news.lists import incoming
from cac_news.models import ListPost
from tests.lists_helpers import LIST_CONFIG, make_list, message
from tests.site.test_browser_layout import PAGE_WIDTH, log_in

pytestmark = pytest.mark.browser
LONG = "une-très-longue-adresse-de-site-sans-espaces-" * 6


@pytest.fixture
def config_overrides():
    return dict(LIST_CONFIG)


def test_list_pages_fit_a_phone_and_a_pilot_approves_from_the_queue(page, admin, make_subscriber):
    mailing_list, _people = make_list(make_subscriber, archive="public")
    incoming.receive("gt@example.org", message(subject="Bienvenue", body=f"Voir {LONG}\n"))
    incoming.receive(
        "gt@example.org", message(sender="x@example.com", subject="Question", body=LONG)
    )
    db.session.commit()
    first = db.session.scalar(select(ListPost).where(ListPost.subject == "Bienvenue"))
    log_in(page, admin)
    page.set_viewport_size({"width": 375, "height": 800})
    paths = [
        f"/admin/lists/{mailing_list.id}/members", f"/admin/lists/{mailing_list.id}/queue",
        f"/admin/lists/{mailing_list.id}/settings", "/listes/gt/",
        f"/listes/gt/messages/{first.id}/",
    ]  # fmt: skip
    too_wide = {}
    for path in paths:
        response = page.goto(path)
        assert response is not None and response.status == 200, path
        if page.evaluate(PAGE_WIDTH) > 375:
            too_wide[path] = page.evaluate(PAGE_WIDTH)
    assert too_wide == {}
    page.goto(f"/admin/lists/{mailing_list.id}/queue")
    page.click("main form button:has-text('Approuver')")
    page.wait_for_load_state()
    assert "Message approuvé" in page.content()
    db.session.expire_all()
    held = db.session.scalar(select(ListPost).where(ListPost.subject == "Question"))
    assert held.status == "accepted"
