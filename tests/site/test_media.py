"""Media library: uploads re-encoded without metadata, refused when not images, served
with long cache headers, sized in the mails, never deleted from under a sent letter."""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image

from cac_news.compose.newsletters import SectionData
from cac_news.compose.render import personalise, render_newsletter, sample_values
from cac_news.extensions import db
from cac_news.media.library import images_dir
from cac_news.models import MediaFile
from tests.archive_helpers import sent_copy

GPS_IFD = 0x8825


def jpeg_with_gps(width: int = 800, height: int = 600) -> bytes:
    """A phone-like photo: EXIF maker, model and a GPS position (Paris, 11e)."""
    image = Image.new("RGB", (width, height), (180, 40, 40))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif[0x0110] = "PhoneModel"
    gps = exif.get_ifd(GPS_IFD)
    gps[1] = "N"
    gps[2] = (48.0, 51.0, 48.0)
    gps[3] = "E"
    gps[4] = (2.0, 22.0, 50.0)
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif, comment=b"taken at home")
    data = out.getvalue()
    # The fixture really carries what must disappear.
    assert Image.open(io.BytesIO(data)).getexif().get_ifd(GPS_IFD)[1] == "N"
    return data


def png(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (10, 90, 160)).save(out, format="PNG")
    return out.getvalue()


def upload(client, data: bytes, name: str = "photo.jpg", alt: str | None = "Une réunion", **kw):
    form = {"file": (io.BytesIO(data), name)}
    if alt is not None:
        form["alt"] = alt
    return client.post(
        "/admin/media", data=form, content_type="multipart/form-data", headers=kw.get("headers")
    )


def stored_image(response) -> Image.Image:
    name = response.get_json()["url"].rsplit("/", 1)[1]
    return Image.open(images_dir() / name)


def test_upload_strips_exif_and_gps(editor_client):
    response = upload(editor_client, jpeg_with_gps())
    assert response.status_code == 201
    body = response.get_json()
    assert set(body) == {"url", "width", "height", "alt", "id"}
    assert body["url"].startswith("http://localhost/media/")
    assert (body["width"], body["height"], body["alt"]) == (800, 600, "Une réunion")
    image = stored_image(response)
    assert image.format == "JPEG"
    exif = image.getexif()
    assert len(exif) == 0 and not exif.get_ifd(GPS_IFD)
    assert "exif" not in image.info and "icc_profile" not in image.info
    assert "comment" not in image.info
    raw = (images_dir() / body["url"].rsplit("/", 1)[1]).read_bytes()
    assert b"PhoneMaker" not in raw and b"Exif" not in raw and b"taken at home" not in raw
    media = db.session.get(MediaFile, body["id"])
    assert media.original_name == "photo.jpg" and media.bytes == len(raw)
    assert re.fullmatch(r"[0-9a-f]{32}\.jpg", media.stored_name)


def test_orientation_is_applied_before_the_metadata_goes(editor_client):
    image = Image.new("RGB", (400, 200), (0, 0, 0))
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° clockwise to display
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    response = upload(editor_client, out.getvalue())
    assert response.status_code == 201
    assert (response.get_json()["width"], response.get_json()["height"]) == (200, 400)
    assert stored_image(response).size == (200, 400)


def test_a_3000_px_image_is_scaled_to_1200(editor_client):
    response = upload(editor_client, png(3000, 1500), name="carte.png", alt="Carte")
    assert response.status_code == 201
    assert (response.get_json()["width"], response.get_json()["height"]) == (1200, 600)
    assert stored_image(response).size == (1200, 600)


def test_first_frame_of_an_animated_gif_becomes_a_png(editor_client):
    frames = [Image.new("P", (50, 40), colour) for colour in (1, 2, 3)]
    out = io.BytesIO()
    frames[0].save(out, format="GIF", save_all=True, append_images=frames[1:])
    response = upload(editor_client, out.getvalue(), name="anim.gif", alt="Animation")
    assert response.status_code == 201
    image = stored_image(response)
    assert image.format == "PNG" and image.size == (50, 40)
    assert getattr(image, "n_frames", 1) == 1


