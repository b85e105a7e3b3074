"""A letter's report page and its CSV export (figures that identify nobody)."""

from __future__ import annotations

from flask import Response, abort, render_template
from flask_babel import format_date, ngettext
from flask_babel import gettext as _

from cac_news.extensions import db
from cac_news.insight.charts import Series, build_chart
from cac_news.insight.report import LetterReport, letter_report, report_csv
from cac_news.models import Newsletter
from cac_news.web.admin import bp


def _report_or_404(newsletter_id: int) -> LetterReport:
    newsletter = db.session.get(Newsletter, newsletter_id) or abort(404)
    return letter_report(newsletter)


def _timeline_chart(report: LetterReport):
    labels = [format_date(day, "short") for day, _s, _f in report.timeline]
    sent = tuple(s for _d, s, _f in report.timeline)
    follows = tuple(f for _d, _s, f in report.timeline)
    summary = ngettext(
        "%(num)d message sent and %(follows)d link follows over the first %(days)d day.",
        "%(num)d messages sent and %(follows)d link follows over the first %(days)d days.",
        sum(sent),
        follows=sum(follows),
        days=len(labels),
    )
    return build_chart(
        _("Deliveries and link follows by day"),
        summary,
        labels,
        [Series(_("Messages sent"), sent, 1), Series(_("Link follows"), follows, 2)],
        kind="bar",
    )


@bp.get("/newsletters/<int:newsletter_id>/report")
def newsletter_report(newsletter_id: int):
    """Deliveries, bounces, departures and link follows of one letter."""
    report = _report_or_404(newsletter_id)
    return render_template(
        "admin/reports/letter.html", report=report, timeline=_timeline_chart(report)
    )


@bp.get("/newsletters/<int:newsletter_id>/report.csv")
def newsletter_report_csv(newsletter_id: int):
    """The same figures as a CSV download."""
    report = _report_or_404(newsletter_id)
    filename = f"lettre-{report.newsletter.number}-bilan.csv"
    return Response(
        report_csv(report),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
