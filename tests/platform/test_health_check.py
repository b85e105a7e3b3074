"""`GET /healthz` against a real database (and an unreachable one), and `check` against a
real SMTP server with AUTH, a real DNS server on loopback, and missing pieces."""

from __future__ import annotations

import socket
import threading

import dns.message
import dns.resolver
import dns.rrset
import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

from cac_news import create_app
from cac_news.selfcheck import Level, check_dns
from tests.dkim_keys import make_dkim_key
from tests.fixtures.database import base_config, free_port
from tests.fixtures.mail import SMTPRecorder


def test_healthz_answers_json(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok"}
    assert "csrf_token" not in response.data.decode()


def test_healthz_is_503_when_the_database_is_unreachable(tmp_path):
    closed = f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/nothing?connect_timeout=2"
    app = create_app(base_config(tmp_path / "instance", closed))
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json["database"] == "unreachable"


class Authenticator:
    """aiosmtpd authenticator accepting one user and password."""

    def __call__(self, server, session, envelope, mechanism, auth_data):
        ok = auth_data.login == b"lettre" and auth_data.password == b"bon-mot-de-passe"
        return AuthResult(success=ok, handled=False)  # let aiosmtpd answer 535


@pytest.fixture
def auth_smtp(app):
    """A real SMTP server requiring AUTH (plain text on loopback)."""
    controller = Controller(
        SMTPRecorder(),
        hostname="127.0.0.1",
        port=free_port(),
        authenticator=Authenticator(),
        auth_require_tls=False,
    )
    controller.start()
    app.config.update(MAIL_PORT=controller.port, MAIL_USERNAME="lettre")
    yield controller
    controller.stop()


@pytest.fixture
def production(app):
    """Settings a deployment could pass with."""
    app.config.update(
        SECRET_KEY="k" * 48, SITE_URL="https://lettre.example.org", MAIL_PASSWORD="bon-mot-de-passe"
    )
    return app


def test_check_passes_on_a_sound_configuration(production, auth_smtp, runner):
    result = runner.invoke(args=["check", "--no-dns"])
    assert result.exit_code == 0, result.output
    assert "[     ok] SMTP: MAIL_SERVER 127.0.0.1" in result.output
    assert "AUTH ok" in result.output


def test_check_names_the_server_and_its_answer_when_auth_is_refused(production, auth_smtp, runner):
    production.config["MAIL_PASSWORD"] = "mauvais"
    result = runner.invoke(args=["check", "--no-dns"])
    assert result.exit_code == 1
    line = next(text for text in result.output.splitlines() if "SMTP" in text)
    assert "fatal" in line and f"127.0.0.1:{auth_smtp.port}" in line
    assert "AUTH refused: 535" in line


def test_check_fails_on_each_fatal_problem(production, runner, tmp_path):
    production.config.update(
        SECRET_KEY="short",
        SITE_URL="http://lettre.example.org",
        DKIM_KEY_FILE=str(tmp_path / "missing.pem"),
        BOUNCE_IMAP_HOST="127.0.0.1",
        BOUNCE_IMAP_PORT=free_port(),
        BOUNCE_IMAP_SSL=False,
    )  # and MAIL_PORT points at a port nothing listens on
    result = runner.invoke(args=["check", "--no-dns", "--web-processes", "3"])
    assert result.exit_code == 1
    fatal = {
        line.split("] ")[1].split(":")[0]
        for line in result.output.splitlines()
        if line.startswith("[  fatal]")
    }
    assert fatal == {
        "SECRET_KEY",
        "SITE_URL",
        "SMTP",
        "RATELIMIT_STORAGE_URI",
        "DKIM_KEY_FILE",
        "BOUNCE_IMAP_HOST",
    }
    assert "connect failed" in result.output


def test_check_accepts_a_readable_dkim_key_and_redis(production, auth_smtp, runner, tmp_path):
    key, _record = make_dkim_key(tmp_path)
    production.config.update(
        DKIM_KEY_FILE=str(key), RATELIMIT_STORAGE_URI="redis://127.0.0.1:6379/13"
    )
    result = runner.invoke(args=["check", "--no-dns", "--web-processes", "4"])
    assert result.exit_code == 0, result.output
    assert "[     ok] DKIM_KEY_FILE" in result.output
    assert "[     ok] RATELIMIT_STORAGE_URI: redis://" in result.output


class LoopbackDNS:
    """A tiny authoritative DNS server on a loopback UDP port, answering TXT from a dict."""

    def __init__(self, records: dict[str, str]) -> None:
        self.records = records
        self.socket = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.socket.bind(("127.0.0.1", 0))
        self.port = self.socket.getsockname()[1]
        threading.Thread(target=self.serve, daemon=True).start()

    def serve(self) -> None:
        while True:
            try:
                data, peer = self.socket.recvfrom(4096)
            except OSError:
                return
            query = dns.message.from_wire(data)
            response = dns.message.make_response(query)
            question = query.question[0]
            name = question.name.to_text().rstrip(".")
            if name in self.records:
                response.answer.append(
                    dns.rrset.from_text(question.name, 60, "IN", "TXT", f'"{self.records[name]}"')
                )
            else:
                response.set_rcode(dns.rcode.NXDOMAIN)
            self.socket.sendto(response.to_wire(), peer)

    def resolver(self) -> dns.resolver.Resolver:
        resolver = dns.resolver.Resolver(configure=False)
        resolver.nameservers = ["127.0.0.1"]
        resolver.port = self.port
        return resolver


def test_dns_records_found_and_missing(app):
    app.config.update(MAIL_FROM="Lettre <lettre@cac.example>", DKIM_SELECTOR="cac2026")
    server = LoopbackDNS(
        {"cac.example": "v=spf1 mx -all", "_dmarc.cac.example": "v=DMARC1; p=quarantine"}
    )
    findings = {f.name: f for f in check_dns(app.config, server.resolver())}
    server.socket.close()
    assert findings["SPF"].level is Level.OK and "v=spf1 mx -all" in findings["SPF"].message
    assert findings["DMARC"].level is Level.OK
    assert findings["DKIM"].level is Level.WARNING
    assert "publish cac2026._domainkey.cac.example TXT" in findings["DKIM"].message


def test_dns_lookups_degrade_gracefully_offline(app):
    resolver = dns.resolver.Resolver(configure=False)
    resolver.nameservers = ["127.0.0.1"]
    resolver.port = free_port()  # nothing answers there: as good as offline
    findings = check_dns(app.config, resolver)
    assert [f.level for f in findings] == [Level.SKIPPED] * 3
    assert "no DNS access" in findings[0].message
