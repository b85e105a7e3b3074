"""The one-screen composer over HTTP, without any script: adding sections, moving them,
the version that refuses a save from a stale copy, the live preview, personalisation
fields refused when unknown."""

from __future__ import annotations

import re

from cac_news.compose.newsletters import SectionData
from cac_news.extensions import db
from cac_news.models import Newsletter

THREE = [SectionData(kind="text", title=t, body_md=f"Texte {t}") for t in ("Un", "Deux", "Trois")]


def composer_form(page: str) -> dict:
    """The composer's form fields as a browser without JS would submit them."""
    start = page.index('id="composer-form"')
    form = page[start : page.index("</form>", start)]
    data = {}
    for tag in re.findall(r"<input[^>]*>", form):
        name = re.search(r'name="([^"]+)"', tag)
        if not name or name.group(1) == "move":
            continue
        kind = re.search(r'type="([^"]+)"', tag)
        if kind and kind.group(1) == "checkbox" and "checked" not in tag:
            continue
        value = re.search(r'value="([^"]*)"', tag)
        data[name.group(1)] = value.group(1) if value else ""
    for name, value in re.findall(
        r'<textarea[^>]*name="([^"]+)"[^>]*>\n?(.*?)</textarea>', form, re.S
    ):
        data[name] = value
    selected = re.search(
        r'<select[^>]*name="segment_id".*?<option selected value="([^"]*)"', form, re.S
    )
    data["segment_id"] = selected.group(1) if selected else ""
    return {
        k: v.replace("&#39;", "'").replace("&#34;", '"').replace("&amp;", "&")
        for k, v in data.items()
    }


def titles(newsletter: Newsletter) -> list[str]:
    db.session.refresh(newsletter)
    return [section.title for section in newsletter.sections]


def test_add_a_free_text_section_without_js(admin_client, make_newsletter):
    newsletter = make_newsletter(sections=THREE[:1])
    response = admin_client.post(
        f"/admin/newsletters/{newsletter.id}/sections",
        data={"kind": "text", "title": "Agenda", "body": "Jeudi 12 à Lyon"},
    )
    assert response.status_code == 303
    assert response.headers["Location"].startswith(f"/admin/newsletters/{newsletter.id}/edit")
    assert titles(newsletter) == ["Un", "Agenda"]
    assert newsletter.sections[1].body_md == "Jeudi 12 à Lyon"
    page = admin_client.get(f"/admin/newsletters/{newsletter.id}/edit").get_data(as_text=True)
    assert "Agenda" in page and "Jeudi 12 à Lyon" in page

    divider = admin_client.post(
        f"/admin/newsletters/{newsletter.id}/sections", data={"kind": "divider"}
    )
    assert divider.status_code == 303
    db.session.refresh(newsletter)
    assert newsletter.sections[2].body_md == "---"
    page = admin_client.get(f"/admin/newsletters/{newsletter.id}/edit").get_data(as_text=True)
    assert "Séparateur" in page


def test_add_section_refuses_an_empty_text(admin_client, make_newsletter):
    newsletter = make_newsletter(sections=THREE[:1])
    response = admin_client.post(
        f"/admin/newsletters/{newsletter.id}/sections", data={"kind": "text"}, follow_redirects=True
    )
    assert "une rubrique de texte libre doit avoir un titre ou un texte" in response.get_data(
        as_text=True
    )
    assert titles(newsletter) == ["Un"]


def test_proposals_are_offered_and_added(admin_client, make_newsletter, make_roadmap_update):
    update = make_roadmap_update(title="Étude des CIS", body_md="Chapitre 1 écrit.")
    newsletter = make_newsletter(sections=THREE[:1])
    page = admin_client.get(f"/admin/newsletters/{newsletter.id}/edit").get_data(as_text=True)
    assert "Étude des CIS" in page and "Chapitre 1 écrit." in page
    admin_client.post(
        f"/admin/newsletters/{newsletter.id}/sections",
        data={"kind": "roadmap_update", "source_id": update.id, "title": "Étude des CIS",
              "body": "Chapitre 1 écrit.", "group_label": "Expertise"},
    )  # fmt: skip
    db.session.refresh(newsletter)
    assert newsletter.sections[1].roadmap_update_id == update.id
    page = admin_client.get(f"/admin/newsletters/{newsletter.id}/edit").get_data(as_text=True)
    assert "Ajouter : Étude des CIS" not in page  # already in the letter: not offered again


