"""One JSON object per message for `flask bounces process --json`, so a mailbox can be audited.

Fields: file, kind (hard | soft | complaint | not_bounce | unreadable), recipients, status,
reason, matched (verp | message-id | address | none), action (what was or would be done).
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from sqlalchemy import select

from cac_news.extensions import db
from cac_news.models import Subscriber

from .apply import Outcome, match_delivery
from .parse import BounceReport

KIND_OUT = {"malformed": "unreadable"}


def _base(ref: str, report: BounceReport | None, kind: str) -> dict:
    """The fields read from the message itself."""
    return {
        "file": ref,
        "kind": KIND_OUT.get(kind, kind),
        "recipients": list(report.recipients) if report else [],
        "status": report.status if report else None,
        "reason": (report.diagnostic or report.problem) if report else None,
    }


def applied(ref: str, report: BounceReport | None, outcome: Outcome) -> str:
    """The JSON line of a message a run applied."""
    item = _base(ref, report, report.kind if report else outcome.kind)
    item["matched"] = outcome.matched_by if outcome.result == "matched" else "none"
    if outcome.kind == "unsubscribe":
        item["kind"], item["matched"] = "not_bounce", "none"
    if outcome.changes:
        action = "; ".join(f"{c.email}: {c.old_status} -> {c.new_status}" for c in outcome.changes)
    elif outcome.unverified:
        action = "recorded as unverified, nothing changed"
    elif outcome.recorded:
        action = "recorded, below the thresholds"
    elif outcome.result == "matched":
        action = "already recorded" if outcome.kind != "unsubscribe" else "unsubscribed"
    else:
        action = "left in the mailbox: " + (outcome.note or outcome.result)
    item["action"] = action
    return json.dumps(item, ensure_ascii=False)


def previewed(ref: str, report: BounceReport, config: Mapping) -> str:
    """The JSON line of a message in a dry run: what would be done, read-only."""
    item = _base(ref, report, report.kind)
    item["matched"], item["action"] = "none", "nothing (not a bounce or unreadable)"
    if report.kind in ("hard", "soft", "complaint"):
        delivery = match_delivery(
            report, config["SECRET_KEY"], verp=bool(config.get("VERP_ENABLED"))
        )
        if delivery is not None:
            item["matched"] = str(delivery.matched_by)
            item["action"] = "would record it and apply the bounce policy"
        elif report.recipients and db.session.scalar(
            select(Subscriber.id).where(Subscriber.email.in_(report.recipients))
        ):
            item["matched"] = "address"
            item["action"] = "would record it as unverified, changing nothing"
        else:
            item["action"] = "would leave it: no subscriber matched"
    return json.dumps(item, ensure_ascii=False)


def failed(ref: str, error: str) -> str:
    """The JSON line of a message whose processing failed (rolled back, left in place)."""
    item = _base(ref, None, "unreadable")
    item.update(matched="none", action=f"error, rolled back and left in the mailbox: {error}")
    return json.dumps(item, ensure_ascii=False)
