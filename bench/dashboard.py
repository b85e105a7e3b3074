"""Time the dashboard's aggregate queries on 100,000 subscribers and 1,000,000 events.

Usage: .venv/bin/python bench/dashboard.py [SUBSCRIBERS] [EVENTS]
Fills a temporary SQLite database (built by the migrations) with fast Core inserts:
subscribers spread over the départements, status changes spread over two years, other
events (profile, modes) up to EVENTS, five sent letters with their deliveries and link
counters. Times each dashboard query (best of 5) and the whole dashboard page, and prints
each against a plain COUNT(*) of the event log measured in the same run.
"""

from __future__ import annotations

import random
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

from flask_migrate import upgrade
from sqlalchemy import func, insert, select

from cac_news import create_app, territories
from cac_news.extensions import db
from cac_news.insight import growth, reach
from cac_news.insight.report import letter_report
from cac_news.models import (
    Delivery,
    LetterLink,
    LinkFollowCount,
    Newsletter,
    ParticipationMode,
    Pilot,
    Subscriber,
    SubscriptionEvent,
    subscriber_modes,
)

SUBSCRIBERS = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
EVENTS = int(sys.argv[2]) if len(sys.argv) > 2 else 1_000_000
CHUNK = 50_000
START = datetime(2025, 1, 6)
SPAN_DAYS = 700