@pytest.mark.parametrize(
    ("data", "name", "expected"),
    [
        (
            b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg">'
            b"<script>alert(1)</script></svg>",
            "logo.svg",
            "SVG",
        ),
        (b'<svg xmlns="http://www.w3.org/2000/svg"><circle r="4"/></svg>', "innocent.png", "SVG"),
        (b"<?php system($_GET['c']); ?>", "photo.jpg", "pas une image"),
        (b"\xff\xd8\xff\xe0 truncated jpeg header", "broken.jpg", "pas une image"),
    ],
)
def test_what_does_not_decode_is_refused(editor_client, data, name, expected):
    response = upload(editor_client, data, name=name)
    assert response.status_code == 400
    body = response.get_json()
    assert body["field"] == "file" and expected in body["error"]
    assert db.session.query(MediaFile).count() == 0
    folder = images_dir()
    assert not folder.exists() or list(folder.iterdir()) == []


def test_refusals_are_in_french_for_french_pilots(editor_client):
    response = upload(
        editor_client, b"<?php echo 1; ?>", headers={"Accept-Language": "fr-FR,fr;q=0.9"}
    )
    assert response.status_code == 400
    assert "n’est pas une image" in response.get_json()["error"]


def test_alt_is_required(editor_client):
    for alt in (None, "   "):
        response = upload(editor_client, png(20, 20), name="x.png", alt=alt)
        assert response.status_code == 400
        body = response.get_json()
        assert body["field"] == "alt" and "alt" in body["error"]
    assert db.session.query(MediaFile).count() == 0


def test_size_limit_is_configurable(app, editor_client):
    app.config["MEDIA_MAX_BYTES"] = 50_000
    noisy = Image.frombytes("RGB", (300, 300), bytes(range(256)) * 1055)
    out = io.BytesIO()
    noisy.save(out, format="PNG", compress_level=0)
    assert len(out.getvalue()) > 50_000
    response = upload(editor_client, out.getvalue(), name="big.png")
    assert response.status_code == 413
    assert response.get_json()["field"] == "file"
    assert "Mo au plus" in response.get_json()["error"]


def test_a_body_over_the_limit_is_cut_short_with_the_same_answer(app, editor_client):
    app.config["MEDIA_MAX_BYTES"] = 1000  # the request limit is this plus the form's margin
    noisy = Image.frombytes("RGB", (400, 400), bytes(range(256)) * 1875)
    out = io.BytesIO()
    noisy.save(out, format="PNG", compress_level=0)
    assert len(out.getvalue()) > 1000 + 256 * 1024
    response = upload(editor_client, out.getvalue(), name="big.png")
    assert response.status_code == 413
    assert response.get_json()["field"] == "file"
    html = editor_client.post(
        "/admin/media",
        data={"file": (io.BytesIO(out.getvalue()), "big.png"), "alt": "x"},
        content_type="multipart/form-data",
        headers={"Accept": "text/html"},
    )
    assert html.status_code == 413 and "Mo au plus" in html.get_data(as_text=True)
    assert db.session.query(MediaFile).count() == 0


def test_anonymous_visitors_cannot_upload(client):
    response = upload(client, png(10, 10), name="x.png")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert db.session.query(MediaFile).count() == 0


def test_csrf_token_is_checked_from_the_header(app, editor_client):
    app.config["WTF_CSRF_ENABLED"] = True
    refused = upload(editor_client, png(10, 10), name="x.png")
    assert refused.status_code == 400 and refused.get_json()["field"] == "csrf_token"
    page = editor_client.get("/admin/media/").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    accepted = upload(editor_client, png(10, 10), name="x.png", headers={"X-CSRFToken": token})
    assert accepted.status_code == 201


