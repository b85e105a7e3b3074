"""Admin views over segments: list, create, edit with a live count, delete, export."""

from __future__ import annotations

from flask import (
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_babel import gettext as _

from cac_news import territories
from cac_news.accounts import audit
from cac_news.audience import segments as ops
from cac_news.audience.exporter import iter_csv
from cac_news.audience.modes import list_modes
from cac_news.errors import ValidationError
from cac_news.extensions import db
from cac_news.forms.admin import ConfirmForm
from cac_news.forms.segments import SegmentForm
from cac_news.models import Segment
from cac_news.web.admin import bp
from cac_news.web.admin.helpers import apply_errors


def _form(segment: Segment | None = None) -> SegmentForm:
    form = SegmentForm(obj=segment)
    if form.language.data is None:
        form.language.data = ""  # a segment's None language means "any"
    form.mode_ids.choices = [(m.id, m.name) for m in list_modes()]
    form.regions.choices = [(r.code, r.name) for r in territories.regions()]
    form.departements.choices = [
        (d.code, f"{d.code} – {d.name}") for d in territories.departements()
    ]
    if segment is not None and request.method == "GET":
        codes = segment.territory_codes
        form.mode_ids.data = [m.id for m in segment.modes]
        form.regions.data = [c for c in codes if c.startswith(territories.REGION_PREFIX)]
        form.departements.data = [
            c for c in codes if c != territories.NATIONAL and not c.startswith("R")
        ]
        form.national.data = territories.NATIONAL in codes
        form.language.data = segment.language or ""
    return form


def _rule(form: SegmentForm) -> ops.SegmentRule:
    codes = list(form.regions.data or []) + list(form.departements.data or [])
    if form.national.data:
        codes.append(territories.NATIONAL)
    return ops.SegmentRule(
        mode_ids=list(form.mode_ids.data or []),
        territory_codes=codes,
        language=form.language.data or None,
    )


@bp.get("/segments/")
def segments():
    """Every segment with its current count."""
    items = [(s, ops.count_segment(s)) for s in ops.list_segments()]
    return render_template("admin/segments/list.html", items=items)


@bp.post("/segments/preview")
def segment_preview():
    """htmx: the live count and first members of the rule being ticked."""
    form = _form()
    form.validate()  # choices are checked; the name may still be empty
    try:
        rule = ops.validate_rule(_rule(form))
    except ValidationError as exc:
        return render_template("admin/segments/_preview.html", errors=exc.errors)
    return render_template(
        "admin/segments/_preview.html",
        count=ops.count_segment(rule),
        members=ops.preview_members(rule),
    )


def _edit(segment: Segment | None):
    form = _form(segment)
    if form.validate_on_submit():
        try:
            saved = ops.save_segment(form.name.data, form.description.data, _rule(form), segment)
        except ValidationError as exc:
            db.session.rollback()
            errors = dict(exc.errors)
            if "territory_codes" in errors:
                errors["departements"] = errors.pop("territory_codes")
            apply_errors(form, ValidationError(errors))
        else:
            flash(_("Segment %(name)s saved.", name=saved.name), "success")
            return redirect(url_for("admin.segments"))
    rule = _rule(form) if request.method == "POST" or segment is not None else ops.SegmentRule()
    try:
        rule = ops.validate_rule(rule)
        preview = {"count": ops.count_segment(rule), "members": ops.preview_members(rule)}
    except ValidationError as exc:
        preview = {"errors": exc.errors}
    return render_template(
        "admin/segments/form.html",
        form=form,
        segment=segment,
        preview=preview,
        delete_form=ConfirmForm(formdata=None),
    )


@bp.route("/segments/new", methods=["GET", "POST"])
def segment_new():
    """Create a segment."""
    return _edit(None)


@bp.route("/segments/<int:segment_id>/edit", methods=["GET", "POST"])
def segment_edit(segment_id: int):
    """Edit a segment."""
    return _edit(db.get_or_404(Segment, segment_id))


@bp.post("/segments/<int:segment_id>/delete")
def segment_delete(segment_id: int):
    """Delete a segment after confirmation."""
    segment = db.get_or_404(Segment, segment_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    name = segment.name
    try:
        ops.delete_segment(segment)
        audit.record("segment.deleted", target_type="segment", target_id=segment_id)
    except ValidationError as exc:
        for messages in exc.errors.values():
            for message in messages:
                flash(message, "error")
        return redirect(url_for("admin.segment_edit", segment_id=segment_id))
    flash(_("Segment %(name)s deleted.", name=name), "success")
    return redirect(url_for("admin.segments"))


@bp.get("/segments/<int:segment_id>/export.csv")
def segment_export(segment_id: int):
    """Download the segment's subscribers as CSV."""
    segment = db.get_or_404(Segment, segment_id)
    audit.record("subscribers.exported", segment, details={"segment_id": segment.id})
    return csv_download(iter_csv(segment), f"segment-{segment.id}.csv")


def csv_download(chunks, filename: str) -> Response:
    """A streamed CSV attachment."""
    # The generator reads the database after the view returns: keep the contexts alive.
    return Response(
        stream_with_context(chunks),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
