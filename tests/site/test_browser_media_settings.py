"""The media library and the settings screen in chromium: axe-core clean, 375 px wide,
and the upload form working without any script of ours."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from cac_news.extensions import db
from cac_news.media.library import save_upload
from cac_news.models import MediaFile
from tests.fixtures.people import PASSWORD
from tests.site.test_public_accessibility import _violations

pytestmark = pytest.mark.browser


def _png(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (20, 110, 90)).save(out, format="PNG")
    return out.getvalue()


def _log_in(page, admin) -> None:
    page.goto("/login")
    page.fill("input[name=email]", admin.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url("**/admin/")


def test_media_and_settings_pages_pass_axe_and_fit_375px(page, admin, tmp_path):
    media = save_upload(_png(1600, 900), "bandeau.png", "Bandeau du collectif", admin)
    _log_in(page, admin)
    found = {}
    paths = ["/admin/media/", f"/admin/media/{media.id}/delete", "/admin/settings"]
    for path in paths:
        response = page.goto(path)
        assert response is not None and response.status == 200, path
        violations = _violations(page)
        if violations:
            found[path] = violations
    # The settings page with errors shown (a refused accent colour).
    page.goto("/admin/settings")
    page.eval_on_selector("input[name=accent_color]", "el => { el.value = '#ffee00'; }")
    page.click("main button[type=submit]")
    page.wait_for_selector("#accent_color-error")
    violations = _violations(page)
    if violations:
        found["/admin/settings (errors)"] = violations
    assert found == {}

    # These pages' own content fits a 375 px phone (the shared top navigation is
    # another matter, measured by the layout's own tests).
    page.set_viewport_size({"width": 375, "height": 800})
    for path in paths:
        page.goto(path)
        widest = page.evaluate(
            "Math.max(...[...document.querySelectorAll('main, main *')]"
            ".map(e => e.getBoundingClientRect().right))"
        )
        assert 300 < widest <= 375, (path, widest)


def test_upload_form_works_in_the_browser(page, admin, tmp_path):
    _log_in(page, admin)
    image = tmp_path / "affiche.png"
    image.write_bytes(_png(640, 480))
    page.goto("/admin/media/")
    page.set_input_files("input[name=file]", str(image))
    page.fill("input[name=alt]", "Affiche de la réunion")
    page.click("main form[enctype] button[type=submit]")
    page.wait_for_url("**/admin/media/")
    card = page.locator("img[alt='Affiche de la réunion']")
    assert card.count() == 1
    assert (
        page.evaluate(
            "() => { const img = document.querySelector(\"img[alt='Affiche de la réunion']\");"
            " return img.complete && img.naturalWidth; }"
        )
        == 640
    )
    db.session.expire_all()
    assert db.session.query(MediaFile).count() == 1
