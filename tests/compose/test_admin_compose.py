"""Admin pages of the roadmap, action reports and the newsletter composer, over HTTP."""

from datetime import datetime

from cac_news.archive.copies import freeze_copy
from cac_news.compose.newsletters import SectionData
from cac_news.compose.render import TOKENS
from cac_news.extensions import db
from cac_news.models import ActionReport, Newsletter, RoadmapItem
from tests.xss_payloads import XSS_PAYLOADS, assert_harmless


def composer_post(proposed: list[dict], **fields) -> dict:
    """Form data for the composer from a list of section dicts."""
    data = {"subject": "Lettre d'automne", "preheader": "", "reply_to": "", "intro_md": "Intro"}
    data.update(fields)
    for index, section in enumerate(proposed):
        for key, value in section.items():
            if key == "include" and not value:
                continue
            data[f"sections-{index}-{key}"] = "y" if value is True else value
    return data


def test_nav_has_the_new_entries(admin_client):
    page = admin_client.get("/admin/").get_data(as_text=True)
    for path in ("/admin/newsletters/", "/admin/roadmap/", "/admin/actions/"):
        assert f'href="{path}"' in page


def test_composer_proposes_then_saves_ordered_sections(
    admin_client, make_roadmap_update, make_action_report
):
    update = make_roadmap_update(title="Étude des CIS", body_md="Chapitre 1 écrit.")
    report = make_action_report(title="Rassemblement à Lyon", territory_code="69")
    dropped = make_action_report(title="À ne pas garder", territory_code="75")

    page = admin_client.get("/admin/newsletters/new").get_data(as_text=True)
    assert "Étude des CIS" in page and "Rassemblement à Lyon" in page
    assert "À ne pas garder" in page

    sections = [
        {
            "kind": "roadmap_update",
            "source_id": update.id,
            "include": True,
            "position": 30,
            "title": "Étude des CIS",
            "body_md": "Chapitre 1 écrit.",
            "group_label": "Expertise",
        },
        {
            "kind": "action_report",
            "source_id": report.id,
            "include": True,
            "position": 10,
            "title": "Rassemblement à Lyon",
            "body_md": "Beaucoup de monde.",
            "group_label": "ARA",
        },
        {
            "kind": "action_report",
            "source_id": dropped.id,
            "include": False,
            "position": 20,
            "title": "À ne pas garder",
            "body_md": "x",
            "group_label": "IDF",
        },
        {"kind": "text", "include": True, "position": 20, "title": "Agenda", "body_md": "Jeudi"},
        {"kind": "text", "include": True, "position": 40, "title": "", "body_md": ""},
    ]
    response = admin_client.post("/admin/newsletters/new", data=composer_post(sections))
    assert response.status_code == 302, response.get_data(as_text=True)

    newsletter = db.session.query(Newsletter).one()
    assert newsletter.number == 1 and newsletter.status == "draft"
    assert [(s.position, s.kind, s.title) for s in newsletter.sections] == [
        (1, "action_report", "Rassemblement à Lyon"),
        (2, "text", "Agenda"),
        (3, "roadmap_update", "Étude des CIS"),
    ]
    assert newsletter.sections[0].action_report_id == report.id
    assert newsletter.sections[2].roadmap_update_id == update.id


def test_composer_refuses_header_injection_and_keeps_nothing(admin_client):
    response = admin_client.post(
        "/admin/newsletters/new",
        data=composer_post([], subject="Lettre", preheader="a\r\nBcc: x@exemple.org"),
    )
    assert response.status_code == 200
    assert "caractères de contrôle ne sont pas autorisés" in response.get_data(as_text=True)
    assert db.session.query(Newsletter).count() == 0


def test_preview_shows_email_text_and_web_copy(admin_client, make_newsletter):
    newsletter = make_newsletter(
        intro_md="Voir [la note](https://cac.example.org/note).",
        sections=[SectionData(kind="text", title="Agenda", body_md="Jeudi")],
    )
    page = admin_client.get(f"/admin/newsletters/{newsletter.id}/").get_data(as_text=True)
    assert f"/admin/newsletters/{newsletter.id}/preview/email" in page
    assert 'width="375"' in page and 'width="680"' in page
    assert "la note [1]" in page  # the text part
    assert "Alice Admin" in page  # greeting with the pilot's name

    email = admin_client.get(f"/admin/newsletters/{newsletter.id}/preview/email")
    assert "default-src 'none'" in email.headers["Content-Security-Policy"]
    html = email.get_data(as_text=True)
    assert 'style="' in html and "Alice Admin" in html
    assert not any(token in html for token in TOKENS)
    web = admin_client.get(f"/admin/newsletters/{newsletter.id}/preview/web").get_data(as_text=True)
    assert "Agenda" in web and not any(token in web for token in TOKENS)


def test_admin_test_send_reaches_the_smtp_server(admin_client, smtp_server, make_newsletter):
    newsletter = make_newsletter(subject="Essai")
    response = admin_client.post(
        f"/admin/newsletters/{newsletter.id}/", data={"recipients": "admin@example.org"}
    )
    assert response.status_code == 302
    (mail,) = smtp_server.messages
    assert mail.rcpt_tos == ["admin@example.org"]
    assert mail.message["Subject"] == "[TEST] Essai"

    refused = admin_client.post(
        f"/admin/newsletters/{newsletter.id}/", data={"recipients": "quelquun@exemple.org"}
    )
    assert refused.status_code == 200
    assert "quelquun@exemple.org" in refused.get_data(as_text=True)
    assert len(smtp_server.messages) == 1


