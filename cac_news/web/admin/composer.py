"""The one-screen composer of a draft: sections as cards beside a live preview, plain
forms that work without JS (save, move up/down, add a section), and the JSON endpoints
its script uses (autosave with a version check, the live preview)."""

from __future__ import annotations

from flask import abort, flash, jsonify, make_response, redirect, render_template, request, url_for
from flask_babel import format_time
from flask_babel import gettext as _
from flask_login import current_user

from cac_news.compose.collect import propose_sections
from cac_news.compose.newsletters import (
    DIVIDER_MD,
    SectionData,
    StaleDraft,
    add_section,
    update_newsletter,
)
from cac_news.compose.preview import live_preview
from cac_news.compose.render import personalise, render_newsletter, sample_values
from cac_news.errors import ValidationError
from cac_news.extensions import db
from cac_news.forms.compose import AddSectionForm, NewsletterForm
from cac_news.models import Newsletter
from cac_news.timeutil import utcnow
from cac_news.web.admin import bp
from cac_news.web.admin.cards import POSITION_STEP, fill_form, moved, proposals_for, section_cards
from cac_news.web.admin.helpers import apply_errors
from cac_news.web.admin.newsletters import (
    PREVIEW_CSP,
    flash_warnings,
    newsletter_data,
    segment_choices,
)


def _draft_or_redirect(newsletter_id: int):
    newsletter = db.session.get(Newsletter, newsletter_id) or abort(404)
    if not newsletter.is_editable:
        flash(_("Only a draft can be changed."), "error")
        return newsletter, redirect(
            url_for("admin.newsletter_preview", newsletter_id=newsletter_id)
        )
    return newsletter, None


def _composer(newsletter: Newsletter, form: NewsletterForm, status: int = 200, conflict=False):
    page = render_template(
        "admin/newsletters/compose.html",
        form=form,
        newsletter=newsletter,
        cards=section_cards(form),
        proposals=proposals_for(newsletter, propose_sections(None)),
        add_form=AddSectionForm(formdata=None),
        divider_md=DIVIDER_MD,
        conflict=conflict,
        text=personalise(render_newsletter(newsletter), sample_values(current_user.name))[1],
    )
    return page, status


@bp.route("/newsletters/<int:newsletter_id>/edit", methods=["GET", "POST"])
def newsletter_edit(newsletter_id: int):
    """The composer. A POST saves (or moves a section with the move buttons)."""
    newsletter, refused = _draft_or_redirect(newsletter_id)
    if refused:
        return refused
    form = NewsletterForm(obj=None if request.method == "POST" else newsletter)
    segment_choices(form)
    if request.method == "GET":
        fill_form(form, newsletter)
        return _composer(newsletter, form)
    if not form.validate_on_submit():
        return _composer(newsletter, form, 400)
    data = newsletter_data(form)
    move = request.form.get("move", "")
    if move:
        data.sections = moved(data.sections, move)
    try:
        warnings = update_newsletter(newsletter, data)
    except StaleDraft as exc:
        db.session.rollback()
        form.form_errors.extend(exc.errors["version"])
        return _composer(newsletter, form, 409, conflict=True)
    except ValidationError as exc:
        db.session.rollback()
        apply_errors(form, exc)
        return _composer(newsletter, form, 400)
    if not move:
        flash(_("Changes saved."), "success")
    flash_warnings(warnings)
    anchor = None
    if move:
        position, _sep, direction = move.partition(":")
        step = -POSITION_STEP if direction == "up" else POSITION_STEP
        anchor = f"section-{int(position) + step}" if position.isdigit() else None
    return redirect(url_for("admin.newsletter_edit", newsletter_id=newsletter.id, _anchor=anchor))


@bp.post("/newsletters/<int:newsletter_id>/sections")
def newsletter_add_section(newsletter_id: int):
    """Add a section (free text, divider or a proposal) and go back to the composer."""
    newsletter, refused = _draft_or_redirect(newsletter_id)
    if refused:
        return refused
    form = AddSectionForm()
    if form.validate_on_submit():
        source = (form.source_id.data or "").strip()
        section = SectionData(
            kind=form.kind.data or "text",
            source_id=int(source) if source.isdigit() else None,
            group_label=form.group_label.data or "",
            title=form.title.data or "",
            body_md=DIVIDER_MD if form.kind.data == "divider" else form.body.data or "",
        )
        if section.kind == "divider":
            section.kind = "text"
        try:
            added = add_section(newsletter, section)
        except ValidationError as exc:
            db.session.rollback()
            flash(" ".join(m for messages in exc.errors.values() for m in messages), "error")
        else:
            flash(_("Section added at the end of the letter."), "success")
            anchor = f"section-{added.position * 10}"
            return redirect(
                url_for("admin.newsletter_edit", newsletter_id=newsletter_id, _anchor=anchor), 303
            )
    else:
        flash(_("The section could not be added: the form has expired, try again."), "error")
    return redirect(url_for("admin.newsletter_edit", newsletter_id=newsletter_id), 303)


@bp.post("/newsletters/<int:newsletter_id>/autosave")
def newsletter_autosave(newsletter_id: int):
    """The composer's script saves here every few seconds: JSON, 409 on a stale version."""
    newsletter = db.session.get(Newsletter, newsletter_id) or abort(404)
    form = NewsletterForm()
    segment_choices(form)
    if not newsletter.is_editable:
        return jsonify(error=_("Only a draft can be changed.")), 409
    if not form.validate_on_submit():
        messages = [m for messages in form.errors.values() for m in _flat(messages)]
        return jsonify(error=" ".join(messages)), 422
    try:
        update_newsletter(newsletter, newsletter_data(form))
    except StaleDraft as exc:
        db.session.rollback()
        return jsonify(error=exc.errors["version"][0], version=exc.current_version), 409
    except ValidationError as exc:
        db.session.rollback()
        return jsonify(error=" ".join(m for ms in exc.errors.values() for m in ms)), 422
    saved = format_time(utcnow(), "short")
    return jsonify(version=newsletter.version, message=_("Saved at %(time)s.", time=saved))


def _flat(messages) -> list[str]:
    """Form errors, whose FieldList entries nest dictionaries, as a flat list."""
    if isinstance(messages, dict):
        return [m for value in messages.values() for m in _flat(value)]
    if isinstance(messages, list | tuple):
        return [m for value in messages for m in _flat(value)]
    return [str(messages)]


@bp.post("/newsletters/<int:newsletter_id>/preview/live")
def newsletter_preview_live(newsletter_id: int):
    """The typed (unsaved) fields rendered as the send renders them: the email's HTML for
    the composer's frame (the form targets it), or its text with ?format=text."""
    newsletter = db.session.get(Newsletter, newsletter_id) or abort(404)
    form = NewsletterForm()
    segment_choices(form)
    form.validate()  # fills the fields' data; a preview shows even an incomplete draft
    preview = live_preview(newsletter, newsletter_data(form), current_user.name)
    if request.args.get("format") == "text":
        response = make_response(f"{preview.subject}\n\n{preview.text}")
        response.mimetype = "text/plain"
        return response
    response = make_response(preview.html)
    response.headers["Content-Security-Policy"] = PREVIEW_CSP
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    return response
