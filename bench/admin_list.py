"""Admin subscriber list at scale: page, search and filter timings over 100,000 subscribers.

Baseline, measured in the same run on the same database: fetching one page of primary keys
(`SELECT id FROM subscriber ORDER BY id DESC LIMIT 50`), the cheapest query a list page
could make. Run: `.venv/bin/python bench/admin_list.py [--rows 100000]`.
"""

from __future__ import annotations

import argparse
import random
import resource
import statistics
import tempfile
import time
from pathlib import Path

from flask_migrate import upgrade
from sqlalchemy import insert, select, text

from cac_news import create_app, territories
from cac_news.audience.queries import SubscriberFilters, list_subscribers
from cac_news.extensions import db
from cac_news.models import ParticipationMode, Subscriber, subscriber_modes
from cac_news.models.audience import fold_for_search


def fill(rows: int) -> None:
    """Insert `rows` subscribers with modes, in bulk."""
    rng = random.Random(1)
    codes = [d.code for d in territories.departements()] + ["FR"]
    mode_ids = list(db.session.scalars(select(ParticipationMode.id)))
    statuses = ["active"] * 8 + ["pending", "unsubscribed"]
    batch, links = [], []
    for index in range(1, rows + 1):
        first, last = f"Prénom{index % 997}", f"Nom{index % 1009}"
        email = f"abonne{index}@example.org"
        org = f"Association {index % 503}"
        batch.append(
            {
                "id": index,
                "email": email,
                "first_name": first,
                "last_name": last,
                "organisation": org,
                "territory_code": rng.choice(codes),
                "language": "fr",
                "status": rng.choice(statuses),
                "search_text": fold_for_search(first, last, email, org),
            }
        )
        links.append({"subscriber_id": index, "mode_id": rng.choice(mode_ids)})
        if len(batch) == 10_000:
            db.session.execute(insert(Subscriber), batch)
            db.session.execute(insert(subscriber_modes), links)
            batch, links = [], []
    if batch:
        db.session.execute(insert(Subscriber), batch)
        db.session.execute(insert(subscriber_modes), links)
    db.session.commit()
    db.session.execute(text("ANALYZE"))


def timed(fn, repeat: int = 7) -> float:
    """Median wall time of fn in milliseconds."""
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def main() -> None:
    """Fill a temporary SQLite database and print the timings."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(
            {
                "TESTING": True,
                "SECRET_KEY": "bench",
                "INSTANCE_PATH": tmp,
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{Path(tmp) / 'bench.db'}",
            }
        )
        with app.app_context():
            upgrade()
            start = time.perf_counter()
            fill(args.rows)
            print(f"filled {args.rows} subscribers in {time.perf_counter() - start:.1f} s")
            mode_id = db.session.scalar(select(ParticipationMode.id))
            baseline = timed(
                lambda: db.session.execute(
                    text("SELECT id FROM subscriber ORDER BY id DESC LIMIT 50")
                ).all()
            )
            cases = {
                "first page, no filter": SubscriberFilters(),
                "page 1000 (deep offset)": None,
                "status=active": SubscriberFilters(status="active"),
                "région R84 + active": SubscriberFilters(status="active", territory="R84"),
                "mode + département 75": SubscriberFilters(mode_id=mode_id, territory="75"),
                "search 'nom1007'": SubscriberFilters(query="nom1007"),
            }
            print(f"baseline (50 ids by primary key): {baseline:.2f} ms")
            for label, filters in cases.items():
                if filters is None:
                    ms = timed(lambda: list_subscribers(SubscriberFilters(), 1000, 50))
                else:
                    ms = timed(lambda f=filters: list_subscribers(f, 1, 50))
                print(f"{label:28s} {ms:8.2f} ms   ratio to baseline {ms / baseline:7.1f}x")
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            print(f"peak RSS of this process: {peak:.0f} MB")


if __name__ == "__main__":
    main()
