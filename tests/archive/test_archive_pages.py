"""Archive list, Atom feed and HTTP caching of public pages."""

from datetime import datetime
from xml.etree import ElementTree as ET

from cac_news.archive.copies import withdraw
from cac_news.extensions import db
from cac_news.models import Newsletter
from tests.archive_helpers import sent_copy

ATOM = "{http://www.w3.org/2005/Atom}"


def _sent_at(make_newsletter, moment: datetime, subject: str):
    newsletter = make_newsletter(subject=subject)
    newsletter.status = "sent"
    newsletter.sent_at = moment
    db.session.commit()
    from cac_news.archive.copies import freeze_copy

    copy = freeze_copy(newsletter)
    db.session.commit()
    return copy


def test_archive_lists_issues_newest_first_grouped_by_year(client, make_newsletter):
    _sent_at(make_newsletter, datetime(2025, 11, 3), "Novembre 2025")
    _sent_at(make_newsletter, datetime(2026, 2, 1), "Février 2026")
    make_newsletter(subject="Brouillon jamais envoyé")
    body = client.get("/archives/").get_data(as_text=True)
    assert body.index("Février 2026") < body.index("Novembre 2025")
    assert body.index(">2026<") < body.index("Février 2026") < body.index(">2025<")
    assert "Brouillon jamais envoyé" not in body


def test_archive_is_paginated_and_out_of_range_is_404(client, make_newsletter):
    for n in range(23):
        _sent_at(make_newsletter, datetime(2026, 1, 1, 0, n), f"Sujet {n:02d}")
    first = client.get("/archives/").get_data(as_text=True)
    assert "Sujet 22" in first and "Sujet 02" not in first
    second = client.get("/archives/?page=2").get_data(as_text=True)
    assert "Sujet 02" in second and "Sujet 22" not in second
    assert client.get("/archives/?page=3").status_code == 404
    assert client.get("/archives/?page=0").status_code == 404
    assert client.get("/archives/?page=-4").status_code == 404
    assert client.get("/archives/?page=99999999999999999999").status_code == 404
    assert client.get("/archives/?page=abc").status_code == 200


def test_empty_archive_page_one_is_fine(client):
    response = client.get("/archives/")
    assert response.status_code == 200
    assert client.get("/archives/?page=2").status_code == 404


def test_withdrawn_issue_is_absent_from_list_and_feed(client, make_newsletter, admin):
    kept = sent_copy(make_newsletter, subject="Gardée")
    gone = sent_copy(make_newsletter, subject="Retirée")
    withdraw(gone, admin)
    db.session.commit()
    assert "Retirée" not in client.get("/archives/").get_data(as_text=True)
    feed = ET.fromstring(client.get("/archives/feed.atom").data)
    titles = [e.findtext(f"{ATOM}title") for e in feed.findall(f"{ATOM}entry")]
    assert titles == [kept.subject]


def test_feed_is_valid_atom_with_full_content(client, make_newsletter):
    copy = sent_copy(make_newsletter, subject="Lettre & <rentrée>", body="Un **point** d'étape.")
    response = client.get("/archives/feed.atom")
    assert response.status_code == 200
    assert response.mimetype == "application/atom+xml"
    feed = ET.fromstring(response.data)
    assert feed.tag == f"{ATOM}feed"
    for required in ("id", "title", "updated"):
        assert feed.findtext(f"{ATOM}{required}")
    assert feed.find(f"{ATOM}author/{ATOM}name").text
    links = {link.get("rel"): link.get("href") for link in feed.findall(f"{ATOM}link")}
    assert links["self"] == "http://localhost/archives/feed.atom"
    assert links["alternate"] == "http://localhost/archives/"
    (entry,) = feed.findall(f"{ATOM}entry")
    assert entry.findtext(f"{ATOM}id") == "http://localhost/archives/1/"
    assert entry.findtext(f"{ATOM}title") == "Lettre & <rentrée>"
    datetime.fromisoformat(entry.findtext(f"{ATOM}updated"))
    content = entry.find(f"{ATOM}content")
    assert content.get("type") == "html"
    assert "<strong>point</strong>" in content.text
    assert "<body" not in content.text
    assert entry.find(f"{ATOM}link").get("href") == "http://localhost/archives/1/"
    assert copy.subject in response.get_data(as_text=True).replace("&amp;", "&").replace(
        "&lt;", "<"
    ).replace("&gt;", ">")


def test_copy_page_revalidates_with_etag_and_last_modified(client, make_newsletter):
    copy = sent_copy(make_newsletter)
    response = client.get("/archives/1/")
    assert response.status_code == 200
    assert response.headers["ETag"] == f'"{copy.digest}"'
    assert response.headers["Last-Modified"]
    assert "public" in response.headers["Cache-Control"]
    assert "max-age=300" in response.headers["Cache-Control"]
    again = client.get("/archives/1/", headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304
    assert again.data == b""
    since = client.get(
        "/archives/1/", headers={"If-Modified-Since": response.headers["Last-Modified"]}
    )
    assert since.status_code == 304
    other = client.get("/archives/1/", headers={"If-None-Match": '"something-else"'})
    assert other.status_code == 200


def test_list_etag_changes_when_an_issue_is_withdrawn(client, make_newsletter, admin):
    copy = sent_copy(make_newsletter)
    first = client.get("/archives/")
    etag = first.headers["ETag"]
    assert client.get("/archives/", headers={"If-None-Match": etag}).status_code == 304
    withdraw(db.session.get(type(copy), copy.id), admin)
    db.session.commit()
    assert client.get("/archives/", headers={"If-None-Match": etag}).status_code == 200
    feed = client.get("/archives/feed.atom")
    assert feed.headers["ETag"] and feed.headers["Last-Modified"]


def test_drafts_never_reach_the_feed(client, make_newsletter):
    make_newsletter(subject="Brouillon secret")
    newsletter = make_newsletter(subject="Envoyée sans copie")
    newsletter.status = "sent"
    db.session.commit()
    body = client.get("/archives/feed.atom").get_data(as_text=True)
    assert "Brouillon secret" not in body and "Envoyée sans copie" not in body
    assert db.session.query(Newsletter).count() == 2
