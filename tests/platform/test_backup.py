"""`backup` while a real worker process sends, `restore` into a new instance folder:
every subscriber, delivery and archived copy comes back; a restore never overwrites a
database that holds data. SQLite through its online backup API, PostgreSQL through
pg_dump/pg_restore against the real server."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from cac_news.extensions import db
from cac_news.mailing import sending
from cac_news.models import ArchivedCopy, Delivery, Subscriber
from tests.fixtures.database import USING_POSTGRESQL
from tests.mailing.test_engine_processes import start_worker, wait_for, worker_env

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


def flask_command(env: dict, *args: str) -> subprocess.CompletedProcess:
    """`python -m flask --app app ARGS` from the repository root."""
    return subprocess.run(  # noqa: S603
        [sys.executable, "-m", "flask", "--app", "app", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def snapshot(uri: str) -> dict:
    """What a restore must bring back, read straight from a database."""
    engine = create_engine(uri)
    with engine.connect() as conn:
        state = {
            "subscribers": set(conn.execute(select(Subscriber.email)).scalars()),
            "deliveries": set(conn.execute(select(Delivery.id, Delivery.email))),
            "sent": conn.execute(
                select(func.count()).select_from(Delivery).where(Delivery.status == "sent")
            ).scalar_one(),
            "copies": set(conn.execute(select(ArchivedCopy.number, ArchivedCopy.digest))),
        }
    engine.dispose()
    return state


def backup_during_a_send(app, tmp_path, smtp_server, make_subscriber, make_newsletter):
    """Start a send with a real worker, back up mid-send; (archive path, env, emails)."""
    emails = {make_subscriber(email=f"b{i:03d}@exemple.org").email for i in range(150)}
    newsletter = make_newsletter("Lettre sauvegardée")
    sending.start_send(newsletter)
    db.session.commit()
    media = Path(app.instance_path) / "media"
    media.mkdir(parents=True)
    (media / "affiche.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 64)
    # A slow send (15 s for 150): the backup command, slow to start on a busy machine,
    # still finds it going on.
    env = worker_env(app, tmp_path, SEND_RATE=10, SEND_BATCH_SIZE=10, LEASE_SECONDS=2)
    env["CAC_NEWS_INSTANCE_PATH"] = app.instance_path
    worker = start_worker(env)
    try:
        wait_for(lambda: len(smtp_server.messages) >= 20 or worker.poll() is not None)
        assert worker.poll() is None, worker.stdout.read()
        result = flask_command(env, "backup", str(tmp_path / "backups"))
        assert result.returncode == 0, result.stdout + result.stderr
        assert len(smtp_server.messages) < 150  # the send was still going on
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    archive = Path(re.search(r"Backup written to (\S+)", result.stdout).group(1))
    return archive, env, emails, result.stdout


def restore_target(env: dict, tmp_path: Path) -> tuple[dict, str]:
    """The environment of a new, empty instance to restore into, and its database URI:
    a new SQLite file, or a new database on the same PostgreSQL server."""
    restore_env = {k: v for k, v in env.items() if k != "CAC_NEWS_SQLALCHEMY_DATABASE_URI"}
    restore_env["CAC_NEWS_INSTANCE_PATH"] = str(tmp_path / "restored")
    if not USING_POSTGRESQL:
        return restore_env, f"sqlite:///{tmp_path / 'restored' / 'cac_news.db'}"
    source = make_url(env["CAC_NEWS_SQLALCHEMY_DATABASE_URI"])
    target = source.set(database=f"{source.database}_restore")
    admin = create_engine(source, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{target.database}"'))
        conn.execute(text(f'CREATE DATABASE "{target.database}"'))
    admin.dispose()
    uri = target.render_as_string(hide_password=False)
    restore_env["CAC_NEWS_SQLALCHEMY_DATABASE_URI"] = uri
    return restore_env, uri


def test_backup_mid_send_restores_everything_into_a_new_instance(
    app, tmp_path, smtp_server, make_subscriber, make_newsletter
):
    """Each suite runs it on its own engine: SQLite's online backup API, or pg_dump."""
    archive, env, emails, output = backup_during_a_send(
        app, tmp_path, smtp_server, make_subscriber, make_newsletter
    )
    assert ("pg_dump" if USING_POSTGRESQL else "online backup API") in output
    original = snapshot(app.config["SQLALCHEMY_DATABASE_URI"])

    restore_env, restored_uri = restore_target(env, tmp_path)
    result = flask_command(restore_env, "restore", str(archive))
    assert result.returncode == 0, result.stdout + result.stderr
    restored = snapshot(restored_uri)

    assert restored["subscribers"] == original["subscribers"] == emails
    assert restored["deliveries"] == original["deliveries"]  # frozen at send start
    assert len(restored["deliveries"]) == 150
    assert restored["copies"] == original["copies"] and len(restored["copies"]) == 1
    assert 0 < restored["sent"] <= original["sent"]  # a moment of the send, consistent
    restored_media = tmp_path / "restored" / "media" / "affiche.png"
    assert restored_media.read_bytes().startswith(b"\x89PNG")
    if not USING_POSTGRESQL:
        with create_engine(restored_uri).connect() as conn:
            assert conn.execute(text("PRAGMA integrity_check")).scalar_one() == "ok"

    # The restored instance runs: the app reads it and a worker finishes the send there.
    finish = flask_command(restore_env, "worker", "--until-idle")
    assert finish.returncode == 0, finish.stdout + finish.stderr
    assert snapshot(restored_uri)["sent"] == 150


def test_restore_refuses_a_database_that_holds_data(app, tmp_path, make_subscriber):
    make_subscriber(email="garde@exemple.org")
    env = worker_env(app, tmp_path)
    env["CAC_NEWS_INSTANCE_PATH"] = app.instance_path
    made = flask_command(env, "backup", str(tmp_path / "backups"))
    assert made.returncode == 0, made.stderr
    archive = re.search(r"Backup written to (\S+)", made.stdout).group(1)
    make_subscriber(email="apres@exemple.org")
    refused = flask_command(env, "restore", archive)
    assert refused.returncode != 0
    assert "is not empty: restore refused" in refused.stderr
    assert snapshot(app.config["SQLALCHEMY_DATABASE_URI"])["subscribers"] == {
        "garde@exemple.org",
        "apres@exemple.org",
    }
