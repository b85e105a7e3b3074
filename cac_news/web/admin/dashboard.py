"""Admin dashboard: counts at a glance, growth and reach in server-rendered pictures."""

from __future__ import annotations

from flask import render_template
from flask_babel import format_date, ngettext
from flask_babel import gettext as _

from cac_news.audience import queries
from cac_news.content.labels import SUBSCRIBER_STATUS_LABELS
from cac_news.insight import growth, reach
from cac_news.insight.charts import Series, build_chart
from cac_news.insight.maps import count_map
from cac_news.insight.report import letter_report
from cac_news.web.admin import bp


def _growth_chart(weeks: list[growth.WeekCounts]):
    labels = [format_date(w.monday, "short") for w in weeks]
    series = [
        Series(str(SUBSCRIBER_STATUS_LABELS[status]), tuple(w.counts[status] for w in weeks), i + 1)
        for i, status in enumerate(growth.GROWTH_STATUSES)
    ]
    first, last = weeks[0].counts, weeks[-1].counts
    summary = _(
        "Over %(weeks)d weeks, active subscribers went from %(first)d to %(last)d; "
        "pending: %(pending)d, unsubscribed: %(gone)d now.",
        weeks=len(weeks),
        first=first["active"],
        last=last["active"],
        pending=last["pending"],
        gone=last["unsubscribed"],
    )
    return build_chart(_("Subscribers by week"), summary, labels, series)


def _flows_chart(flows: list[growth.LetterFlow]):
    labels = [_("No. %(number)d", number=f.newsletter.number) for f in flows]
    arrivals = tuple(f.arrivals for f in flows)
    departures = tuple(f.departures for f in flows)
    summary = _(
        "After the last %(letters)d letters: %(arrivals)d new subscriptions, "
        "%(departures)d departures.",
        letters=len(flows),
        arrivals=sum(arrivals),
        departures=sum(departures),
    )
    return build_chart(
        _("New subscriptions and departures after each letter"),
        summary,
        labels,
        [Series(_("New subscriptions"), arrivals, 1), Series(_("Departures"), departures, 3)],
        kind="bar",
    )


def _subscribers_label(name: str, count: int) -> str:
    return ngettext(
        "%(name)s: %(num)d active subscriber",
        "%(name)s: %(num)d active subscribers",
        count,
        name=name,
    )


@bp.get("/")
def dashboard():
    """Counts by status, growth, flows per letter, the map, the last letters, bounces."""
    by_status = queries.counts_by_status()
    flows = growth.flows_per_letter()
    last_letters = [letter_report(f.newsletter, detailed=False) for f in reversed(flows[-5:])]
    return render_template(
        "admin/dashboard.html",
        by_status=by_status,
        status_labels=SUBSCRIBER_STATUS_LABELS,
        total=sum(by_status.values()),
        by_mode=queries.active_counts_by_mode(),
        by_region=queries.active_counts_by_region(),
        growth_chart=_growth_chart(growth.weekly_growth()),
        flows_chart=_flows_chart(flows),
        subscribers_map=count_map(reach.active_by_departement(), _subscribers_label),
        last_letters=last_letters,
        next_letter=growth.next_scheduled(),
        bounces=growth.bounces_to_review(),
    )
