"""Admin views of the agenda: events (list, create, edit, cancel after confirmation) and
their kinds."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from cac_news.agenda import events as event_ops
from cac_news.agenda import kinds as kind_ops
from cac_news.agenda.display import territory_label, when_label, where_label
from cac_news.errors import ValidationError
from cac_news.extensions import db
from cac_news.forms.admin import ConfirmForm
from cac_news.forms.agenda import EventForm, EventKindForm
from cac_news.forms.mapping import form_data
from cac_news.models import Event
from cac_news.web.admin import bp
from cac_news.web.admin.helpers import apply_errors
from cac_news.web.admin.kinds import KindPages
from cac_news.web.admin.subscribers import territory_choices

# The kinds pages (templates/admin/kinds/) are shared: each list names its endpoints.
KIND_PAGES = {
    "list": "admin.event_kinds",
    "edit": "admin.event_kind_edit",
    "delete": "admin.event_kind_delete",
    "back": "admin.events",
}
KIND_VIEWS = KindPages(
    kind_ops.KINDS,
    EventKindForm,
    heading=_l("Kinds of events"),
    back_label=_l("Back to the agenda"),
    endpoints=KIND_PAGES,
)


@bp.get("/agenda/")
def events():
    """Every event, the latest start first, internal ones included."""
    return render_template(
        "admin/agenda/list.html",
        events=event_ops.list_events(),
        when_label=when_label,
        where_label=where_label,
    )


def _form_view(event: Event | None):
    form = EventForm(obj=event_ops.event_data(event) if event is not None else None)
    form.kind_id.choices = [(0, _("Choose…"))] + [(k.id, k.name) for k in kind_ops.list_kinds()]
    form.territory_code.choices = territory_choices(True)
    if form.validate_on_submit():
        try:
            saved = event_ops.save_event(form_data(form, event_ops.EventData), event)
        except ValidationError as exc:
            db.session.rollback()
            apply_errors(form, exc)
        else:
            flash(_("Event saved."), "success")
            return redirect(url_for("admin.event_edit", event_id=saved.id))
    return render_template("admin/agenda/form.html", form=form, event=event)


@bp.route("/agenda/new", methods=["GET", "POST"])
def event_new():
    """Add an event."""
    return _form_view(None)


@bp.route("/agenda/<int:event_id>/edit", methods=["GET", "POST"])
def event_edit(event_id: int):
    """Change an event (calendars get the change: its sequence goes up)."""
    return _form_view(db.get_or_404(Event, event_id))


@bp.route("/agenda/<int:event_id>/cancel", methods=["GET", "POST"])
def event_cancel(event_id: int):
    """Ask for confirmation (GET), then cancel the event or reinstate it (POST)."""
    event = db.get_or_404(Event, event_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        event_ops.set_cancelled(event, not event.cancelled)
        flash(_("Event cancelled.") if event.cancelled else _("Event reinstated."), "success")
        return redirect(url_for("admin.events"))
    return render_template(
        "admin/agenda/cancel.html",
        event=event,
        form=form,
        when_label=when_label,
        territory_label=territory_label,
    )


@bp.route("/agenda/kinds/", methods=["GET", "POST"])
def event_kinds():
    """List the kinds of events and add one."""
    return KIND_VIEWS.list_and_add()


@bp.route("/agenda/kinds/<int:kind_id>/edit", methods=["GET", "POST"])
def event_kind_edit(kind_id: int):
    """Rename a kind."""
    return KIND_VIEWS.edit(kind_id)


@bp.post("/agenda/kinds/<int:kind_id>/delete")
def event_kind_delete(kind_id: int):
    """Delete a kind no event uses."""
    return KIND_VIEWS.delete(kind_id)
