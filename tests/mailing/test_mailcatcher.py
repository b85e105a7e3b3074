"""Tests of the development mail catcher over real loopback sockets."""

from __future__ import annotations

import email.policy
import os
import signal
import smtplib
import socket
import subprocess
import sys
import time
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path

import pytest

from cac_news.devtools.mailcatcher import MailCatcher

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    """Return a loopback port that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, proc: subprocess.Popen, timeout: float = 10.0) -> None:
    """Wait until something accepts connections on the port, or fail."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            out, err = proc.communicate()
            pytest.fail(f"mail catcher exited early ({proc.returncode}):\n{out}\n{err}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    pytest.fail(f"mail catcher did not listen on port {port} within {timeout} s")


def parse(path: Path) -> EmailMessage:
    """Parse a stored .eml file."""
    with path.open("rb") as fh:
        return BytesParser(policy=email.policy.default).parse(fh)


def make_message(subject: str, sender: str, to: list[str], body: str) -> EmailMessage:
    """Build a plain-text message."""
    msg = EmailMessage()
    msg["Subject"] = subject
    msg["From"] = sender
    msg["To"] = ", ".join(to)
    msg.set_content(body)
    return msg


def test_stores_each_message_with_its_envelope(tmp_path: Path) -> None:
    outbox = tmp_path / "outbox"  # does not exist yet: the catcher creates it
    with MailCatcher(outbox, port=0) as catcher:
        assert catcher.port != 0
        assert outbox.is_dir()
        with smtplib.SMTP("127.0.0.1", catcher.port, timeout=10) as client:
            client.send_message(
                make_message(
                    "Première lettre — réunion à Saint-Étienne",
                    "lettre@cac.example",
                    ["alice@example.org", "bob@example.net"],
                    "Bonjour à toutes et à tous,\nla réunion aura lieu jeudi.\n",
                ),
                from_addr="bounces@cac.example",
                to_addrs=["alice@example.org", "bob@example.net"],
            )
            client.send_message(
                make_message(
                    "Second message",
                    "lettre@cac.example",
                    ["carol@example.com"],
                    "Plain ASCII body.\n",
                )
            )
        files = catcher.messages()

    assert len(files) == 2
    assert sorted(outbox.glob("*.eml")) == files
    assert not [p for p in outbox.iterdir() if p.suffix != ".eml"], "temporary file left behind"
    assert files[0].name != files[1].name

    first, second = (parse(p) for p in files)  # sorted by name == sorted by arrival

    assert first["Subject"] == "Première lettre — réunion à Saint-Étienne"
    assert "la réunion aura lieu jeudi." in first.get_content()
    assert first["X-Envelope-From"] == "<bounces@cac.example>"
    assert first.get_all("X-Envelope-To") == ["<alice@example.org>", "<bob@example.net>"]

    assert second["Subject"] == "Second message"
    assert second.get_content().strip() == "Plain ASCII body."
    assert second["X-Envelope-From"] == "<lettre@cac.example>"
    assert second.get_all("X-Envelope-To") == ["<carol@example.com>"]

    # The envelope lines come first, so a person opening the file sees them at once.
    head = files[0].read_bytes().split(b"\n", 3)
    assert head[0].startswith(b"X-Envelope-From: ")
    assert head[1].startswith(b"X-Envelope-To: ")


def test_advertises_smtputf8_and_30_mb_limit(tmp_path: Path) -> None:
    with MailCatcher(tmp_path, port=0) as catcher:
        with smtplib.SMTP("127.0.0.1", catcher.port, timeout=10) as client:
            client.ehlo()
            assert client.has_extn("smtputf8")
            assert client.esmtp_features["size"] == str(30 * 1024 * 1024)
            client.send_message(
                make_message("Accents", "lettre@cac.example", ["josé@exemple.fr"], "Olá.\n"),
                to_addrs=["josé@exemple.fr"],
            )
        (path,) = catcher.messages()
    msg = parse(path)
    assert msg.get_all("X-Envelope-To") == ["<josé@exemple.fr>"]
    assert msg.get_content().strip() == "Olá."


def test_stop_is_idempotent_and_frees_the_port(tmp_path: Path) -> None:
    catcher = MailCatcher(tmp_path, port=0).start()
    port = catcher.port
    catcher.stop()
    catcher.stop()
    with pytest.raises(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
        pass


def test_module_entry_point_runs_until_sigterm(tmp_path: Path) -> None:
    outbox = tmp_path / "outbox"
    port = free_port()
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(PROJECT_ROOT), env.get("PYTHONPATH")]))
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "cac_news.devtools.mailcatcher",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--outbox",
            str(outbox),
        ],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_for_port(port, proc)
        with smtplib.SMTP("127.0.0.1", port, timeout=10) as client:
            client.send_message(
                make_message("Test CLI", "a@example.org", ["b@example.org"], "Hello.\n")
            )
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=15)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()

    assert proc.returncode == 0, err
    files = sorted(outbox.glob("*.eml"))
    assert len(files) == 1
    msg = parse(files[0])
    assert msg["Subject"] == "Test CLI"
    assert msg.get_all("X-Envelope-To") == ["<b@example.org>"]
    assert f"127.0.0.1:{port}" in out
    assert str(outbox.resolve()) in out
    assert files[0].name in out  # one log line per received message
