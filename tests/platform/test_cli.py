"""Command line: pilots and demo data."""

import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import func, select

from cac_news.extensions import db
from cac_news.models import Pilot, Subscriber

ROOT = Path(__file__).resolve().parents[2]


def test_pilots_create_reads_the_password_twice_from_stdin(runner):
    result = runner.invoke(
        args=["pilots", "create", "Marie@Exemple.ORG", "--name", "Marie", "--role", "admin"],
        input="a very good password\na very good password\n",
    )
    assert result.exit_code == 0, result.output
    pilot = db.session.scalar(select(Pilot))
    assert pilot.email == "marie@exemple.org"
    assert pilot.role == "admin"
    assert pilot.check_password("a very good password")


def test_pilots_create_refuses_different_passwords(runner):
    result = runner.invoke(
        args=["pilots", "create", "m@exemple.org", "--name", "M"],
        input="a very good password\nanother password!!\n",
    )
    assert result.exit_code != 0
    assert "differ" in result.output
    assert db.session.scalar(select(func.count()).select_from(Pilot)) == 0


def test_pilots_create_names_the_bad_field(runner, make_pilot):
    make_pilot(email="taken@exemple.org")
    short = runner.invoke(
        args=["pilots", "create", "new@exemple.org", "--name", "N"], input="short\nshort\n"
    )
    assert short.exit_code != 0 and "password" in short.output
    duplicate = runner.invoke(
        args=["pilots", "create", "TAKEN@exemple.org", "--name", "N"],
        input="long enough password\nlong enough password\n",
    )
    assert duplicate.exit_code != 0 and "email" in duplicate.output
    bad = runner.invoke(
        args=["pilots", "create", "not-an-address", "--name", "N"],
        input="long enough password\nlong enough password\n",
    )
    assert bad.exit_code != 0 and "email" in bad.output


def test_pilots_create_never_takes_the_password_from_argv(runner):
    result = runner.invoke(args=["pilots", "create", "--help"])
    assert "--password" not in result.output


def test_demo_seeds_an_empty_database_once(runner, app):
    first = runner.invoke(args=["demo"])
    assert first.exit_code == 0, first.output
    assert "pilote.demo@example.org" in first.output
    password = first.output.rsplit("password ", 1)[1].strip()
    pilot = db.session.scalar(select(Pilot))
    assert pilot.check_password(password)
    subscribers = db.session.scalars(select(Subscriber)).all()
    assert 45 <= len(subscribers) <= 55
    assert len({s.territory_code for s in subscribers}) >= 5
    assert len({m.slug for s in subscribers for m in s.modes}) >= 3
    assert all(s.events for s in subscribers)  # every status came through an event
    from cac_news.models import ActionReport, RoadmapItem

    assert db.session.scalar(select(func.count()).select_from(RoadmapItem)) >= 4
    assert (
        db.session.scalar(
            select(func.count()).select_from(ActionReport).where(ActionReport.published)
        )
        >= 4
    )
    login_file = Path(app.instance_path) / "demo-login.txt"
    assert password in login_file.read_text()

    again = runner.invoke(args=["demo"])
    assert again.exit_code != 0 and "already" in again.output
    quiet = runner.invoke(args=["demo", "--if-empty"])
    assert quiet.exit_code == 0
    assert db.session.scalar(select(func.count()).select_from(Subscriber)) == len(subscribers)


def test_flask_db_upgrade_and_pilots_create_as_real_commands(tmp_path):
    """The README's commands, run as a person runs them, from the repository root."""
    env = {
        **os.environ,
        "CAC_NEWS_SECRET_KEY": "cli-test",
        "CAC_NEWS_INSTANCE_PATH": str(tmp_path),
        "CAC_NEWS_SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'cli.db'}",
    }
    flask = [sys.executable, "-m", "flask", "--app", "app"]
    upgrade = subprocess.run(
        [*flask, "db", "upgrade"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert upgrade.returncode == 0, upgrade.stderr
    create = subprocess.run(
        [*flask, "pilots", "create", "cli@exemple.org", "--name", "Cli", "--role", "editor"],
        cwd=ROOT,
        env=env,
        input="password from stdin\npassword from stdin\n",
        capture_output=True,
        text=True,
    )
    assert create.returncode == 0, create.stderr
    listing = subprocess.run(
        [*flask, "pilots", "list"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert "cli@exemple.org" in listing.stdout and "editor" in listing.stdout
