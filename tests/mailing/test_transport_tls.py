"""STARTTLS, implicit TLS and AUTH through the pool, against real aiosmtpd servers."""

from __future__ import annotations

import socket
import ssl
import subprocess
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from cac_news.mailing.transport import SENT, TEMPORARY, SMTPSender

MESSAGE = b"From: a@example.org\r\nTo: b@exemple.org\r\nSubject: t\r\n\r\nbody\r\n"


def free_port() -> int:
    """A loopback port that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Recorder:
    """Keeps who sent what, and whether the session was encrypted and authenticated."""

    def __init__(self) -> None:
        self.sessions: list[tuple[bool, str | None, bytes]] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        encrypted = server.transport.get_extra_info("ssl_object") is not None
        login = session.auth_data.login.decode() if session.authenticated else None
        self.sessions.append((encrypted, login, envelope.content))
        return "250 OK"


def authenticator(server, session, envelope, mechanism, auth_data) -> AuthResult:
    """Accept one login/password pair."""
    ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (
        b"lettre",
        b"s3cret",
    )
    return AuthResult(success=ok, handled=False, auth_data=auth_data)


@pytest.fixture(scope="module")
def certificate(tmp_path_factory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1."""
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-keyout", str(key), "-out", str(cert), "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1"],
        check=True, capture_output=True,
    )  # fmt: skip
    return cert, key


@pytest.fixture
def trust(certificate, monkeypatch):
    """Make ssl.create_default_context() trust the test certificate."""
    monkeypatch.setenv("SSL_CERT_FILE", str(certificate[0]))
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(*certificate)
    return context


def start(recorder: Recorder, **kwargs) -> Controller:
    """Start a server on a free port."""
    controller = Controller(
        recorder, hostname="127.0.0.1", port=free_port(), server_hostname="smtp.test", **kwargs
    )
    controller.start()
    return controller


def config(controller: Controller, **extra) -> dict:
    """Settings pointing at the server."""
    return {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": controller.port, "MAIL_TIMEOUT": 5, **extra}


def test_starttls_and_auth(trust) -> None:
    recorder = Recorder()
    controller = start(
        recorder, tls_context=trust, require_starttls=True, authenticator=authenticator
    )
    settings = config(controller, MAIL_USE_TLS=True, MAIL_USERNAME="lettre", MAIL_PASSWORD="s3cret")
    sender = SMTPSender(settings)
    try:
        results = [sender.send("a@example.org", "b@exemple.org", MESSAGE) for _ in range(3)]
    finally:
        sender.close()
        controller.stop()
    assert [r.status for r in results] == [SENT] * 3
    assert recorder.sessions == [(True, "lettre", MESSAGE)] * 3


def test_wrong_password_is_a_temporary_connect_failure(trust) -> None:
    recorder = Recorder()
    controller = start(
        recorder, tls_context=trust, require_starttls=True, authenticator=authenticator
    )
    settings = config(controller, MAIL_USE_TLS=True, MAIL_USERNAME="lettre", MAIL_PASSWORD="wrong")
    try:
        result = SMTPSender(settings).send("a@example.org", "b@exemple.org", MESSAGE)
    finally:
        controller.stop()
    assert (result.status, result.stage, result.code) == (TEMPORARY, "connect", 535)
    assert recorder.sessions == []


def test_starttls_refused_without_trust(certificate) -> None:
    # No SSL_CERT_FILE: the self-signed certificate must not be accepted.
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(*certificate)
    recorder = Recorder()
    controller = start(recorder, tls_context=context, require_starttls=True)
    try:
        result = SMTPSender(config(controller, MAIL_USE_TLS=True)).send(
            "a@example.org", "b@exemple.org", MESSAGE
        )
    finally:
        controller.stop()
    assert (result.status, result.stage) == (TEMPORARY, "connect")
    assert "certificate" in result.text.lower()
    assert recorder.sessions == []


def test_implicit_tls(trust) -> None:
    recorder = Recorder()
    controller = start(recorder, ssl_context=trust)
    sender = SMTPSender(config(controller, MAIL_USE_SSL=True))
    try:
        result = sender.send("a@example.org", "b@exemple.org", MESSAGE)
    finally:
        sender.close()
        controller.stop()
    assert result.status == SENT
    assert recorder.sessions == [(True, None, MESSAGE)]
