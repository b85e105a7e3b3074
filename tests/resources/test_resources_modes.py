"""Participation modes the public may choose; the roadmap page names its objectives."""

import re

from sqlalchemy import select

from cac_news.audience import links
from cac_news.extensions import db
from cac_news.models import ParticipationMode, RoadmapItem, Subscriber
from tests.audience_helpers import path_of


def _mode(slug: str) -> ParticipationMode:
    return db.session.scalar(select(ParticipationMode).where(ParticipationMode.slug == slug))


def test_pilote_is_not_a_public_choice_by_default(app):
    assert _mode("pilote").public_choice is False
    assert _mode("relais-local").public_choice is True


def _offered_mode_ids(html: str) -> set[int]:
    inputs = re.findall(r"<input[^>]*name=\"mode_ids\"[^>]*>", html)
    return {int(re.search(r'value="(\d+)"', tag).group(1)) for tag in inputs}


def test_subscription_form_hides_pilote(client):
    offered = _offered_mode_ids(client.get("/subscribe").get_data(as_text=True))
    assert _mode("relais-local").id in offered
    assert _mode("pilote").id not in offered
    assert len(offered) == 4


def test_a_crafted_post_cannot_choose_pilote(client):
    pilote, relais = _mode("pilote"), _mode("relais-local")
    client.post(
        "/subscribe",
        data={
            "email": "nouvelle@example.org",
            "consent": "y",
            "language": "fr",
            "territory_code": "",
            "mode_ids": [str(pilote.id), str(relais.id)],
        },
    )
    subscriber = db.session.scalar(
        select(Subscriber).where(Subscriber.email == "nouvelle@example.org")
    )
    assert subscriber is None or pilote not in subscriber.modes


def test_preferences_keep_a_pilot_assigned_mode(client, make_subscriber):
    subscriber = make_subscriber(modes=["pilote", "information"])
    path = path_of(links.preferences_url(subscriber))
    page = client.get(path).get_data(as_text=True)
    assert _mode("pilote").id not in _offered_mode_ids(page)
    assert _mode("information").id in _offered_mode_ids(page)
    relais = _mode("relais-local")
    response = client.post(
        path, data={"language": "fr", "territory_code": "", "mode_ids": [str(relais.id)]}
    )
    assert response.status_code == 200
    db.session.expire_all()
    slugs = {m.slug for m in db.session.get(Subscriber, subscriber.id).modes}
    assert slugs == {"pilote", "relais-local"}


def test_admin_can_make_a_mode_public_and_assign_any(admin_client, make_subscriber):
    pilote = _mode("pilote")
    admin_client.post(
        f"/admin/modes/{pilote.id}/edit", data={"name": "Pilote", "public_choice": "y"}
    )
    db.session.expire_all()
    assert _mode("pilote").public_choice is True
    admin_client.post(f"/admin/modes/{pilote.id}/edit", data={"name": "Pilote"})
    db.session.expire_all()
    assert _mode("pilote").public_choice is False
    form = admin_client.get("/admin/subscribers/new").get_data(as_text=True)
    assert "Pilote" in form  # pilots still assign it


def test_roadmap_page_counts_the_objectives_it_shows(client):
    db.session.add(RoadmapItem(objective="expertise", title="Note"))
    db.session.add(RoadmapItem(objective="platform", title="Archive"))
    db.session.commit()
    body = client.get("/feuille-de-route/").get_data(as_text=True)
    assert "trois objectifs" not in body
    assert "La feuille de route compte 2 objectifs." in body
    assert 'href="#objective-expertise"' in body and 'href="#objective-platform"' in body
