"""The write side of an import: one batch of merged records, planned, then a few Core statements.

Planning reads (who exists, who left, which modes they have) and decides; writing executes.
A dry run plans only: it never takes the database's write lock.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import Connection, bindparam, insert, select, update

from cac_news.audience.suppression import suppressed_among
from cac_news.models import (
    OutboxKind,
    OutboxMail,
    OutboxStatus,
    Subscriber,
    SubscriptionEvent,
    subscriber_modes,
)
from cac_news.models.audience import (
    LEFT_STATUSES,
    NO_CONSENT,
    asserted_consent,
    subscriber_may_move,
)
from cac_news.models.audience import fold_for_search as _fold_for_search
from cac_news.models.segment import mode_mask
from cac_news.timeutil import utcnow

PROFILE = (
    "first_name", "last_name", "organisation", "territory_code", "region_code", "language",
)  # fmt: skip

subscribers = Subscriber.__table__
events = SubscriptionEvent.__table__
outbox = OutboxMail.__table__


def fold_for_search(*parts: str) -> str:
    """The admin search text; plain ASCII (most rows) skips Unicode normalisation."""
    joined = " ".join(p for p in parts if p)
    return joined.lower() if joined.isascii() else _fold_for_search(joined)


@dataclass
class Plan:
    """What one batch changes, as rows for executemany."""

    new_rows: list[dict] = field(default_factory=list)
    new_modes: list[set[int]] = field(default_factory=list)
    updates: list[dict] = field(default_factory=list)
    status_changes: list[dict] = field(default_factory=list)
    events: list[dict] = field(default_factory=list)
    mode_rows: list[dict] = field(default_factory=list)


class BatchWriter:
    """Plans and writes batches; the caller owns the transaction (one per batch)."""

    def __init__(self, options, report):
        self.options = options
        self.report = report
        # Hashes, not addresses: a million-line file keeps a few MB here, not a copy of it.
        self.seen: set[int] = set()
        self.actor_id = options.actor.id if options.actor is not None else None
        by = f" by {options.actor.email}" if options.actor is not None else ""
        source = f" ({options.source_format or report.format})" if report.format != "csv" else ""
        self.detail = f"import{source} {options.source_name}{by}"[:255]
        self._update = (
            update(subscribers)
            .where(subscribers.c.id == bindparam("b_id"))
            .values(
                {name: bindparam(f"b_{name}") for name in (*PROFILE, "search_text", "mode_mask")}
            )
            .values(updated_at=bindparam("b_now"))
        )
        self._status = (
            update(subscribers)
            .where(subscribers.c.id == bindparam("b_id"))
            .values(
                status=bindparam("b_status"),
                status_changed_at=bindparam("b_now"),
                consent_at=bindparam("b_consent_at"),
                consent_source=bindparam("b_consent_source"),
                consent_text=bindparam("b_consent_text"),
                consent_detail=bindparam("b_consent_detail"),
            )
        )

    def _event(self, subscriber_id: int | None, now, **values) -> dict:
        row = {
            "subscriber_id": subscriber_id,
            "created_at": now,
            "kind": "status",
            "old_status": None,
            "new_status": None,
            "source": "import",
            "actor_id": self.actor_id,
            "detail": self.detail,
        }
        row.update(values)
        return row

    def write(self, conn: Connection, batch: dict[str, tuple[int, dict]]) -> None:
        """Plan one batch and, unless this is a dry run, write it."""
        plan = self.plan(conn, batch)
        if not self.options.dry_run:
            self.apply(conn, plan)

    def plan(self, conn: Connection, batch: dict[str, tuple[int, dict]]) -> Plan:
        """Decide, for each address, what to create, update or mark as left."""
        now = utcnow()
        report, plan = self.report, Plan()
        suppressed = suppressed_among(batch)
        columns = [subscribers.c.id, subscribers.c.email, subscribers.c.status]
        columns += [subscribers.c[name] for name in PROFILE]
        existing = {
            row.email: row
            for row in conn.execute(select(*columns).where(subscribers.c.email.in_(batch)))
        }
        known_modes: dict[int, set[int]] = {}
        if existing:
            ids = [row.id for row in existing.values()]
            for sid, mid in conn.execute(
                select(subscriber_modes.c.subscriber_id, subscriber_modes.c.mode_id).where(
                    subscriber_modes.c.subscriber_id.in_(ids)
                )
            ):
                known_modes.setdefault(sid, set()).add(mid)
        for email, (line, record) in batch.items():
            key = hash(email)
            again = key in self.seen
            self.seen.add(key)
            if again:
                report.merged += 1
            if email in suppressed:
                report.reject(line, str(_l("address erased at its owner's request")), True)
                continue
            row = existing.get(email)
            if row is None:
                if not again:
                    self._plan_new(plan, email, record, now)
                continue
            if row.status in LEFT_STATUSES:
                if not again:
                    report.reject(line, left_reason(row.status), suppressed=True)
                continue
            self._plan_known(plan, row, record, known_modes.get(row.id, set()), again, now)
        return plan

    def _plan_new(self, plan: Plan, email: str, record: dict, now) -> None:
        values = {name: record[name] for name in PROFILE}
        values["language"] = values["language"] or "fr"
        values["mode_mask"] = mode_mask(record["mode_ids"])
        plan.new_rows.append(self._new_row(email, values, record["status"], now))
        plan.new_modes.append(record["mode_ids"])
        if record["status"] in LEFT_STATUSES:
            self.report.departed += 1
        else:
            self.report.created += 1

    def _plan_known(self, plan: Plan, row, record: dict, modes: set[int], again: bool, now):
        merged, changed = merged_profile(row, record)
        added = record["mode_ids"] - modes
        left = record["status"] if record["status"] in LEFT_STATUSES else None
        wanted = left or ("active" if self.options.status == "active" else None)
        moves = wanted is not None and wanted != row.status
        if moves and not subscriber_may_move(row.status, wanted, "import"):
            moves = False  # the transition table has the last word (see models.audience)
        if changed or added:
            self._plan_profile(plan, row, merged, changed, added, modes | record["mode_ids"], now)
        if moves:
            plan.status_changes.append(self._status_row(row.id, wanted, now))
            plan.events.append(self._event(row.id, now, old_status=row.status, new_status=wanted))
        if not again:
            self._count(departed=bool(left), touched=bool(changed or added or moves))

    def _plan_profile(self, plan: Plan, row, merged, changed, added, all_modes, now) -> None:
        merged.update(
            search_text=fold_for_search(
                merged["first_name"], merged["last_name"], row.email, merged["organisation"]
            ),
            id=row.id,
            now=now,
            mode_mask=mode_mask(all_modes),
        )
        plan.updates.append({f"b_{k}": v for k, v in merged.items()})
        plan.mode_rows += [{"subscriber_id": row.id, "mode_id": m} for m in sorted(added)]
        fields = ", ".join(changed + (["modes"] if added else []))
        plan.events.append(self._event(row.id, now, kind="profile", detail=fields))

    def _count(self, *, departed: bool, touched: bool) -> None:
        if departed:
            self.report.departed += 1
        elif touched:
            self.report.updated += 1
        else:
            self.report.unchanged += 1

    def _consent(self, status: str, now) -> dict:
        return asserted_consent("import", self.detail, now) if status == "active" else NO_CONSENT

    def _status_row(self, subscriber_id: int, status: str, now) -> dict:
        consent = {f"b_{name}": value for name, value in self._consent(status, now).items()}
        return {"b_id": subscriber_id, "b_status": status, "b_now": now, **consent}

    def apply(self, conn: Connection, plan: Plan) -> None:
        """Execute a plan: inserts, updates, events, modes and confirmation requests."""
        now = utcnow()
        report = self.report
        if plan.new_rows:
            # A plain executemany, then the ids by address: RETURNING with ordered
            # parameters runs one statement per row on SQLite.
            conn.execute(insert(subscribers), plan.new_rows)
            id_of = dict(
                conn.execute(
                    select(subscribers.c.email, subscribers.c.id).where(
                        subscribers.c.email.in_([r["email"] for r in plan.new_rows])
                    )
                ).all()
            )
            confirmations = []
            for new, modes in zip(plan.new_rows, plan.new_modes, strict=True):
                subscriber_id = id_of[new["email"]]
                plan.events.append(self._event(subscriber_id, now, new_status=new["status"]))
                plan.mode_rows += [{"subscriber_id": subscriber_id, "mode_id": m} for m in modes]
                if new["status"] == "pending":
                    confirmations.append(self._confirmation(new, now))
            if confirmations:
                # Queued in the batch's own transaction: committed together, sent by the
                # worker within the daily allowance, never lost between the two.
                conn.execute(insert(outbox), confirmations)
                report.queued += len(confirmations)
        if plan.updates:
            conn.execute(self._update, plan.updates)
        if plan.status_changes:
            conn.execute(self._status, plan.status_changes)
        if plan.events:
            conn.execute(insert(events), plan.events)
        if plan.mode_rows:
            conn.execute(insert(subscriber_modes), plan.mode_rows)

    @staticmethod
    def _confirmation(new: dict, now) -> dict:
        return {
            "kind": OutboxKind.SUBSCRIBE,
            "email": new["email"],
            "language": new["language"],
            "payload": "{}",
            "status": OutboxStatus.QUEUED,
            "attempts": 0,
            "created_at": now,
            "next_attempt_at": now,
        }

    def _new_row(self, email: str, values: dict, source_status: str | None, now) -> dict:
        status = source_status if source_status in LEFT_STATUSES else self.options.status
        return {
            "email": email,
            **values,
            "status": status,
            "search_text": fold_for_search(
                values["first_name"], values["last_name"], email, values["organisation"]
            ),
            **self._consent(status, now),
            "consent_ip": None,
            "created_at": now,
            "updated_at": now,
            "status_changed_at": now,
        }


def merged_profile(row, record: dict) -> tuple[dict, list[str]]:
    """The stored profile completed by the file's non-empty values, and what changed.

    A territory replaces the other kind: a département drops a région-only territory and a
    région drops the département."""
    merged = {name: record[name] or getattr(row, name) for name in PROFILE}
    if record["territory_code"] and not record["region_code"]:
        merged["region_code"] = None
    elif record["region_code"] and not record["territory_code"]:
        merged["territory_code"] = None
    return merged, [name for name in PROFILE if merged[name] != getattr(row, name)]


def left_reason(status: str) -> str:
    """Why a known person who left is not re-activated, in the pilot's language."""
    reasons = {
        "unsubscribed": _l("unsubscribed: not re-activated"),
        "bounced": _l("bounced: not re-activated"),
        "complained": _l("complained: not re-activated"),
    }
    return str(reasons.get(status, status))