def fill() -> None:
    """Subscribers, their status changes and other events, five letters and deliveries."""
    rng = random.Random(14)
    codes = [d.code for d in territories.departements()] + ["FR"] * 5
    mode_ids = list(db.session.scalars(select(ParticipationMode.id)))
    conn = db.session.connection()
    conn.exec_driver_sql("PRAGMA synchronous=OFF")
    status_events, other_events = [], []
    per_person_other = max(0, EVENTS // SUBSCRIBERS - 2)  # cut to EVENTS below
    for start in range(0, SUBSCRIBERS, CHUNK):
        people, links = [], []
        for i in range(start, min(SUBSCRIBERS, start + CHUNK)):
            joined = START + timedelta(days=rng.random() * (SPAN_DAYS - 150))
            fate = rng.random()
            status = "active" if fate < 0.8 else "pending" if fate < 0.88 else "unsubscribed"
            people.append(
                {"id": i + 1, "email": f"p{i}@exemple.org", "first_name": "", "last_name": "",
                 "organisation": "", "territory_code": rng.choice(codes), "language": "fr",
                 "status": status, "search_text": "", "mode_mask": 0, "created_at": joined,
                 "updated_at": joined, "status_changed_at": joined}
            )  # fmt: skip
            links += [{"subscriber_id": i + 1, "mode_id": m} for m in rng.sample(mode_ids, 1)]
            chain = [(None, "pending"), ("pending", "active")] if status != "pending" else [
                (None, "pending")]  # fmt: skip
            if status == "unsubscribed":
                chain.append(("active", "unsubscribed"))
            when = joined
            for old, new in chain:
                status_events.append(
                    {"subscriber_id": i + 1, "created_at": when, "kind": "status",
                     "old_status": old, "new_status": new, "source": "form"}
                )  # fmt: skip
                when += timedelta(days=rng.random() * 60)
            for _ in range(per_person_other):
                other_events.append(
                    {"subscriber_id": i + 1, "kind": rng.choice(("profile", "modes")),
                     "created_at": joined + timedelta(days=rng.random() * 90),
                     "old_status": None, "new_status": None, "source": "preferences"}
                )  # fmt: skip
        conn.execute(insert(Subscriber.__table__), people)
        conn.execute(insert(subscriber_modes), links)
    events = status_events + other_events[: max(0, EVENTS - len(status_events))]
    for start in range(0, len(events), CHUNK):
        conn.execute(insert(SubscriptionEvent.__table__), events[start : start + CHUNK])
    pilot = Pilot(email="bench@exemple.org", name="Bench", role="admin", password_hash="x")
    db.session.add(pilot)
    for number in range(1, 6):
        sent = START + timedelta(days=SPAN_DAYS - (6 - number) * 30)
        letter = Newsletter(number=number, subject=f"Lettre {number}", status="sent",
                            send_started_at=sent, frozen_at=sent, sent_at=sent,
                            recipients_count=SUBSCRIBERS)  # fmt: skip
        db.session.add(letter)
        db.session.flush()
        for start in range(0, SUBSCRIBERS, CHUNK):
            conn.execute(
                insert(Delivery.__table__),
                [{"newsletter_id": letter.id, "subscriber_id": i + 1, "email": f"p{i}@exemple.org",
                  "name": "", "status": "sent" if i % 50 else "failed", "attempts": 1,
                  "next_attempt_at": sent, "at_rcpt": False, "updated_at": sent,
                  "sent_at": sent + timedelta(hours=i % 48)}
                 for i in range(start, min(SUBSCRIBERS, start + CHUNK))],
            )  # fmt: skip
        for position in range(10):
            url = f"https://exemple.org/{number}/{position}"
            link = LetterLink(
                newsletter_id=letter.id, code=f"b{number}x{position}", url=url, position=position
            )
            db.session.add(link)
            db.session.flush()
            for day in range(7):
                db.session.add(LinkFollowCount(link_id=link.id, day=sent.date() + timedelta(day),
                                               count=rng.randint(0, 500)))  # fmt: skip
    db.session.commit()
    conn = db.session.connection()
    conn.exec_driver_sql("ANALYZE")
    db.session.commit()


def best_of(function, runs: int = 5) -> float:
    """Best time of ``function()`` in milliseconds, after one warm-up call."""
    function()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        function()
        times.append((time.perf_counter() - start) * 1000)
    return min(times)


def main() -> None:
    """Fill, time the baseline and each query, print the table of ratios."""
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(
            {"TESTING": True, "SECRET_KEY": "bench", "INSTANCE_PATH": tmp,
             "SQLALCHEMY_DATABASE_URI": f"sqlite:///{Path(tmp) / 'bench.db'}",
             "LOGIN_DISABLED": True}
        )  # fmt: skip
        with app.app_context():
            upgrade()
            start = time.perf_counter()
            fill()
            events = db.session.scalar(select(func.count(SubscriptionEvent.id)))
            took = time.perf_counter() - start
            print(f"filled {SUBSCRIBERS} subscribers, {events} events, 5 letters with "
                  f"{5 * SUBSCRIBERS} deliveries in {took:.1f} s")  # fmt: skip
            today = (START + timedelta(days=SPAN_DAYS)).date()
            letters = db.session.scalars(select(Newsletter)).all()
            client = app.test_client()
            timings = {
                "plain COUNT(*) of the events (baseline)": lambda: db.session.scalar(
                    select(func.count()).select_from(SubscriptionEvent)
                ),
                "growth, 26 weeks": lambda: growth.weekly_growth(26, today),
                "growth, 104 weeks (all history)": lambda: growth.weekly_growth(104, today),
                "arrivals and departures per letter": growth.flows_per_letter,
                "active subscribers by département": reach.active_by_departement,
                "local relays by département": reach.relays_by_departement,
                "territories table (all régions)": reach.presence_by_region,
                "one full letter report (100,000 deliveries)": lambda: letter_report(letters[-1]),
                "five letter summaries (dashboard)": lambda: [
                    letter_report(n, detailed=False) for n in letters
                ],
                "whole dashboard page (GET /admin/)": lambda: client.get("/admin/"),
                "whole territories page": lambda: client.get("/admin/territories/"),
            }
            results = {name: best_of(f) for name, f in timings.items()}
            status = client.get("/admin/").status_code
            db.session.remove()
            db.engine.dispose()
    assert status == 200, status
    baseline = results["plain COUNT(*) of the events (baseline)"]
    print(f"{'query':42} {'best ms':>9} {'x COUNT(*)':>11}")
    for name, ms in results.items():
        print(f"{name:42} {ms:9.1f} {ms / baseline:10.2f}x")


if __name__ == "__main__":
    main()
