"""Dashboard and territories: growth from the event log, charts as accessible SVG, map."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from xml.etree import ElementTree as ET

from sqlalchemy import update

from cac_news.extensions import db
from cac_news.insight import growth, reach
from cac_news.insight.charts import Series, build_chart
from cac_news.models import Newsletter, SubscriptionEvent

SVG = "{http://www.w3.org/2000/svg}"
TODAY = date(2026, 12, 2)  # a Wednesday


def _age_events(subscriber, days_ago: int) -> None:
    """Date every event of a subscriber ``days_ago`` days before TODAY."""
    when = datetime.combine(TODAY - timedelta(days=days_ago), datetime.min.time())
    db.session.execute(
        update(SubscriptionEvent)
        .where(SubscriptionEvent.subscriber_id == subscriber.id)
        .values(created_at=when)
    )
    db.session.commit()


def test_weekly_growth_walks_back_from_todays_counts(app, make_subscriber):
    old = make_subscriber(email="ancien@example.org")
    _age_events(old, 60)
    recent = make_subscriber(email="recent@example.org")
    _age_events(recent, 10)
    waiting = make_subscriber(email="attente@example.org", status="pending")
    _age_events(waiting, 1)
    leaving = make_subscriber(email="parti@example.org")
    _age_events(leaving, 20)
    leaving.set_status("unsubscribed", source="unsubscribe", detail="link")
    db.session.commit()
    last = max(e.id for e in leaving.events)
    db.session.execute(
        update(SubscriptionEvent)
        .where(SubscriptionEvent.id == last)
        .values(created_at=datetime.combine(TODAY - timedelta(days=2), datetime.min.time()))
    )
    db.session.commit()

    weeks = growth.weekly_growth(weeks=4, today=TODAY)
    assert [w.monday for w in weeks] == [date(2026, 11, 9), date(2026, 11, 16),
                                         date(2026, 11, 23), date(2026, 11, 30)]  # fmt: skip
    by_week = [(w.counts["active"], w.counts["pending"], w.counts["unsubscribed"]) for w in weeks]
    # At the end of the week of 9 Nov: the old one and the leaver (12 Nov); 16 Nov:
    # + recent (22 Nov); 23 Nov: no change; 30 Nov: the leaver left, one pending came.
    assert by_week == [(2, 0, 0), (3, 0, 0), (3, 0, 0), (2, 1, 1)]


def test_charts_have_a_title_a_summary_and_a_table(admin_client, make_subscriber):
    make_subscriber(email="relais@example.org", territory_code="33", modes=["relais-local"])
    make_subscriber(email="lyon@example.org", territory_code="69")
    make_subscriber(email="reunion@example.org", territory_code="974")
    page = admin_client.get("/admin/").get_data(as_text=True)
    svgs = re.findall(r"<svg.*?</svg>", page, re.S)
    charts = [s for s in svgs if 'class="chart-svg"' in s]
    assert len(charts) == 2
    for svg in charts:
        root = ET.fromstring(svg)
        title = root.find(f"{SVG}title")
        assert title is not None and title.text.strip()
        assert root.find(f"{SVG}desc").text.strip()
        assert (
            root.get("aria-labelledby") == f"{title.get('id')} {root.find(f'{SVG}desc').get('id')}"
        )
    assert page.count("<details>") >= 2 and "Tableau des données : Abonnés par semaine" in page
    # The growth table ends with today's figures: 3 active subscribers.
    table = page.split("Tableau des données : Abonnés par semaine", 1)[1].split("</table>", 1)[0]
    last_row = re.findall(r"<tr><th scope=\"row\">[^<]+</th>(.*?)</tr>", table)[-1]
    assert re.findall(r"<td class=\"num\">(\d+)</td>", last_row) == ["3", "0", "0"]
    # The map: 96 metropolitan outlines plus the five overseas insets, each with a title.
    map_svg = next(s for s in svgs if 'class="map"' in s)
    root = ET.fromstring(map_svg)
    shapes = root.findall(f"{SVG}g")
    assert len(shapes) == 101
    labels = {g.find(f"{SVG}title").text for g in shapes}
    assert "La Réunion : 1 abonné actif" in labels and "Gironde : 1 abonné actif" in labels
    assert "Aucun envoi n’est programmé." in page


def test_territories_show_relays_and_where_there_is_none(admin_client, make_subscriber):
    make_subscriber(email="relais@example.org", territory_code="33", modes=["relais-local"])
    make_subscriber(email="autre@example.org", territory_code="33")
    make_subscriber(email="parti@example.org", territory_code="64", modes=["relais-local"],
                    status="unsubscribed")  # fmt: skip
    regions = {r.region.territory.code: r for r in reach.presence_by_region()}
    aquitaine = regions["R75"]
    gironde = next(d for d in aquitaine.departements if d.territory.code == "33")
    assert (gironde.subscribers, gironde.relays) == (2, 1)
    assert "64" in {d.territory.code for d in aquitaine.without_relay}  # left: no relay
    assert aquitaine.region.relays == 1 and aquitaine.region.subscribers == 2
    page = admin_client.get("/admin/territories/").get_data(as_text=True)
    assert "Gironde : 1 relais local" in page
    row = re.search(r"<th scope=\"row\">64 — Pyrénées-Atlantiques</th>(.*?)</tr>", page, re.S)
    assert "pas encore de relais" in row.group(1)


def test_flows_per_letter_count_arrivals_and_departures(app, make_subscriber, make_newsletter):
    first = make_newsletter(subject="Une")
    second = make_newsletter(subject="Deux")
    start = datetime(2026, 11, 1)
    for letter, when in ((first, start), (second, start + timedelta(days=10))):
        db.session.execute(
            update(Newsletter).where(Newsletter.id == letter.id)
            .values(send_started_at=when, status="sent")
        )  # fmt: skip
    db.session.commit()
    newcomer = make_subscriber(email="nouveau@example.org")
    _age_events(newcomer, (TODAY - date(2026, 11, 3)).days)  # after the first letter
    leaver = make_subscriber(email="parti@example.org")
    _age_events(leaver, 60)
    leaver.set_status("unsubscribed", source="unsubscribe", detail="link; letter 2")
    db.session.commit()  # today: after the second letter
    flows = {f.newsletter.subject: (f.arrivals, f.departures) for f in growth.flows_per_letter()}
    assert flows == {"Une": (1, 0), "Deux": (0, 1)}


def test_chart_geometry_scales_to_the_highest_value():
    chart = build_chart("T", "S", ["a", "b"], [Series("x", (0, 50), 1)], kind="bar")
    assert chart.highest == 50
    (_s, _x0, y0, _w0, h0, v0), (_s2, _x1, y1, _w1, h1, v1) = chart.bars
    assert (h0, v0, v1) == (0.0, 0, 50) and h1 == 200.0 and y1 == 12.0
    assert chart.rows == [("a", [0]), ("b", [50])]


def test_report_pages_are_for_pilots_and_unknown_letters_404(app, admin_client):
    assert admin_client.get("/admin/newsletters/999999/report").status_code == 404
    assert admin_client.get("/admin/newsletters/999999/report.csv").status_code == 404
    anonymous = app.test_client()
    for path in ("/admin/territories/", "/admin/newsletters/1/report"):
        assert anonymous.get(path).status_code == 302  # to the login page


def test_unsubscribe_detail_keeps_only_a_sane_letter_number():
    from cac_news.insight.departures import letter_detail

    assert letter_detail("link", "12") == "link; letter 12"
    for hostile in (None, "", "0", "-3", "12abc", "9" * 40, "<script>", "１２"):
        assert letter_detail("one-click", hostile) == "one-click"
