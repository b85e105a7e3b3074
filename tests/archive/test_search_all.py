"""One search over letters, action reports and resources: folding, stemming, grouping,
drafts and unpublished content left out, on SQLite and PostgreSQL alike."""

import pytest

from cac_news.extensions import db
from cac_news.search.engine import search_all, search_kind
from tests.archive_helpers import sent_copy
from tests.resource_helpers import make_resource


@pytest.fixture
def content(make_action_report, make_newsletter):
    report = make_action_report(
        title="Rassemblement de la Fédération", body_md="Devant le **conseil départemental**."
    )
    resource = make_resource(
        "Note sur les financements", body_md="La Fédération des centres sociaux s'inquiète."
    )
    draft = make_resource("Brouillon fédéral", body_md="Fédération en brouillon.", published=False)
    letter = sent_copy(make_newsletter, subject="Rentrée", body="La Fédération écrit.")
    return report, resource, draft, letter


def test_accent_folded_word_finds_each_kind_grouped(content):
    report, resource, draft, letter = content
    groups = {g.kind: g for g in search_all("federation")}
    assert set(groups) == {"letter", "action", "resource"}
    assert [h.url_args for h in groups["resource"].hits] == [{"slug": resource.slug}]
    assert [h.url_args for h in groups["action"].hits] == [{"report_id": report.id}]
    assert groups["letter"].hits[0].url_args == {"number": letter.number}
    assert "<mark>Fédération</mark>" in groups["resource"].hits[0].excerpt
    assert "<mark>Fédération</mark>" in groups["action"].hits[0].title  # in its title only
    assert groups["action"].hits[0].excerpt == "Devant le conseil départemental."
    assert all(g.total == 1 for g in groups.values())  # the draft is not there


def test_stemming_plural_and_singular(content):
    assert search_kind("financement", "resource", 10).total == 1
    assert search_kind("départementaux", "action", 10).total == 1  # one stem
    assert search_kind("departemental", "action", 10).total == 1


def test_unpublishing_and_deleting_leave_the_search(content, admin_client):
    report, resource, _draft, _letter = content
    admin_client.post(f"/admin/actions/{report.id}/publish", data={"unpublish": "1"})
    assert search_kind("federation", "action", 10).total == 0
    admin_client.post(f"/admin/resources/{resource.id}/publish", data={"unpublish": "1"})
    assert search_kind("federation", "resource", 10).total == 0
    admin_client.post(f"/admin/resources/{resource.id}/publish")
    assert search_kind("federation", "resource", 10).total == 1
    admin_client.post(f"/admin/resources/{resource.id}/delete")
    assert search_kind("federation", "resource", 10).total == 0


def test_an_edit_is_searchable_at_once(content):
    _report, resource, _draft, _letter = content
    resource.body_md = "Un mot nouveau : hétérodoxie."
    db.session.commit()
    assert search_kind("heterodoxie", "resource", 10).total == 1
    assert search_kind("centres", "resource", 10).total == 0


def test_search_page_groups_results_and_pages_one_kind(content, client):
    body = client.get("/archives/recherche/?q=federation").get_data(as_text=True)
    for heading in ('id="results-letter"', 'id="results-action"', 'id="results-resource"'):
        assert heading in body
    assert "Brouillon" not in body
    assert "<mark>Fédération</mark>" in body
    one_kind = client.get("/archives/recherche/?q=federation&kind=resource")
    text = one_kind.get_data(as_text=True)
    assert 'id="results-resource"' in text and 'id="results-action"' not in text
    assert client.get("/archives/recherche/?q=federation&kind=nope").status_code == 404
    assert client.get("/archives/recherche/?q=federation&kind=action&page=2").status_code == 404


def test_many_hits_link_to_the_kind_page(client):
    for n in range(7):
        make_resource(f"Fédération numéro {n}")
    body = client.get("/archives/recherche/?q=federation").get_data(as_text=True)
    assert body.count("<mark>Fédération</mark>") >= 5
    assert "kind=resource" in body
    page = client.get("/archives/recherche/?q=federation&kind=resource").get_data(as_text=True)
    assert page.count("<h3>") == 7


@pytest.mark.parametrize("query", ['"', "NEAR(a b)", "' OR 1=1 --", "fédé*", "<script>"])
def test_hostile_queries_on_every_kind(content, client, query):
    for kind in ("", "resource", "action", "letter"):
        response = client.get("/archives/recherche/", query_string={"q": query, "kind": kind})
        assert response.status_code == 200
        assert "<script>" not in response.get_data(as_text=True).split("<main", 1)[1]


def test_reindex_command_rebuilds_the_sqlite_index(content, runner):
    from sqlalchemy import text

    from tests.fixtures.database import USING_POSTGRESQL

    result = runner.invoke(args=["search", "reindex"])
    assert result.exit_code == 0, result.output
    if USING_POSTGRESQL:
        assert "nothing to rebuild" in result.output
    else:
        assert "2 documents indexed." in result.output  # the report and the resource
        db.session.execute(text("DELETE FROM site_fts"))
        db.session.commit()
        assert search_kind("federation", "resource", 10).total == 0
        runner.invoke(args=["search", "reindex"])
    assert search_kind("federation", "resource", 10).total == 1
