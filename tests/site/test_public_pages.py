"""Public information pages: home, roadmap, actions (filters, map, table), action detail."""

from datetime import date

from cac_news.extensions import db
from cac_news.models import RoadmapItem
from tests.archive_helpers import sent_copy


def test_home_shows_latest_issue_links_and_meta(client, make_newsletter):
    sent_copy(make_newsletter, subject="Première")
    sent_copy(make_newsletter, subject="Deuxième lettre")
    body = client.get("/").get_data(as_text=True)
    assert "Deuxième lettre" in body and "Première" not in body
    assert 'href="/archives/2/"' in body
    for link in ('href="/feuille-de-route/"', 'href="/actions/"', 'href="/archives/"'):
        assert link in body
    assert '<meta property="og:title"' in body
    assert '<meta property="og:url" content="http://localhost/"' in body
    assert '<meta name="description"' in body
    assert 'type="application/atom+xml"' in body


def test_roadmap_page_shows_items_statuses_and_latest_update(client, make_roadmap_update):
    old = make_roadmap_update(
        title="Note sur les CIS", body_md="Premier jet.", date=date(2026, 9, 1)
    )
    item = db.session.get(RoadmapItem, old.item_id)
    make_roadmap_update(item=item, body_md="Version **relue**.", date=date(2026, 10, 5))
    item.status = "in_progress"
    item.owner = "Dominique Propriétaire"
    db.session.commit()
    response = client.get("/feuille-de-route/")
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Note sur les CIS" in body
    assert "Version <strong>relue</strong>." in body
    assert "Premier jet." not in body  # only the latest update
    assert "Octobre" in body  # the period label
    assert "badge-in_progress" in body


def test_actions_page_filters_by_region_departement_and_kind(client, make_action_report):
    make_action_report(title="Action à Paris", territory_code="75", kind="mobilisation")
    make_action_report(title="Action à Lyon", territory_code="69", kind="public_meeting")
    make_action_report(title="Brouillon caché", territory_code="75", published=False)
    body = client.get("/actions/").get_data(as_text=True)
    assert "Action à Paris" in body and "Action à Lyon" in body
    assert "Brouillon caché" not in body
    only_paris = client.get("/actions/?departement=75").get_data(as_text=True)
    assert "Action à Paris" in only_paris and "Action à Lyon" not in only_paris
    ara = client.get("/actions/?region=R84").get_data(as_text=True)  # Auvergne-Rhône-Alpes
    assert "Action à Lyon" in ara and "Action à Paris" not in ara
    meetings = client.get("/actions/?kind=public_meeting").get_data(as_text=True)
    assert "Action à Lyon" in meetings and "Action à Paris" not in meetings
    empty = client.get("/actions/?region=&departement=&kind=").get_data(as_text=True)
    assert "Action à Paris" in empty


def test_actions_map_links_and_shades_departements(client, make_action_report):
    make_action_report(territory_code="75")
    make_action_report(territory_code="75")
    make_action_report(territory_code="69")
    make_action_report(territory_code="R11")  # a région: in the list, not on the map
    body = client.get("/actions/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert body.count("<path ") == 96
    paris = body.split('href="/actions/?departement=75"', 1)[1].split("</a>", 1)[0]
    assert "<title>Paris: 2 actions</title>" in paris
    assert 'class="shade-4"' in paris
    lyon = body.split('href="/actions/?departement=69"', 1)[1].split("</a>", 1)[0]
    assert 'class="shade-2"' in lyon
    ain = body.split('href="/actions/?departement=01"', 1)[1].split("</a>", 1)[0]
    assert 'class="shade-0"' in ain
    table = body.split("<table", 1)[1]
    assert "75 — Paris" in table and "69 — Rhône" in table and "01 — Ain" not in table


def test_bad_filters_and_pages_are_404(client, make_action_report):
    make_action_report()
    for query in (
        "departement=999",
        "departement=R11",
        "region=75",
        "region=R99",
        "kind=nonsense",
        "page=0",
        "page=9",
        "departement=%27%20OR%201%3D1",
    ):
        assert client.get(f"/actions/?{query}").status_code == 404, query
    assert client.get("/actions/?page=abc").status_code == 200


def test_action_detail_and_unknown_or_draft_is_404(client, make_action_report):
    report = make_action_report(
        title="Réunion publique", body_md="Avec **60** personnes.", contact="militant@example.org"
    )
    draft = make_action_report(title="Brouillon", published=False)
    response = client.get(f"/actions/{report.id}/")
    body = response.get_data(as_text=True)
    assert "Réunion publique" in body and "<strong>60</strong>" in body
    assert "militant@example.org" not in body  # the contact is for pilots only
    assert client.get(f"/actions/{draft.id}/").status_code == 404
    assert client.get("/actions/999999/").status_code == 404
    assert client.get("/actions/abc/").status_code == 404


def test_unknown_public_paths_are_404(client):
    for path in ("/archives/nope/", "/feuille-de-route/extra/", "/actions/x/y/", "/nothing/"):
        assert client.get(path).status_code == 404, path


def test_public_pages_send_validators_and_answer_304(client, make_action_report):
    make_action_report()
    for path in ("/", "/feuille-de-route/", "/actions/", "/archives/", "/archives/feed.atom"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert "public" in response.headers["Cache-Control"]
        etag = response.headers["ETag"]
        again = client.get(path, headers={"If-None-Match": etag})
        assert again.status_code == 304, path
