"""The public agenda: upcoming then past, filters, event pages, and internal events kept
out of every public page and feed."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from cac_news.agenda import public
from cac_news.agenda.events import set_cancelled
from cac_news.extensions import db
from cac_news.models import Event
from cac_news.timeutil import utcnow
from tests.agenda_helpers import make_event, parse_events


def _local(delta_days: int) -> str:
    return (datetime.now() + timedelta(days=delta_days)).strftime("%Y-%m-%d 10:00")


def test_upcoming_first_soonest_first_then_past_latest_first(app, client):
    make_event("Assemblée passée", start=_local(-30), kind="assemblee")
    make_event("Réunion passée", start=_local(-2))
    make_event("Webinaire lointain", start=_local(400), kind="webinaire")
    make_event("Réunion prochaine", start=_local(3))
    page = client.get("/agenda/").get_data(as_text=True)
    order = [
        page.index(t)
        for t in ("Réunion prochaine", "Webinaire lointain", "Réunion passée", "Assemblée passée")
    ]
    assert order == sorted(order)
    assert page.index("À venir") < order[0] and page.index("Événements passés") < order[2]
    assert '<a href="/agenda/">Agenda</a>' in page  # in the public navigation


def test_filters_by_territory_kind_and_unknown_values(app, client):
    make_event("Mobilisation à Lyon", start=_local(5), kind="mobilisation", territory_code="69")
    make_event("Réunion à Paris", start=_local(6), territory_code="75")
    region = client.get("/agenda/?territory=R84").get_data(as_text=True)  # Auvergne-Rhône-Alpes
    assert "Mobilisation à Lyon" in region and "Réunion à Paris" not in region
    kind = client.get("/agenda/?kind=reunion-du-groupe").get_data(as_text=True)
    assert "Réunion à Paris" in kind and "Mobilisation à Lyon" not in kind
    assert client.get("/agenda/?territory=XX").status_code == 404
    assert client.get("/agenda/?kind=nope").status_code == 404
    assert client.get("/agenda/?page=2").status_code == 404


def test_past_events_are_paginated(app, client):
    for day in range(1, public.PAST_PER_PAGE + 3):
        make_event(f"Réunion numéro {day:02d}", start=_local(-day))
    first = client.get("/agenda/").get_data(as_text=True)
    assert "Réunion numéro 01" in first and "Réunion numéro 22" not in first
    second = client.get("/agenda/?page=2").get_data(as_text=True)
    assert "Réunion numéro 22" in second and "À venir" not in second


def test_event_page_and_its_calendar_link(app, client):
    event = make_event(
        "Webinaire CIS", start="2027-03-29 18:00", online_url="https://visio.example.org/x"
    )
    page = client.get(f"/agenda/{event.id}/").get_data(as_text=True)
    assert "lundi 29 mars 2027, 18:00" in page
    assert f'href="/agenda/{event.id}.ics"' in page and "Ajouter à mon agenda" in page
    assert "<strong>financements</strong>" in page  # the Markdown description
    set_cancelled(event)
    page = client.get(f"/agenda/{event.id}/").get_data(as_text=True)
    assert "aura pas lieu." in page and "Ajouter à mon agenda" not in page


def test_internal_events_never_reach_the_public(app, client):
    internal = make_event("Réunion interne des pilotes", start=_local(4), internal=True)
    make_event("Réunion publique", start=_local(5))
    assert "Réunion interne" not in client.get("/agenda/").get_data(as_text=True)
    assert client.get(f"/agenda/{internal.id}/").status_code == 404
    assert client.get(f"/agenda/{internal.id}.ics").status_code == 404
    feed = client.get("/agenda.ics")
    titles = [str(e["summary"]) for e in parse_events(feed.data)]
    assert titles == ["Réunion publique"]
    assert b"interne" not in feed.data
    assert "Réunion interne" not in client.get("/actions/").get_data(as_text=True)
    assert all(not e.internal for e in public.upcoming_events(now=utcnow()))


def test_the_actions_map_shows_upcoming_public_events_by_departement(app, client):
    make_event("Mobilisation à Lyon", start=_local(5), kind="mobilisation", territory_code="69")
    make_event("Réunion interne à Lille", start=_local(5), territory_code="59", internal=True)
    make_event("Réunion passée à Nantes", start=_local(-5), territory_code="44")
    page = client.get("/actions/").get_data(as_text=True)
    section = page.split('id="events-by-departement"', 1)[1]
    assert "69 — Rhône" in section and "Mobilisation à Lyon" in section
    assert "Lille" not in section and "Nantes" not in section
    assert "Rhône\xa0: 0 action, 1 événement à venir" in page
    assert page.count("has-events") == 1


def test_demo_seeds_a_past_an_upcoming_and_an_internal_event(runner, client):
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    events = {e.title: e for e in db.session.scalars(select(Event))}
    now = utcnow()
    assert any(e.starts_at < now and not e.internal for e in events.values())
    assert any(e.starts_at > now and not e.internal for e in events.values())
    assert any(e.all_day for e in events.values())
    internal = [e for e in events.values() if e.internal]
    assert len(internal) == 1
    page = client.get("/agenda/").get_data(as_text=True)
    assert "Webinaire : comprendre les contrats à impact social" in page
    assert "Réunion du groupe de travail : bilan des actions locales" in page
    assert internal[0].title not in page
