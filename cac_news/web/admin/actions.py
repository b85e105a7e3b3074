"""Admin views of action reports: list, create, edit, publish."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from cac_news import territories
from cac_news.content.actions import ReportData, list_reports, save_report, set_published
from cac_news.content.labels import ACTION_KIND_LABELS
from cac_news.errors import ValidationError
from cac_news.extensions import db
from cac_news.forms.admin import ConfirmForm
from cac_news.forms.choices import options
from cac_news.forms.content import ActionReportForm
from cac_news.models import ActionReport
from cac_news.web.admin import bp
from cac_news.web.admin.helpers import apply_errors
from cac_news.web.admin.subscribers import territory_choices


@bp.get("/actions/")
def actions():
    """Every action report, newest first."""
    return render_template(
        "admin/actions/list.html",
        reports=list_reports(),
        kind_labels=ACTION_KIND_LABELS,
        publish_form=ConfirmForm(),
        territory=territories.get,
    )


def _form_view(report: ActionReport | None):
    form = ActionReportForm(obj=report)
    form.territory_code.choices = options([("", _("Choose…")), *territory_choices(True)])
    if form.validate_on_submit():
        data = ReportData(
            title=form.title.data or "",
            date=form.date.data,
            territory_code=form.territory_code.data or "",
            kind=form.kind.data,
            body_md=form.body_md.data or "",
            link=form.link.data or "",
            contact=form.contact.data or "",
        )
        try:
            save_report(data, report)
        except ValidationError as exc:
            db.session.rollback()
            apply_errors(form, exc)
        else:
            flash(_("Action report saved."), "success")
            return redirect(url_for("admin.actions"))
    return render_template("admin/actions/form.html", form=form, report=report)


@bp.route("/actions/new", methods=["GET", "POST"])
def action_new():
    """Write a new action report (a draft until published)."""
    return _form_view(None)


@bp.route("/actions/<int:report_id>/edit", methods=["GET", "POST"])
def action_edit(report_id: int):
    """Change an action report."""
    return _form_view(db.get_or_404(ActionReport, report_id))


@bp.post("/actions/<int:report_id>/publish")
def action_publish(report_id: int):
    """Publish a report, or take it back to draft (`unpublish=1`)."""
    report = db.get_or_404(ActionReport, report_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    publish = request.form.get("unpublish") != "1"
    set_published(report, publish)
    flash(_("Report published.") if publish else _("Report back to draft."), "success")
    return redirect(url_for("admin.actions"))
