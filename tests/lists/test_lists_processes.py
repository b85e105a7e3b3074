"""The real processes an MTA talks to: `flask lists serve` (LMTP) and `flask lists deliver`
(a pipe), then `flask worker` delivering the post to every member."""

from __future__ import annotations

import smtplib
import subprocess
import sys
import time

import pytest

from tests.fixtures.database import free_port
from tests.lists_helpers import LIST_CONFIG, make_list, message
from tests.mailing.test_engine_processes import ROOT, wait_for, worker_env


@pytest.fixture
def config_overrides():
    return dict(LIST_CONFIG)


def flask(*args):
    """`python -m flask --app app ARGS` (run from the repository root)."""
    return [sys.executable, "-m", "flask", "--app", "app", *args]


def test_lmtp_server_process_then_worker_process(app, tmp_path, smtp_server, make_subscriber):
    make_list(make_subscriber)
    env = worker_env(app, tmp_path, DMARC_LOOKUP="false")
    port = free_port()
    server = subprocess.Popen(
        flask("lists", "serve", "--port", str(port)), cwd=ROOT, env=env,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:

        def listening() -> bool:
            try:
                with smtplib.LMTP("127.0.0.1", port) as probe:
                    return probe.noop()[0] == 250
            except OSError:
                time.sleep(0.1)
                return False

        wait_for(listening, timeout=30)
        with smtplib.LMTP("127.0.0.1", port) as client:
            assert client.sendmail("ana@example.net", ["gt@example.org"], message()) == {}
            with pytest.raises(smtplib.SMTPRecipientsRefused):
                client.sendmail("ana@example.net", ["nope@example.org"], message(subject="x"))
    finally:
        server.terminate()
        server.wait(timeout=10)
    worker = subprocess.run(
        flask("worker", "--until-idle"), cwd=ROOT, env=env, capture_output=True,
        text=True, timeout=120, check=False,
    )  # fmt: skip
    assert worker.returncode == 0, worker.stdout + worker.stderr
    assert sorted(m.rcpt_tos[0] for m in smtp_server.messages) == [
        "ana@example.net", "bob@example.net", "chloe@example.net",
    ]  # fmt: skip


def test_deliver_process_exit_codes(app, tmp_path, make_subscriber):
    make_list(make_subscriber)
    env = worker_env(app, tmp_path, DMARC_LOOKUP="false")
    run = lambda rcpt: subprocess.run(  # noqa: E731
        flask("lists", "deliver", "--recipient", rcpt), cwd=ROOT, env=env,
        input=message(subject=rcpt), capture_output=True, timeout=60, check=False,
    )  # fmt: skip
    assert run("gt@example.org").returncode == 0
    assert run("nope@example.org").returncode == 67
    down = dict(env, CAC_NEWS_SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/no/such/dir.db")
    result = subprocess.run(
        flask("lists", "deliver", "--recipient", "gt@example.org"), cwd=ROOT, env=down,
        input=message(), capture_output=True, timeout=60, check=False,
    )  # fmt: skip
    assert result.returncode == 75, result.stderr
