"""Count segments over 1,000,000 subscribers; compare with the same counts without indexes.

Usage: .venv/bin/python bench/segments.py [ROWS]
Fills a temporary SQLite database (built by the migrations) with fast Core inserts, times
`count_segment` for a few rules (best of 5), then drops the subscriber and subscriber_mode
indexes and times the same counts again as the baseline.
"""

from __future__ import annotations

import random
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

from flask_migrate import upgrade
from sqlalchemy import insert, inspect, select

from cac_news import create_app, territories
from cac_news.audience.segments import SegmentRule, count_segment
from cac_news.extensions import db
from cac_news.models import ParticipationMode, Subscriber, subscriber_modes
from cac_news.models.segment import mode_mask

ROWS = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
CHUNK = 50_000


def fill(rows: int) -> None:
    """Insert the subscribers and their modes, indexes dropped during the load."""
    rng = random.Random(42)
    codes = [d.code for d in territories.departements()] + ["FR"] * 10 + [None] * 5
    statuses = ["active"] * 8 + ["pending", "unsubscribed"]
    mode_ids = list(db.session.scalars(select(ParticipationMode.id)))
    conn = db.session.connection()
    conn.exec_driver_sql("PRAGMA synchronous=OFF")
    indexes = [
        (ix["name"], table)
        for table in ("subscriber", "subscriber_mode")
        for ix in inspect(conn).get_indexes(table)
    ]
    ddl = {
        name: conn.exec_driver_sql("SELECT sql FROM sqlite_master WHERE name = ?", (name,)).scalar()
        for name, _ in indexes
    }
    for name, _ in indexes:
        conn.exec_driver_sql(f'DROP INDEX "{name}"')
    now = datetime(2026, 1, 1)
    for start in range(0, rows, CHUNK):
        people = [
            {"id": i + 1, "email": f"p{i}@exemple.org", "first_name": "", "last_name": "",
             "organisation": "", "territory_code": rng.choice(codes),
             "language": "fr" if rng.random() < 0.9 else "en", "status": rng.choice(statuses),
             "search_text": "", "created_at": now, "updated_at": now, "status_changed_at": now}
            for i in range(start, min(rows, start + CHUNK))
        ]  # fmt: skip
        links = []
        for person in people:
            chosen = rng.sample(mode_ids, rng.choice((1, 1, 2)))
            person["mode_mask"] = mode_mask(chosen)  # as the import and the ORM keep it
            links += [{"subscriber_id": person["id"], "mode_id": m} for m in chosen]
        conn.execute(insert(Subscriber.__table__), people)
        conn.execute(insert(subscriber_modes), links)
    for name in ddl:
        conn.exec_driver_sql(ddl[name])
    conn.exec_driver_sql("ANALYZE")
    db.session.commit()


def best_of(rule: SegmentRule, runs: int = 5) -> tuple[int, float]:
    """The count and the best time in milliseconds."""
    count_segment(rule)  # warm the page cache
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        count = count_segment(rule)
        times.append((time.perf_counter() - start) * 1000)
    return count, min(times)


def main() -> None:
    """Fill, time with indexes, drop them, time again, print the ratios."""
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(
            {"TESTING": True, "SECRET_KEY": "bench", "INSTANCE_PATH": tmp,
             "SQLALCHEMY_DATABASE_URI": f"sqlite:///{Path(tmp) / 'bench.db'}"}
        )  # fmt: skip
        with app.app_context():
            upgrade()
            start = time.perf_counter()
            fill(ROWS)
            print(f"filled {ROWS} subscribers in {time.perf_counter() - start:.1f} s")
            mode = dict(
                db.session.execute(select(ParticipationMode.slug, ParticipationMode.id)).all()
            )
            rules = {
                "all active": SegmentRule(),
                "région Auvergne-Rhône-Alpes": SegmentRule(territory_codes=["R84"]),
                "national + 75, 93, 94": SegmentRule(territory_codes=["FR", "75", "93", "94"]),
                "Île-de-France, French": SegmentRule(territory_codes=["R11"], language="fr"),
                "mode relais-local": SegmentRule(mode_ids=[mode["relais-local"]]),
                "R84 + R93, modes pilote or relais-local": SegmentRule(
                    territory_codes=["R84", "R93"],
                    mode_ids=[mode["pilote"], mode["relais-local"]],
                ),
            }
            indexed = {name: best_of(rule) for name, rule in rules.items()}
            conn = db.session.connection()
            for table in ("subscriber", "subscriber_mode"):
                for ix in inspect(conn).get_indexes(table):
                    conn.exec_driver_sql(f'DROP INDEX "{ix["name"]}"')
            db.session.commit()
            plain = {name: best_of(rule, runs=2) for name, rule in rules.items()}
            db.session.remove()
            db.engine.dispose()
    print(f"{'segment':42} {'count':>8} {'indexed ms':>11} {'no index ms':>12} {'ratio':>7}")
    for name, (count, ms) in indexed.items():
        base_count, base_ms = plain[name]
        assert base_count == count
        print(f"{name:42} {count:8d} {ms:11.1f} {base_ms:12.1f} {base_ms / ms:6.1f}x")
    worst = max(ms for _, ms in indexed.values())
    print(f"slowest indexed count: {worst:.1f} ms (target < 100 ms)")


if __name__ == "__main__":
    main()
