"""Counted links: a real send, two readers following links, a report that names nobody."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from sqlalchemy import inspect, select

from cac_news.compose.newsletters import SectionData
from cac_news.extensions import db
from cac_news.mailing import sending
from cac_news.models import LetterLink, LinkFollowCount, Subscriber
from tests.engine_helpers import run_worker

BODY = (
    "Lisez [le rapport](https://example.org/rapport?annee=2026&partie=2) et "
    "[la tribune](https://presse.example.net/tribune)."
)
COUNTED = re.compile(r"http://localhost/l/[A-Za-z0-9_-]+")


def local(url: str) -> str:
    """Path and query of an absolute URL, for the test client."""
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _send(app, smtp_server, make_subscriber, make_newsletter, count: int = 2):
    people = [make_subscriber(email=f"lecteur{i}@example.org") for i in range(count)]
    newsletter = make_newsletter(
        subject="Lettre aux liens",
        sections=[SectionData(kind="text", title="À lire", body_md=BODY)],
    )
    sending.start_send(newsletter)
    run_worker(app)
    copies = {}
    for mail in smtp_server.messages:
        text, html = (p.get_content() for p in mail.message.iter_parts())
        copies[mail.rcpt_tos[0]] = (text, html)
    return newsletter, people, copies


def test_links_are_counted_per_letter_and_link_only(
    app, admin_client, smtp_server, make_subscriber, make_newsletter
):
    client = admin_client
    newsletter, people, copies = _send(app, smtp_server, make_subscriber, make_newsletter)
    (text_a, html_a), (text_b, html_b) = copies[people[0].email], copies[people[1].email]
    # The same counted URLs, in the same order, in both readers' copies and both parts.
    links_a, links_b = COUNTED.findall(html_a), COUNTED.findall(html_b)
    assert len(set(links_a)) == 2 and links_a == links_b
    assert COUNTED.findall(text_a) == COUNTED.findall(text_b)
    assert set(COUNTED.findall(text_a)) == set(links_a)
    assert "example.org/rapport" not in html_a and "presse.example.net" not in text_a
    # Unsubscribe, preferences and archive links stay direct (and personal where they must).
    assert "/unsubscribe/" in html_a and "/preferences/" in text_a
    assert f"http://localhost/archives/{newsletter.number}/" in html_a
    # The public web copy links to the targets directly.
    archive = client.get(f"/archives/{newsletter.number}/").get_data(as_text=True)
    assert "https://example.org/rapport?annee=2026&amp;partie=2" in archive
    assert "/l/" not in archive

    by_target = {link.url: link for link in db.session.scalars(select(LetterLink))}
    report_link = by_target["https://example.org/rapport?annee=2026&partie=2"]
    press_link = by_target["https://presse.example.net/tribune"]
    # Reader A follows the report from their copy, reader B the press article from theirs.
    first = client.get(local(f"http://localhost/l/{report_link.code}"), headers=BROWSER)
    assert first.status_code == 302
    assert first.headers["Location"] == "https://example.org/rapport?annee=2026&partie=2"
    assert f"http://localhost/l/{report_link.code}" in html_a
    second = client.get(f"/l/{press_link.code}", headers=BROWSER)
    assert second.status_code == 302
    assert second.headers["Location"] == "https://presse.example.net/tribune"
    assert f"http://localhost/l/{press_link.code}" in html_b
    assert client.get(f"/l/{report_link.code}", headers=BROWSER).status_code == 302

    counts = {row.link_id: row.count for row in db.session.scalars(select(LinkFollowCount))}
    assert counts == {report_link.id: 2, press_link.id: 1}

    # Reader B leaves through this letter's unsubscribe link: the report counts it.
    unsubscribe = re.search(r'href="(http://localhost/unsubscribe/[^"]+)"', html_b).group(1)
    unsubscribe = unsubscribe.replace("&amp;", "&")
    assert unsubscribe.endswith(f"?n={newsletter.number}")
    assert client.post(local(unsubscribe)).status_code == 200
    assert db.session.get(Subscriber, people[1].id).status == "unsubscribed"

    page = client.get(f"/admin/newsletters/{newsletter.id}/report").get_data(as_text=True)
    figures = dict(re.findall(r'<th scope="row">([^<]+)</th><td class="num">(\d+)</td>', page))
    assert figures["Destinataires"] == "2" and figures["Distribués"] == "2"
    assert figures["Désinscriptions depuis cette lettre"] == "1"
    assert figures["Liens suivis"] == "3"
    rows = re.findall(r'<td class="url">([^<]+)</td><td class="num">(\d+)</td>', page)
    assert rows == [
        ("https://example.org/rapport?annee=2026&amp;partie=2", "2"),
        ("https://presse.example.net/tribune", "1"),
    ]
    assert "approximati" in page  # the report says counts are approximate
    # The timeline chart: a titled SVG, and a data table with today's sends and follows.
    assert '<title id="timeline-chart-title">Envois et liens suivis par jour</title>' in page
    table = page.split("Tableau des données : Envois et liens suivis par jour", 1)[1]
    first_day = re.search(r"<tr><th scope=\"row\">[^<]+</th>(.*?)</tr>", table).group(1)
    assert re.findall(r"<td class=\"num\">(\d+)</td>", first_day) == ["2", "3"]

    csv_text = client.get(f"/admin/newsletters/{newsletter.id}/report.csv").get_data(as_text=True)
    assert "unsubscribes,1" in csv_text and "https://presse.example.net/tribune,1" in csv_text


BROWSER = {"User-Agent": "Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0"}


def _all_rows() -> dict[str, list[tuple]]:
    """Every row of every table, as tuples, read afresh."""
    db.session.expire_all()
    tables = inspect(db.engine).get_table_names()
    return {
        name: sorted(map(tuple, db.session.execute(db.text(f'SELECT * FROM "{name}"'))), key=repr)
        for name in tables
        if name != "alembic_version"
    }


def test_no_table_ties_a_subscriber_to_a_link(
    app, client, smtp_server, make_subscriber, make_newsletter
):
    _newsletter, people, _copies = _send(app, smtp_server, make_subscriber, make_newsletter)
    schema = inspect(db.engine)
    for table in ("letter_link", "link_follow_count"):
        columns = {c["name"] for c in schema.get_columns(table)}
        assert columns <= {"id", "newsletter_id", "code", "url", "position", "link_id", "day",
                           "count"}, table  # fmt: skip
        targets = {fk["referred_table"] for fk in schema.get_foreign_keys(table)}
        assert targets <= {"newsletter", "letter_link"}, table
    before = _all_rows()
    for link in db.session.scalars(select(LetterLink)).all():
        assert client.get(f"/l/{link.code}", headers=BROWSER).status_code == 302
    after = _all_rows()
    changed = {name for name in after if after[name] != before[name]}
    assert changed == {"link_follow_count"}  # and nothing else: no log of who followed
    stored = repr(after["link_follow_count"])
    for person in people:
        assert person.email not in stored
    assert all(len(row) == 3 for row in after["link_follow_count"])  # link, day, count


def test_unknown_codes_head_and_scanners_are_not_counted(
    app, client, smtp_server, make_subscriber, make_newsletter
):
    _send(app, smtp_server, make_subscriber, make_newsletter, count=1)
    link = db.session.scalars(select(LetterLink)).first()
    assert client.get("/l/nope", headers=BROWSER).status_code == 404
    assert client.get("/l/https:%2F%2Fevil.example", headers=BROWSER).status_code == 404
    assert client.get("/l/" + "a" * 300, headers=BROWSER).status_code == 404
    head = client.head(f"/l/{link.code}", headers=BROWSER)
    assert head.status_code == 302 and head.headers["Location"] == link.url
    scanner = {"User-Agent": "Mozilla/5.0 (compatible; Barracuda Sentinel link check)"}
    assert client.get(f"/l/{link.code}", headers=scanner).status_code == 302
    no_agent = client.get(f"/l/{link.code}", environ_overrides={"HTTP_USER_AGENT": ""})
    assert no_agent.status_code == 302
    assert db.session.scalars(select(LinkFollowCount)).all() == []
    assert client.get(f"/l/{link.code}", headers=BROWSER).status_code == 302
    assert [row.count for row in db.session.scalars(select(LinkFollowCount))] == [1]


def test_link_counting_off_sends_the_original_links(
    app, smtp_server, make_subscriber, make_newsletter
):
    app.config["LINK_COUNTING"] = False
    _newsletter, _people, copies = _send(app, smtp_server, make_subscriber, make_newsletter, 1)
    ((text, html),) = copies.values()
    assert "https://example.org/rapport?annee=2026&amp;partie=2" in html
    assert "https://presse.example.net/tribune" in text
    assert "/l/" not in html and "/l/" not in text
    assert db.session.scalars(select(LetterLink)).all() == []
