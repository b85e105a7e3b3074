"""Attached files: type told by content, size limit, storage, download headers."""

import io
from pathlib import Path

import pytest

from cac_news.errors import ValidationError
from cac_news.extensions import db
from cac_news.models import Resource
from cac_news.resources import files
from tests.resource_helpers import ELF, PE, docx_bytes, make_resource, odt_bytes, sample_pdf


@pytest.fixture
def config_overrides():
    return {"RESOURCE_MAX_BYTES": 4096}


def test_real_pdf_is_accepted_and_stored_under_media(app):
    pdf = sample_pdf()
    resource = make_resource(file=(pdf, "Note d'étape.pdf"))
    assert resource.file_mime == "application/pdf"
    assert resource.file_name == "Note-d-etape.pdf"
    assert resource.file_size == len(pdf)
    stored = Path(app.instance_path) / "media" / "resources" / resource.file_stored
    assert stored.read_bytes() == pdf


@pytest.mark.parametrize(
    ("content", "mime", "extension"),
    [
        (odt_bytes, "application/vnd.oasis.opendocument.text", "odt"),
        (docx_bytes, files.DOCX_MIME, "docx"),
    ],
)
def test_odt_and_docx_are_told_by_their_zip_content(app, content, mime, extension):
    # Named .pdf on purpose: the name says nothing, the content does.
    resource = make_resource(file=(content(), "rapport.pdf"))
    assert resource.file_mime == mime
    assert resource.file_name == f"rapport.{extension}"


@pytest.mark.parametrize("executable", [ELF, PE], ids=["elf", "pe"])
def test_executable_renamed_pdf_is_refused_in_french_naming_the_field(app, executable):
    with (
        app.test_request_context(headers={"Accept-Language": "fr"}),
        pytest.raises(ValidationError) as caught,
    ):
        make_resource(file=(executable, "note.pdf"))
    message = caught.value.errors["file"][0]
    assert message.startswith("Fichier joint")
    assert "note.pdf" in message and "PDF, ODT ou DOCX" in message
    assert db.session.query(Resource).count() == 0
    leftovers = list((Path(app.instance_path) / "media" / "resources").iterdir())
    assert leftovers == []


def test_zip_that_is_no_office_document_is_refused(app):
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/zip")
    with pytest.raises(ValidationError):
        make_resource(file=(buffer.getvalue(), "a.odt"))


def test_file_over_the_limit_is_refused(app):
    too_big = sample_pdf() + b"%" * 5000
    with (
        app.test_request_context(headers={"Accept-Language": "fr"}),
        pytest.raises(ValidationError) as caught,
    ):
        make_resource(file=(too_big, "gros.pdf"))
    assert "4096" in caught.value.errors["file"][0]
    assert "Fichier joint" in caught.value.errors["file"][0]


def test_admin_upload_of_an_executable_shows_the_message(admin_client, app):
    response = admin_client.post(
        "/admin/resources/new",
        data={
            "title": "Un programme",
            "kind_id": "1",
            "date": "2026-11-03",
            "objective": "",
            "file": (io.BytesIO(ELF), "programme.pdf"),
        },
        headers={"Accept-Language": "fr"},
        content_type="multipart/form-data",
    )
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "Fichier joint : le contenu de « programme.pdf »" in body
    assert db.session.query(Resource).count() == 0


def test_admin_upload_of_a_pdf_then_download_headers(admin_client, client, app):
    pdf = sample_pdf()
    response = admin_client.post(
        "/admin/resources/new",
        data={
            "title": "Note sur les CIS",
            "kind_id": "1",
            "date": "2026-11-03",
            "objective": "expertise",
            "tags": "CIS,  Financement , cis",
            "file": (io.BytesIO(pdf), "note.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    resource = db.session.query(Resource).one()
    assert resource.tags == "cis,financement" and resource.status == "draft"
    assert client.get(f"/ressources/{resource.slug}/fichier").status_code == 404  # a draft
    admin_copy = admin_client.get(f"/admin/resources/{resource.id}/file")
    assert admin_copy.status_code == 200 and admin_copy.data == pdf
    admin_client.post(f"/admin/resources/{resource.id}/publish")
    download = client.get(f"/ressources/{resource.slug}/fichier")
    assert download.status_code == 200
    assert download.data == pdf
    assert download.headers["Content-Type"] == "application/pdf"
    assert download.headers["Content-Disposition"] == "attachment; filename=note.pdf"
    assert download.headers["X-Content-Type-Options"] == "nosniff"


def test_replacing_and_deleting_remove_the_old_files(admin_client, app):
    resource = make_resource(file=(sample_pdf(), "a.pdf"))
    folder = Path(app.instance_path) / "media" / "resources"
    first = resource.file_stored
    response = admin_client.post(
        f"/admin/resources/{resource.id}/edit",
        data={
            "title": resource.title,
            "kind_id": str(resource.kind_id),
            "date": "2026-11-03",
            "objective": "",
            "file": (io.BytesIO(odt_bytes()), "b.odt"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    db.session.refresh(resource)
    assert resource.file_name == "b.odt"
    assert not (folder / first).exists() and (folder / resource.file_stored).exists()
    second, resource_id = resource.file_stored, resource.id
    assert admin_client.get(f"/admin/resources/{resource_id}/delete").status_code == 200
    assert db.session.query(Resource).count() == 1  # GET only asks
    assert admin_client.post(f"/admin/resources/{resource_id}/delete").status_code == 302
    assert db.session.query(Resource).count() == 0
    assert not (folder / second).exists()


def test_request_limit_follows_the_resource_limit(app):
    from cac_news.web.security import FORM_MARGIN

    app.config["RESOURCE_MAX_BYTES"] = 30 * 1024 * 1024
    with app.test_request_context("/admin/resources/new", method="POST"):
        app.preprocess_request()
        from flask import request

        assert request.max_content_length == 30 * 1024 * 1024 + FORM_MARGIN
