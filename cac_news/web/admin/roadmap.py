"""Admin views of the roadmap: items grouped with progress, item form, dated updates."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from cac_news.content.labels import OBJECTIVE_LABELS, ROADMAP_STATUS_LABELS
from cac_news.content.roadmap import ItemData, add_update, grouped_items, save_item
from cac_news.errors import ValidationError
from cac_news.extensions import db
from cac_news.forms.content import RoadmapItemForm, RoadmapUpdateForm
from cac_news.models import RoadmapItem
from cac_news.timeutil import utcnow
from cac_news.web.admin import bp
from cac_news.web.admin.helpers import apply_errors


@bp.get("/roadmap/")
def roadmap():
    """Items grouped by objective and period, with each objective's progress."""
    return render_template(
        "admin/roadmap/list.html",
        groups=grouped_items(),
        objective_labels=OBJECTIVE_LABELS,
        status_labels=ROADMAP_STATUS_LABELS,
    )


def _item_data(form: RoadmapItemForm) -> ItemData:
    return ItemData(
        objective=form.objective.data,
        title=form.title.data or "",
        description_md=form.description_md.data or "",
        period_label=form.period_label.data or "",
        period_start=form.period_start.data,
        period_end=form.period_end.data,
        status=form.status.data,
        owner=form.owner.data or "",
        position=form.position.data or 0,
    )


def _item_form_view(item: RoadmapItem | None):
    form = RoadmapItemForm(obj=item)
    if item is None and request.method == "GET" and request.args.get("objective"):
        form.objective.data = request.args["objective"]
    if form.validate_on_submit():
        try:
            saved = save_item(_item_data(form), item)
        except ValidationError as exc:
            db.session.rollback()
            apply_errors(form, exc)
        else:
            flash(_("Roadmap item saved."), "success")
            return redirect(url_for("admin.roadmap_item", item_id=saved.id))
    return render_template("admin/roadmap/form.html", form=form, item=item)


@bp.route("/roadmap/new", methods=["GET", "POST"])
def roadmap_item_new():
    """Add an item to the roadmap."""
    return _item_form_view(None)


@bp.route("/roadmap/<int:item_id>/edit", methods=["GET", "POST"])
def roadmap_item_edit(item_id: int):
    """Change a roadmap item."""
    return _item_form_view(db.get_or_404(RoadmapItem, item_id))


@bp.route("/roadmap/<int:item_id>/", methods=["GET", "POST"])
def roadmap_item(item_id: int):
    """An item, its updates, and the form to add one."""
    item = db.get_or_404(RoadmapItem, item_id)
    form = RoadmapUpdateForm()
    if request.method == "GET":
        form.date.data = utcnow().date()
    elif form.validate_on_submit():
        try:
            add_update(
                item,
                form.body_md.data or "",
                form.date.data,
                new_status=form.new_status.data or None,
                author=current_user,
            )
        except ValidationError as exc:
            db.session.rollback()
            apply_errors(form, exc)
        else:
            flash(_("Update added."), "success")
            return redirect(url_for("admin.roadmap_item", item_id=item.id))
    return render_template(
        "admin/roadmap/detail.html",
        item=item,
        form=form,
        objective_labels=OBJECTIVE_LABELS,
        status_labels=ROADMAP_STATUS_LABELS,
    )
