"""Public events in the one site search: accent folding and stemming on SQLite and
PostgreSQL, internal events never found, `flask search reindex` covering events."""

from __future__ import annotations

from sqlalchemy import text

from cac_news.agenda.events import event_data, save_event
from cac_news.extensions import db
from cac_news.search.engine import search_all, search_kind
from tests.agenda_helpers import make_event
from tests.fixtures.database import USING_POSTGRESQL


def test_an_accent_folded_word_finds_the_event(app, client):
    event = make_event("Réunion du réseau à Lyon", description_md="Les **financements** locaux.")
    group = search_kind("reunion", "event", 10)
    assert group.total == 1
    assert group.hits[0].url_args == {"event_id": event.id}
    assert "<mark>Réunion</mark>" in group.hits[0].title
    assert search_kind("financement", "event", 10).total == 1  # plural stemmed
    page = client.get("/archives/recherche/", query_string={"q": "reunion"}).get_data(as_text=True)
    assert f'href="/agenda/{event.id}/"' in page and "Événements" in page


def test_internal_events_are_never_found(app, client):
    internal = make_event("Réunion interne des pilotes", internal=True)
    assert search_kind("pilotes", "event", 10).total == 0
    assert all(g.kind != "event" for g in search_all("pilotes"))
    page = client.get("/archives/recherche/", query_string={"q": "pilotes"}).get_data(as_text=True)
    assert "interne" not in page.split("<main", 1)[1]
    data = event_data(internal)
    data.internal = False  # made public: found at once
    save_event(data, internal)
    assert search_kind("pilotes", "event", 10).total == 1
    data.internal = True
    save_event(data, internal)
    assert search_kind("pilotes", "event", 10).total == 0


def test_reindex_includes_events(app, runner):
    make_event("Assemblée générale du réseau", kind="assemblee")
    make_event("Réunion interne", internal=True)
    result = runner.invoke(args=["search", "reindex"])
    assert result.exit_code == 0, result.output
    if not USING_POSTGRESQL:
        assert "1 documents indexed." in result.output  # the public event only
        db.session.execute(text("DELETE FROM site_fts"))
        db.session.commit()
        assert search_kind("assemblee", "event", 10).total == 0
        runner.invoke(args=["search", "reindex"])
    assert search_kind("assemblee", "event", 10).total == 1
