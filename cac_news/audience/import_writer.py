"""The write side of the CSV import: one batch of merged records, a few Core statements."""

from __future__ import annotations

from sqlalchemy import Connection, bindparam, insert, select, update

from cac_news.audience.suppression import suppressed_among
from cac_news.models import Subscriber, SubscriptionEvent, subscriber_modes
from cac_news.models.audience import fold_for_search as _fold_for_search
from cac_news.models.segment import mode_mask
from cac_news.timeutil import utcnow

PROFILE = ("first_name", "last_name", "organisation", "territory_code", "language")
BLOCKED = ("unsubscribed", "bounced", "complained")
IMPORT_CONSENT_TEXT = "Imported by a pilot who asserts the person's prior consent."

subscribers = Subscriber.__table__
events = SubscriptionEvent.__table__


def fold_for_search(*parts: str) -> str:
    """The admin search text; plain ASCII (most rows) skips Unicode normalisation."""
    joined = " ".join(p for p in parts if p)
    return joined.lower() if joined.isascii() else _fold_for_search(joined)


class BatchWriter:
    """Writes batches on one connection, inside the import's single transaction."""

    def __init__(self, connection: Connection, options, report):
        self.conn = connection
        self.options = options
        self.report = report
        self.seen: set[str] = set()
        self.actor_id = options.actor.id if options.actor is not None else None
        by = f" by {options.actor.email}" if options.actor is not None else ""
        self.detail = f"import {options.source_name}{by}"[:255]
        self._update = (
            update(subscribers)
            .where(subscribers.c.id == bindparam("b_id"))
            .values(
                {name: bindparam(f"b_{name}") for name in (*PROFILE, "search_text", "mode_mask")}
            )
            .values(updated_at=bindparam("b_now"))
        )
        self._activate = (
            update(subscribers)
            .where(subscribers.c.id == bindparam("b_id"))
            .values(
                status="active",
                status_changed_at=bindparam("b_now"),
                consent_at=bindparam("b_now"),
                consent_source="import",
                consent_text=IMPORT_CONSENT_TEXT,
                consent_detail=self.detail,
            )
        )

    def _event(self, subscriber_id: int, now, **values) -> dict:
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

    def write(self, batch: dict[str, tuple[int, dict]]) -> None:
        """Insert the new addresses and update the known ones of one batch."""
        now = utcnow()
        report, status = self.report, self.options.status
        suppressed = suppressed_among(batch)
        columns = [subscribers.c.id, subscribers.c.email, subscribers.c.status]
        columns += [subscribers.c[name] for name in PROFILE]
        existing = {
            row.email: row
            for row in self.conn.execute(select(*columns).where(subscribers.c.email.in_(batch)))
        }
        known_modes: dict[int, set[int]] = {}
        if existing:
            ids = [row.id for row in existing.values()]
            for sid, mid in self.conn.execute(
                select(subscriber_modes.c.subscriber_id, subscriber_modes.c.mode_id).where(
                    subscriber_modes.c.subscriber_id.in_(ids)
                )
            ):
                known_modes.setdefault(sid, set()).add(mid)
        new_rows, new_modes, updates, activations, new_events, mode_rows = [], [], [], [], [], []
        for email, (line, record) in batch.items():
            again = email in self.seen
            self.seen.add(email)
            if again:
                report.merged += 1
            if email in suppressed:
                report.reject(line, "address erased at its owner's request", suppressed=True)
                continue
            row = existing.get(email)
            if row is None:
                values = {name: record[name] for name in PROFILE}
                values["language"] = values["language"] or "fr"
                values["mode_mask"] = mode_mask(record["mode_ids"])
                new_rows.append(self._new_row(email, values, now))
                new_modes.append(record["mode_ids"])
                continue
            if row.status in BLOCKED:
                if not again:
                    report.reject(line, f"{row.status}: not re-activated", suppressed=True)
                continue
            merged = {name: record[name] or getattr(row, name) for name in PROFILE}
            changed = [name for name in PROFILE if merged[name] != getattr(row, name)]
            added = record["mode_ids"] - known_modes.get(row.id, set())
            activate = status == "active" and row.status == "pending"
            if changed or added:
                merged.update(
                    search_text=fold_for_search(
                        merged["first_name"], merged["last_name"], email, merged["organisation"]
                    ),
                    id=row.id,
                    now=now,
                    mode_mask=mode_mask(known_modes.get(row.id, set()) | record["mode_ids"]),
                )
                updates.append({f"b_{k}": v for k, v in merged.items()})
                mode_rows += [{"subscriber_id": row.id, "mode_id": m} for m in sorted(added)]
                fields = ", ".join(changed + (["modes"] if added else []))
                new_events.append(self._event(row.id, now, kind="profile", detail=fields))
            if activate:
                activations.append({"b_id": row.id, "b_now": now})
                new_events.append(
                    self._event(row.id, now, old_status="pending", new_status="active")
                )
            if not again:
                if changed or added or activate:
                    report.updated += 1
                else:
                    report.unchanged += 1
        if new_rows:
            # A plain executemany, then the ids by address: RETURNING with ordered
            # parameters runs one statement per row on SQLite.
            self.conn.execute(insert(subscribers), new_rows)
            id_of = dict(
                self.conn.execute(
                    select(subscribers.c.email, subscribers.c.id).where(
                        subscribers.c.email.in_([r["email"] for r in new_rows])
                    )
                ).all()
            )
            ids = [id_of[r["email"]] for r in new_rows]
            for subscriber_id, modes in zip(ids, new_modes, strict=True):
                new_events.append(self._event(subscriber_id, now, new_status=status))
                mode_rows += [{"subscriber_id": subscriber_id, "mode_id": m} for m in sorted(modes)]
                if status == "pending":
                    report.pending_ids.append(subscriber_id)
            report.created += len(ids)
        if updates:
            self.conn.execute(self._update, updates)
        if activations:
            self.conn.execute(self._activate, activations)
        if new_events:
            self.conn.execute(insert(events), new_events)
        if mode_rows:
            self.conn.execute(insert(subscriber_modes), mode_rows)

    def _new_row(self, email: str, values: dict, now) -> dict:
        active = self.options.status == "active"
        return {
            "email": email,
            **values,
            "status": self.options.status,
            "search_text": fold_for_search(
                values["first_name"], values["last_name"], email, values["organisation"]
            ),
            "consent_at": now if active else None,
            "consent_source": "import" if active else None,
            "consent_text": IMPORT_CONSENT_TEXT if active else None,
            "consent_detail": self.detail if active else None,
            "consent_ip": None,
            "created_at": now,
            "updated_at": now,
            "status_changed_at": now,
        }
