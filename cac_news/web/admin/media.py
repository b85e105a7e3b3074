"""The media library: upload (JSON for the composer, a plain form without JS), list, delete."""

from __future__ import annotations

from flask import abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import RequestEntityTooLarge

from cac_news.errors import ValidationError
from cac_news.extensions import csrf, db
from cac_news.forms.admin import ConfirmForm
from cac_news.forms.media import MediaUploadForm
from cac_news.media.html import display_size
from cac_news.media.library import TooLarge, list_media, max_bytes, media_url, save_upload
from cac_news.media.usage import delete_media, find_usages
from cac_news.models import MediaFile
from cac_news.web.admin import bp
from cac_news.web.admin.helpers import apply_errors, page_number

MULTIPART_MARGIN = 256 * 1024  # the multipart envelope and the alt field around the file
THUMBNAIL = 160


def _wants_html() -> bool:
    """A browser's plain form asks for HTML; the composer's fetch() takes JSON."""
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return best == "text/html"


def _error(errors: dict[str, list[str]], status: int):
    field, messages = next(iter(errors.items()))
    return jsonify({"error": " ".join(messages), "field": field, "errors": errors}), status


def _library_page(form: MediaUploadForm, status: int = 200):
    page = list_media(page_number(request.args.get("page")))
    entries = [
        (media, display_size(media.width, media.height, THUMBNAIL), find_usages(media))
        for media in page.items
    ]
    return (
        render_template("admin/media/list.html", page=page, entries=entries, form=form),
        status,
    )


@bp.get("/media/")
def media_library():
    """Every uploaded image, with where it is used, and the upload form."""
    return _library_page(MediaUploadForm())


@bp.post("/media")
@csrf.exempt  # checked below, once the upload's own size limit is in force
def media_upload():
    """Store an image: 201 JSON {url, width, height, alt, id}, or back to the library."""
    html = _wants_html()
    request.max_content_length = max_bytes(current_app.config) + MULTIPART_MARGIN
    try:
        if current_app.config.get("WTF_CSRF_ENABLED", True):
            csrf.protect()  # X-CSRFToken header or the csrf_token field
        upload = request.files.get("file")
        alt = request.form.get("alt")
    except CSRFError:
        if html:
            raise
        return _error({"csrf_token": [_("The form expired: reload the page and try again.")]}, 400)
    except RequestEntityTooLarge:
        limit = round(max_bytes(current_app.config) / 1024 / 1024)
        message = _("The file is too large: at most %(mb)s MB.", mb=limit)
        if html:
            form = MediaUploadForm(formdata=None)  # the body is not read again
            form.file.errors = [message]
            return _library_page(form, 413)
        return _error({"file": [message]}, 413)
    try:
        media = save_upload(
            upload.read() if upload else b"", upload.filename if upload else "", alt, current_user
        )
    except ValidationError as exc:
        db.session.rollback()
        status = 413 if isinstance(exc, TooLarge) else 400
        if html:
            form = MediaUploadForm(formdata=None)
            form.alt.data = alt
            apply_errors(form, exc)
            return _library_page(form, status)
        return _error(exc.errors, status)
    if html:
        flash(_("Image added to the library."), "success")
        return redirect(url_for("admin.media_library"), 303)
    body = {
        "id": media.id,
        "url": media_url(media),
        "width": media.width,
        "height": media.height,
        "alt": media.alt,
    }
    return jsonify(body), 201


@bp.route("/media/<int:media_id>/delete", methods=["GET", "POST"])
def media_delete(media_id: int):
    """A confirmation page naming where the image is used; the POST deletes it."""
    media = db.session.get(MediaFile, media_id) or abort(404)
    usages = find_usages(media)
    form = ConfirmForm()
    if request.method == "POST" and form.validate_on_submit():
        try:
            delete_media(media)
        except ValidationError as exc:
            db.session.rollback()
            for messages in exc.errors.values():
                for message in messages:
                    flash(message, "error")
        else:
            flash(_("Image deleted."), "success")
            return redirect(url_for("admin.media_library"))
    blocked = [usage for usage in usages if usage.fixed]
    size = display_size(media.width, media.height, THUMBNAIL)
    return render_template(
        "admin/media/delete.html",
        media=media,
        usages=usages,
        blocked=blocked,
        size=size,
        form=form,
    ), (409 if request.method == "POST" else 200)