def test_served_with_type_nosniff_and_a_year_of_cache(editor_client, client):
    url = upload(editor_client, png(30, 20), name="x.png", alt="Bleu").get_json()["url"]
    path = url.removeprefix("http://localhost")
    for who in (editor_client, client):  # a pilot's session does not make it private
        response = who.get(path)
        assert response.status_code == 200
        assert response.headers["Content-Type"] == "image/png"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        cache = response.headers["Cache-Control"]
        assert "public" in cache and "max-age=31536000" in cache and "immutable" in cache
        assert "no-store" not in cache and "private" not in cache
    assert client.get("/media/../../instance/config.py").status_code == 404
    assert client.get("/media/" + "0" * 32 + ".png").status_code == 404


def test_the_form_without_javascript_uploads_and_lists(editor_client):
    response = editor_client.post(
        "/admin/media",
        data={"file": (io.BytesIO(png(40, 30)), "plan.png"), "alt": "Plan du quartier"},
        content_type="multipart/form-data",
        headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"},
    )
    assert response.status_code == 303
    page = editor_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Plan du quartier" in page and 'width="40" height="30"' in page
    refused = editor_client.post(
        "/admin/media",
        data={"file": (io.BytesIO(png(40, 30)), "plan.png"), "alt": ""},
        content_type="multipart/form-data",
        headers={"Accept": "text/html"},
    )
    assert refused.status_code == 400
    assert 'class="field-error"' in refused.get_data(as_text=True)


def test_mail_images_carry_size_and_alt_within_the_column(editor_client, make_newsletter):
    body = upload(editor_client, png(1600, 800), name="large.png", alt="Grande photo").get_json()
    small = upload(editor_client, png(300, 100), name="small.png", alt="Petite").get_json()
    newsletter = make_newsletter(
        sections=[
            SectionData(kind="text", title="Photos", body_md=f"![]({body['url']})"),
            SectionData(kind="text", title="Autre", body_md=f"![Mon texte]({small['url']})"),
            SectionData(
                kind="text",
                title="Relatif",
                body_md=f"![]({small['url'][16:]}) ![](https://ailleurs.example/a.png)",
            ),
        ]
    )
    html, _text = personalise(render_newsletter(newsletter), sample_values())
    tags = re.findall(r"<img\b[^>]*>", html)
    big = next(t for t in tags if body["url"] in t)
    little = next(t for t in tags if small["url"] in t)
    assert 'width="536"' in big and 'height="268"' in big and 'alt="Grande photo"' in big
    assert 'width="300"' in little and 'height="100"' in little and 'alt="Mon texte"' in little
    assert "max-width:100%" in big.replace(" ", "")  # the CSS guard for other clients
    relative = [t for t in tags if small["url"] in t]
    assert len(relative) == 2  # a path typed without the site's address becomes absolute
    remote = next(t for t in tags if "ailleurs.example" in t)
    assert "width=" not in remote  # unknown size: left to the CSS max-width


def test_used_in_a_sent_letter_cannot_be_deleted(editor_client, make_newsletter):
    body = upload(editor_client, png(50, 50), name="x.png", alt="Logo du collectif").get_json()
    sent_copy(make_newsletter, subject="Avec image", body=f"![Logo]({body['url']})")
    confirm = editor_client.get(f"/admin/media/{body['id']}/delete").get_data(as_text=True)
    assert "Avec image" in confirm and "ne peut pas être supprimée" in confirm
    refused = editor_client.post(f"/admin/media/{body['id']}/delete")
    assert refused.status_code == 409
    assert db.session.get(MediaFile, body["id"]) is not None
    assert editor_client.get(body["url"].removeprefix("http://localhost")).status_code == 200


def test_unused_or_draft_image_is_deleted_after_confirmation(editor_client, make_newsletter):
    body = upload(editor_client, png(50, 50), name="x.png", alt="Brouillon").get_json()
    make_newsletter(
        subject="Brouillon", sections=[SectionData(kind="text", body_md=f"![x]({body['url']})")]
    )
    page = editor_client.get(f"/admin/media/{body['id']}/delete").get_data(as_text=True)
    assert "Brouillon" in page and "image manquante" in page
    response = editor_client.post(f"/admin/media/{body['id']}/delete")
    assert response.status_code == 302
    assert db.session.get(MediaFile, body["id"]) is None
    assert editor_client.get(body["url"].removeprefix("http://localhost")).status_code == 404
