"""Admin pages of the agenda: create, edit, cancel after confirmation, kinds; French errors
naming the field; nothing stored from a refused form; CSRF required."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from cac_news.agenda.kinds import kind_by_slug
from cac_news.extensions import db
from cac_news.models import Event, EventKind
from tests.agenda_helpers import make_event


def _form(**overrides) -> dict:
    data = {
        "title": "Webinaire sur les contrats à impact social",
        "kind_id": str(kind_by_slug("webinaire").id),
        "start": "2027-03-29 18:00",
        "end": "2027-03-29 19:30",
        "place": "",
        "online_url": "https://visio.example.org/cis",
        "territory_code": "FR",
        "description_md": "Avec **le réseau**.",
    }
    data.update(overrides)
    return data


def _count() -> int:
    return db.session.scalar(select(func.count()).select_from(Event))


def test_create_then_edit_an_event(admin_client):
    response = admin_client.post("/admin/agenda/new", data=_form())
    assert response.status_code == 302
    event = db.session.scalars(select(Event)).one()
    assert event.starts_at.isoformat() == "2027-03-29T16:00:00"  # 18:00 in Paris, summer
    assert event.online_url == "https://visio.example.org/cis"
    assert not event.internal and event.sequence == 0
    page = admin_client.get(f"/admin/agenda/{event.id}/edit").get_data(as_text=True)
    assert 'value="2027-03-29 18:00"' in page
    admin_client.post(f"/admin/agenda/{event.id}/edit", data=_form(place="Mairie de Lyon"))
    db.session.refresh(event)
    assert event.place == "Mairie de Lyon" and event.sequence == 1
    listing = admin_client.get("/admin/agenda/").get_data(as_text=True)
    assert "Webinaire sur les contrats à impact social" in listing


def test_errors_name_the_field_in_french_and_store_nothing(admin_client):
    cases = [
        ({"end": "2027-03-29 17:00"}, "La fin est avant le début."),
        ({"online_url": "javascript:alert(1)"}, "Le lien en ligne doit commencer par https://"),
        ({"territory_code": "99"}, "Territoire inconnu « 99 »"),
        ({"start": "lundi"}, "Indiquez le début sous la forme AAAA-MM-JJ HH:MM"),
        ({"title": ""}, "Un titre est requis."),
    ]
    for overrides, message in cases:
        response = admin_client.post("/admin/agenda/new", data=_form(**overrides))
        page = response.get_data(as_text=True).replace("&#34;", '"').replace("&#39;", "'")
        assert response.status_code == 200
        assert message in page, overrides
        # The message sits with its field: the field's label is just before it.
        field = next(iter(overrides))
        assert re.search(rf'id="{field}"[^>]*aria-invalid="true"', page) or (
            f'id="{field}-error"' in page or f'aria-describedby="{field}' in page
        ), field
    assert _count() == 0


def test_cancel_asks_first_then_cancels_and_reinstates(admin_client):
    event = make_event()
    page = admin_client.get(f"/admin/agenda/{event.id}/cancel").get_data(as_text=True)
    assert "Annuler un événement" in page and event.title in page
    db.session.refresh(event)
    assert not event.cancelled
    assert admin_client.post(f"/admin/agenda/{event.id}/cancel").status_code == 302
    db.session.refresh(event)
    assert event.cancelled and event.sequence == 1
    admin_client.post(f"/admin/agenda/{event.id}/cancel")
    db.session.refresh(event)
    assert not event.cancelled and event.sequence == 2


def test_forms_need_the_csrf_token(app, admin_client):
    event = make_event()
    app.config["WTF_CSRF_ENABLED"] = True
    refused = [
        admin_client.post("/admin/agenda/new", data=_form()),
        admin_client.post(f"/admin/agenda/{event.id}/cancel"),
        admin_client.post("/admin/agenda/kinds/", data={"name": "Colloque"}),
    ]
    assert [r.status_code for r in refused] == [400, 400, 400]
    db.session.refresh(event)
    assert _count() == 1 and not event.cancelled
    assert kind_by_slug("colloque") is None
    page = admin_client.get("/admin/agenda/new").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = admin_client.post("/admin/agenda/new", data={**_form(), "csrf_token": token})
    assert response.status_code == 302 and _count() == 2


def test_kinds_are_edited_and_a_used_kind_is_kept(admin_client):
    admin_client.post("/admin/agenda/kinds/", data={"name": "Colloque"})
    colloque = kind_by_slug("colloque")
    assert colloque.name == "Colloque"
    page = admin_client.get("/admin/agenda/kinds/").get_data(as_text=True)
    assert "<h1>Types d" in page and f'href="/admin/agenda/kinds/{colloque.id}/edit"' in page
    assert '<a href="/admin/agenda/">Retour à l' in page
    admin_client.post(f"/admin/agenda/kinds/{colloque.id}/edit", data={"name": "Colloque national"})
    db.session.refresh(colloque)
    assert colloque.name == "Colloque national" and colloque.slug == "colloque"
    make_event(kind="colloque")
    response = admin_client.post(f"/admin/agenda/kinds/{colloque.id}/delete", follow_redirects=True)
    assert "1 événements sont de ce type" in response.get_data(as_text=True)
    assert db.session.get(EventKind, colloque.id) is not None
    unused = kind_by_slug("formation")
    admin_client.post(f"/admin/agenda/kinds/{unused.id}/delete")
    assert kind_by_slug("formation") is None
