"""TIMEZONE: the organisation's time zone, for the agenda as for everything typed and shown."""

from __future__ import annotations

from datetime import datetime

import pytest

from cac_news import create_app
from cac_news.extensions import db
from cac_news.models import Event
from tests.fixtures.database import base_config


@pytest.fixture
def config_overrides() -> dict:
    """An organisation in Guadeloupe (UTC-4 all year)."""
    return {"TIMEZONE": "America/Guadeloupe"}


def test_times_are_read_and_shown_in_timezone(app, runner, client):
    assert app.config["BABEL_DEFAULT_TIMEZONE"] == "America/Guadeloupe"
    args = ["--title", "Réunion à Pointe-à-Pitre", "--start", "2027-03-29 10:00"]
    result = runner.invoke(args=["events", "create", *args, "--territory", "971"])
    assert result.exit_code == 0, result.output
    event = db.session.get(Event, int(result.output))
    assert event.starts_at == datetime(2027, 3, 29, 14, 0)
    assert "lundi 29 mars 2027, 10:00" in client.get(f"/agenda/{event.id}/").get_data(as_text=True)


def test_an_unknown_timezone_stops_the_start(tmp_path):
    config = {**base_config(tmp_path, "sqlite://"), "TIMEZONE": "Europe/Atlantis"}
    with pytest.raises(RuntimeError, match="Europe/Atlantis"):
        create_app(config)
