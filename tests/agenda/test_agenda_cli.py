"""`flask events create`: the id on stdout, times read in TIMEZONE, clear errors and a
non-zero exit with nothing stored."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import func, select

from cac_news.extensions import db
from cac_news.models import Event


def _count() -> int:
    return db.session.scalar(select(func.count()).select_from(Event))


def test_create_prints_the_id_and_reads_paris_time(app, runner):
    result = runner.invoke(
        args=[
            "events", "create", "--title", "Réunion du groupe", "--start", "2027-03-27 10:00",
            "--end", "2027-03-27 12:30", "--place", "108 rue Saint-Maur, Paris",
            "--territory", "75", "--kind", "reunion-du-groupe",
        ]
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    event = db.session.get(Event, int(result.output.strip()))
    assert event.starts_at == datetime(2027, 3, 27, 9, 0)  # UTC+1 in winter
    assert event.ends_at == datetime(2027, 3, 27, 11, 30)
    assert event.territory_code == "75" and event.kind.slug == "reunion-du-groupe"
    assert not event.internal


def test_all_day_internal_online_event(app, runner):
    result = runner.invoke(
        args=[
            "events", "create", "--title", "Séminaire des pilotes", "--start", "2027-07-01",
            "--all-day", "--internal", "--online", "https://visio.example.org/p",
            "--kind", "formation",
        ]
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    event = db.session.get(Event, int(result.output.strip()))
    assert event.all_day and event.internal
    assert event.start_date == event.end_date == date(2027, 7, 1)
    assert event.starts_at == datetime(2027, 6, 30, 22, 0)  # local midnight, UTC+2
    assert event.territory_code == "FR"


def test_errors_name_the_option_and_exit_non_zero(app, runner):
    cases = [
        (["--start", "27/03/2027"], "--start:"),
        (["--start", "2027-03-27 10:00", "--end", "2027-03-27 09:00"], "--end: La fin est avant"),
        (["--start", "2027-03-27 10:00", "--territory", "ZZ"], "--territory: Territoire inconnu"),
        (["--start", "2027-03-27 10:00", "--online", "ftp://x"], "--online:"),
        (["--start", "2027-03-27 10:00", "--kind", "pique-nique"], "--kind: no kind of event"),
    ]
    for extra, message in cases:
        result = runner.invoke(args=["events", "create", "--title", "Essai", *extra])
        assert result.exit_code != 0, extra
        assert message in result.output, (extra, result.output)
    assert runner.invoke(args=["events", "create", "--start", "2027-03-27 10:00"]).exit_code == 2
    assert _count() == 0
