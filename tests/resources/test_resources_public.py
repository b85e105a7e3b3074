"""Public library: list with filters and pagination, pages, Atom feed; drafts stay hidden."""

from xml.etree import ElementTree as ET

from cac_news.compose.collect import propose_sections
from cac_news.extensions import db
from cac_news.resources.public import RESOURCES_PER_PAGE
from tests.resource_helpers import make_resource, sample_pdf

ATOM = "{http://www.w3.org/2005/Atom}"


def test_list_shows_published_and_hides_drafts(client):
    make_resource("Note publiée sur les CIS")
    draft = make_resource("Brouillon secret", published=False)
    body = client.get("/ressources/").get_data(as_text=True)
    assert "Note publiée sur les CIS" in body
    assert "Brouillon secret" not in body
    assert client.get(f"/ressources/{draft.slug}").status_code == 404


def test_filters_by_kind_tag_and_objective(client):
    make_resource("Tribune A", kind="tribune", tags="mobilisation", objective="local_actions")
    make_resource("Fiche B", kind="fiche", tags="cis, fiche pratique", objective="expertise")
    by_kind = client.get("/ressources/?kind=tribune").get_data(as_text=True)
    assert "Tribune A" in by_kind and "Fiche B" not in by_kind
    by_tag = client.get("/ressources/?tag=fiche+pratique").get_data(as_text=True)
    assert "Fiche B" in by_tag and "Tribune A" not in by_tag
    # A tag matches whole: "cis" is not a part of "fiche pratique" nor the reverse.
    assert "Fiche B" not in client.get("/ressources/?tag=fiche").get_data(as_text=True)
    by_objective = client.get("/ressources/?objective=local_actions").get_data(as_text=True)
    assert "Tribune A" in by_objective and "Fiche B" not in by_objective
    assert client.get("/ressources/?kind=nope").status_code == 404
    assert client.get("/ressources/?objective=nope").status_code == 404


def test_like_wildcards_in_a_tag_match_nothing(client):
    make_resource("Note", tags="cis")
    for wildcard in ("%", "_", "c%", "ci_"):
        body = client.get("/ressources/", query_string={"tag": wildcard}).get_data(as_text=True)
        assert "Aucune ressource publiée ne correspond." in body, wildcard
    assert "Aucune" not in client.get("/ressources/?tag=cis").get_data(as_text=True)


def test_pagination(client):
    for n in range(RESOURCES_PER_PAGE + 1):
        make_resource(f"Ressource {n:02d}")
    first = client.get("/ressources/").get_data(as_text=True)
    assert 'rel="next"' in first
    second = client.get("/ressources/?page=2")
    assert second.status_code == 200 and 'rel="prev"' in second.get_data(as_text=True)
    assert client.get("/ressources/?page=3").status_code == 404


def test_resource_page(client):
    resource = make_resource(
        "Note sur les CIS", body_md="Texte **gras**", file=(sample_pdf(), "n.pdf")
    )
    body = client.get(f"/ressources/{resource.slug}").get_data(as_text=True)
    assert "<strong>gras</strong>" in body
    assert f"/ressources/{resource.slug}/fichier" in body
    assert "Note d&#39;analyse" in body or "Note d'analyse" in body


def test_atom_feed_parses_and_leaves_drafts_out(client):
    make_resource("Note publiée", summary="Le résumé")
    make_resource("Brouillon", published=False)
    response = client.get("/ressources.atom")
    assert response.headers["Content-Type"].startswith("application/atom+xml")
    feed = ET.fromstring(response.data)
    entries = feed.findall(f"{ATOM}entry")
    assert [e.findtext(f"{ATOM}title") for e in entries] == ["Note publiée"]
    entry = entries[0]
    assert entry.findtext(f"{ATOM}summary") == "Le résumé"
    link = entry.find(f"{ATOM}link").get("href")
    assert link.startswith("http://localhost/ressources/")
    assert client.get(link.removeprefix("http://localhost")).status_code == 200
    assert feed.find(f"{ATOM}link[@rel='self']").get("href") == "http://localhost/ressources.atom"


def test_composer_proposes_newly_published_resources(app):
    make_resource("Nouvelle note", summary="À lire.")
    make_resource("Pas encore", published=False)
    with app.test_request_context(headers={"Accept-Language": "fr"}):
        sections = [s for s in propose_sections() if s.title in ("Nouvelle note", "Pas encore")]
    assert [s.title for s in sections] == ["Nouvelle note"]
    assert "À lire." in sections[0].body_md
    assert "/ressources/nouvelle-note" in sections[0].body_md
    assert sections[0].kind == "text" and sections[0].group_label == "Nouvelles ressources"


def test_admin_pages_and_kinds(admin_client):
    resource = make_resource("Note", published=False)
    assert admin_client.get("/admin/resources/").status_code == 200
    assert admin_client.get("/admin/resources/new").status_code == 200
    assert admin_client.get(f"/admin/resources/{resource.id}/edit").status_code == 200
    assert admin_client.post(f"/admin/resources/{resource.id}/publish").status_code == 302
    db.session.refresh(resource)
    assert resource.published
    admin_client.post(f"/admin/resources/{resource.id}/publish", data={"unpublish": "1"})
    db.session.refresh(resource)
    assert not resource.published and resource.published_at is None
    response = admin_client.post("/admin/resources/kinds/", data={"name": "Podcast"})
    assert response.status_code == 302
    kinds = admin_client.get("/admin/resources/kinds/").get_data(as_text=True)
    assert "Podcast" in kinds and "podcast" in kinds
    # A kind in use is kept.
    admin_client.post(f"/admin/resources/kinds/{resource.kind_id}/delete")
    assert "Note d" in admin_client.get("/admin/resources/kinds/").get_data(as_text=True)


def test_missing_fields_are_named(admin_client):
    response = admin_client.post("/admin/resources/new", data={"kind_id": "0", "objective": ""})
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "A title is required." in body or "titre" in body
    assert 'id="kind_id-error"' in body and 'id="date-error"' in body


def test_demo_seeds_published_resources_one_with_a_pdf(runner, client):
    from cac_news.models import Resource

    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    resources = db.session.query(Resource).all()
    assert len(resources) == 3 and all(r.published for r in resources)
    with_file = [r for r in resources if r.file_stored]
    assert [r.file_mime for r in with_file] == ["application/pdf"]
    download = client.get(f"/ressources/{with_file[0].slug}/fichier")
    assert download.status_code == 200 and download.data.startswith(b"%PDF-1.4")
    assert download.data.rstrip().endswith(b"%%EOF")
