"""The territories of the network: subscribers, local relays and actions by place."""

from __future__ import annotations

from flask import render_template
from flask_babel import ngettext

from cac_news.insight import reach
from cac_news.insight.maps import count_map
from cac_news.web.admin import bp


def _relays_label(name: str, count: int) -> str:
    return ngettext(
        "%(name)s: %(num)d local relay", "%(name)s: %(num)d local relays", count, name=name
    )


@bp.get("/territories/")
def territories():
    """Per région and département: where the network is present, where no relay yet."""
    regions = reach.presence_by_region()
    return render_template(
        "admin/reports/territories.html",
        regions=regions,
        relays_map=count_map(reach.relays_by_departement(), _relays_label),
    )