def test_move_buttons_reorder_without_js_and_keep_typed_text(admin_client, make_newsletter):
    newsletter = make_newsletter(sections=THREE)
    page = admin_client.get(f"/admin/newsletters/{newsletter.id}/edit").get_data(as_text=True)
    assert 'aria-label="Descendre : Un"' in page and 'aria-label="Monter : Trois"' in page
    data = composer_form(page)
    data["sections-0-body_md"] = "Texte changé avant de déplacer"
    response = admin_client.post(
        f"/admin/newsletters/{newsletter.id}/edit", data={**data, "move": "30:up"}
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith("#section-20")
    assert titles(newsletter) == ["Un", "Trois", "Deux"]
    assert newsletter.sections[0].body_md == "Texte changé avant de déplacer"
    # The first card cannot move up; nothing changes.
    page = admin_client.get(f"/admin/newsletters/{newsletter.id}/edit").get_data(as_text=True)
    admin_client.post(
        f"/admin/newsletters/{newsletter.id}/edit", data={**composer_form(page), "move": "10:up"}
    )
    assert titles(newsletter) == ["Un", "Trois", "Deux"]


def test_a_stale_version_is_refused_by_autosave_and_by_the_form(admin_client, make_newsletter):
    newsletter = make_newsletter(sections=THREE[:1])
    page = admin_client.get(f"/admin/newsletters/{newsletter.id}/edit").get_data(as_text=True)
    mine = composer_form(page)
    theirs = {**mine, "subject": "Sujet de l'autre pilote"}
    saved = admin_client.post(
        f"/admin/newsletters/{newsletter.id}/autosave",
        data=theirs,
        headers={"X-CSRFToken": mine.get("csrf_token", "")},
    )
    assert saved.status_code == 200, saved.get_data(as_text=True)
    assert saved.get_json()["version"] == int(mine["version"]) + 1

    stale = admin_client.post(
        f"/admin/newsletters/{newsletter.id}/autosave", data={**mine, "subject": "Le mien"}
    )
    assert stale.status_code == 409
    assert "Un·e autre pilote a modifié ce brouillon" in stale.get_json()["error"]
    form = admin_client.post(
        f"/admin/newsletters/{newsletter.id}/edit", data={**mine, "subject": "Le mien"}
    )
    assert form.status_code == 409
    assert "Un·e autre pilote a modifié ce brouillon" in form.get_data(as_text=True)
    db.session.refresh(newsletter)
    assert newsletter.subject == "Sujet de l'autre pilote"


def test_unknown_personalisation_field_is_refused_naming_it(admin_client, make_newsletter):
    newsletter = make_newsletter(sections=THREE[:1])
    page = admin_client.get(f"/admin/newsletters/{newsletter.id}/edit").get_data(as_text=True)
    data = {
        **composer_form(page),
        "subject": "Bonjour {{ ville }}",
        "sections-0-body_md": "{{ nom }}",
    }
    response = admin_client.post(f"/admin/newsletters/{newsletter.id}/edit", data=data)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Champ de personnalisation inconnu : {{ ville }}" in html
    assert "rubrique 1\xa0: champ de personnalisation inconnu : {{ nom }}" in html.lower()
    autosave = admin_client.post(f"/admin/newsletters/{newsletter.id}/autosave", data=data)
    assert autosave.status_code == 422 and "{{ ville }}" in autosave.get_json()["error"]
    db.session.refresh(newsletter)
    assert newsletter.subject == "Rentrée du groupe"


def test_live_preview_renders_the_unsaved_text_with_a_sample_recipient(
    admin_client, make_newsletter
):
    newsletter = make_newsletter(sections=THREE[:1])
    page = admin_client.get(f"/admin/newsletters/{newsletter.id}/edit").get_data(as_text=True)
    data = {**composer_form(page), "sections-0-body_md": 'Salut {{ prénom | "ami·e" }} !'}
    html = admin_client.post(f"/admin/newsletters/{newsletter.id}/preview/live", data=data)
    assert html.status_code == 200
    assert "default-src 'none'" in html.headers["Content-Security-Policy"]
    assert "Salut Alice Admin !" in html.get_data(as_text=True)
    text = admin_client.post(
        f"/admin/newsletters/{newsletter.id}/preview/live?format=text", data=data
    )
    assert "Salut Alice Admin !" in text.get_data(as_text=True)
    db.session.refresh(newsletter)
    assert newsletter.sections[0].body_md == "Texte Un"  # a preview saves nothing


def test_autosave_takes_the_csrf_token_from_its_header(app, admin_client, make_newsletter):
    newsletter = make_newsletter(sections=THREE[:1])
    app.config["WTF_CSRF_ENABLED"] = True
    page = admin_client.get(f"/admin/newsletters/{newsletter.id}/edit").get_data(as_text=True)
    data = composer_form(page)
    token = data.pop("csrf_token")
    url = f"/admin/newsletters/{newsletter.id}/autosave"
    refused = admin_client.post(url, data={**data, "subject": "Sans jeton"})
    assert refused.status_code == 400
    saved = admin_client.post(
        url, data={**data, "subject": "Avec jeton"}, headers={"X-CSRFToken": token}
    )
    assert saved.status_code == 200
    db.session.refresh(newsletter)
    assert newsletter.subject == "Avec jeton"