def test_edit_a_draft(admin_client, make_newsletter):
    newsletter = make_newsletter(sections=[SectionData(kind="text", title="A", body_md="a")])
    page = admin_client.get(f"/admin/newsletters/{newsletter.id}/edit").get_data(as_text=True)
    assert 'value="A"' in page
    response = admin_client.post(
        f"/admin/newsletters/{newsletter.id}/edit",
        data=composer_post(
            [{"kind": "text", "include": True, "position": 1, "title": "B", "body_md": "b"}],
            subject="Nouveau sujet",
        ),
    )
    assert response.status_code == 302
    db.session.refresh(newsletter)
    assert newsletter.subject == "Nouveau sujet"
    assert [s.title for s in newsletter.sections] == ["B"]


def test_roadmap_item_update_and_progress(admin_client):
    response = admin_client.post(
        "/admin/roadmap/new",
        data={
            "objective": "platform",
            "title": "Ouvrir le site",
            "status": "in_progress",
            "period_label": "1re quinzaine d'octobre",
            "position": "1",
        },
    )
    assert response.status_code == 302
    item = db.session.query(RoadmapItem).one()
    response = admin_client.post(
        f"/admin/roadmap/{item.id}/",
        data={"date": "2026-10-12", "body_md": "Mis en ligne.", "new_status": "done"},
    )
    assert response.status_code == 302
    db.session.refresh(item)
    assert item.status == "done"
    assert item.updates[0].body_md == "Mis en ligne."
    listing = admin_client.get("/admin/roadmap/").get_data(as_text=True)
    assert "1re quinzaine d&#39;octobre" in listing
    assert 'value="100"' in listing  # the platform objective is complete


def test_roadmap_item_refuses_a_period_ending_before_it_starts(admin_client):
    response = admin_client.post(
        "/admin/roadmap/new",
        data={
            "objective": "expertise",
            "title": "Étude",
            "status": "planned",
            "period_start": "2026-10-15",
            "period_end": "2026-10-01",
        },
    )
    assert response.status_code == 200
    assert "La fin de la période précède son début" in response.get_data(as_text=True)
    assert db.session.query(RoadmapItem).count() == 0


def test_action_report_create_and_publish(admin_client):
    response = admin_client.post(
        "/admin/actions/new",
        data={
            "title": "Délibération à Grenoble",
            "date": "2026-10-03",
            "territory_code": "38",
            "kind": "deliberation",
            "body_md": "Voté.",
            "link": "https://exemple.org/d",
        },
    )
    assert response.status_code == 302
    report = db.session.query(ActionReport).one()
    assert not report.published
    admin_client.post(f"/admin/actions/{report.id}/publish")
    db.session.refresh(report)
    assert report.published and report.published_at is not None
    admin_client.post(f"/admin/actions/{report.id}/publish", data={"unpublish": "1"})
    db.session.refresh(report)
    assert not report.published


def test_action_report_refuses_a_javascript_link(admin_client):
    response = admin_client.post(
        "/admin/actions/new",
        data={
            "title": "X",
            "date": "2026-10-03",
            "territory_code": "38",
            "kind": "other",
            "link": "javascript:alert(1)",
        },
    )
    assert response.status_code == 200
    assert db.session.query(ActionReport).count() == 0


def test_admin_previews_neutralise_xss(admin_client, make_roadmap_update):
    payload = "\n\n".join(XSS_PAYLOADS)
    update = make_roadmap_update(body_md=payload)
    update.item.description_md = payload
    db.session.commit()
    page = admin_client.get(f"/admin/roadmap/{update.item_id}/").get_data(as_text=True)
    # The page's own form comes after the rendered Markdown; check everything before it.
    content = page.split('<main id="main"', 1)[1].split('<section aria-labelledby="add-update">')[0]
    assert "&lt;script&gt;" in content  # the payloads are there, escaped
    assert_harmless(content)


def test_public_copy_only_for_sent_newsletters(client, make_newsletter):
    newsletter = make_newsletter(subject="Lettre publique")
    assert client.get(f"/archives/{newsletter.number}/").status_code == 404
    newsletter.status = "sent"
    newsletter.sent_at = datetime(2026, 10, 10)
    db.session.commit()
    # The archive serves the copy frozen when the send starts, never a fresh rendering.
    assert client.get(f"/archives/{newsletter.number}/").status_code == 404
    freeze_copy(newsletter)
    db.session.commit()
    response = client.get(f"/archives/{newsletter.number}/")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "Lettre publique" in body
    assert not any(token in body for token in TOKENS)
    assert client.get("/archives/999/").status_code == 404


def test_list_and_since_date_in_the_composer(admin_client, make_newsletter, make_roadmap_update):
    make_newsletter(subject="Première lettre")
    listing = admin_client.get("/admin/newsletters/").get_data(as_text=True)
    assert "Première lettre" in listing and "Brouillon" in listing
    make_roadmap_update(title="Ancienne note", created_at=datetime(2026, 9, 1))
    make_roadmap_update(title="Note récente", created_at=datetime(2026, 10, 5))
    page = admin_client.get("/admin/newsletters/new?since=2026-10-01").get_data(as_text=True)
    assert "Note récente" in page and "Ancienne note" not in page
