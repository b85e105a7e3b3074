"""Archive search: French stemming, accent folding, highlighted excerpts, hostile queries."""

import pytest

from cac_news.archive.copies import restore, withdraw
from cac_news.archive.search import query_terms, search
from cac_news.extensions import db
from tests.archive_helpers import reload, sent_copy

BODY = (
    "Le groupe a publié une note sur l'économie sociale et solidaire. "
    "Les nouveaux financements privés de l'action sociale posent question."
)


@pytest.fixture
def copies(make_newsletter):
    first = sent_copy(make_newsletter, subject="Rentrée", body=BODY)
    second = sent_copy(
        make_newsletter, subject="Mobilisations locales", body="Rassemblement à Lyon."
    )
    return first, second


def test_accent_folding_economie_finds_economie(copies):
    hits, total = search("economie")
    assert total == 1
    assert hits[0].copy.id == copies[0].id
    assert "<mark>économie</mark>" in hits[0].excerpt


def test_french_stemming_plural_finds_singular(copies):
    hits, total = search("financement")
    assert total == 1 and "<mark>financements</mark>" in hits[0].excerpt
    assert search("financements")[1] == 1
    assert search("SOLIDAIRES")[1] == 1


def test_all_words_must_match(copies):
    assert search("économie lyon")[1] == 0
    assert search("rassemblement lyon")[1] == 1


def test_subject_is_searched(copies):
    hits, _total = search("mobilisation")
    assert [h.copy.id for h in hits] == [copies[1].id]


HOSTILE = [
    '"',
    '"économie',
    "économie OR lyon",
    "NEAR(économie lyon)",
    "subject:économie",
    "éco*",
    "^économie",
    "économie) OR (1=1",
    "'; DROP TABLE archived_copy; --",
    "' OR '1'='1",
    "économie & !lyon | (",
    "\\x00 %_ économie",
    "économie " * 500,
    "<script>alert(1)</script>",
    "",
    "   ",
    "-",
]


@pytest.mark.parametrize("query", HOSTILE)
def test_hostile_queries_never_fail_nor_inject(copies, client, query):
    search(query)
    response = client.get("/archives/recherche/", query_string={"q": query})
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "<script>alert" not in body
    assert db.session.query(type(copies[0])).count() == 2  # the table is still there


def test_operators_are_words_not_syntax(copies):
    # "OR" would widen the query in FTS5 syntax; as a word it must also match.
    assert search("économie OR lyon")[1] == 0
    assert query_terms('NEAR("a" b)') == ["NEAR", "b"]


def test_long_query_is_truncated(copies):
    assert len(query_terms("économie " * 1000)) <= 12
    assert search("économie " * 1000)[1] == 1


def test_withdrawn_copy_leaves_the_search(copies, admin):
    withdraw(copies[0], admin)
    db.session.commit()
    assert search("économie")[1] == 0
    restore(reload(copies[0]))
    db.session.commit()
    assert search("économie")[1] == 1


def test_search_page_shows_highlighted_excerpts(copies, client):
    response = client.get("/archives/recherche/", query_string={"q": "economie"})
    body = response.get_data(as_text=True)
    assert "<mark>économie</mark>" in body
    assert "/archives/1/" in body
    assert "Rentrée" in body


def test_excerpt_escapes_the_text(make_newsletter):
    sent_copy(make_newsletter, body="Le code `<b onclick=x>économie</b>` ici.")
    hits, _ = search("économie")
    assert "<b" not in hits[0].excerpt
    assert "onclick" not in hits[0].excerpt or "&lt;b onclick" in hits[0].excerpt


def test_search_page_out_of_range(copies, client):
    assert client.get("/archives/recherche/?q=economie&page=5").status_code == 404
    assert client.get("/archives/recherche/?q=economie&page=x").status_code == 200
    huge = "/archives/recherche/?q=economie&page=99999999999999999999"
    assert client.get(huge).status_code == 404
    assert client.get("/archives/recherche/?q=economie&page=-1").status_code == 404
