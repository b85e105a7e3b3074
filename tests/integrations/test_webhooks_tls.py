"""Webhooks over https: the connection goes to the checked address while TLS checks the
certificate against the URL's name (SNI), not against the address."""

from __future__ import annotations

import socket
import ssl
import subprocess

import pytest
from sqlalchemy import select

from cac_news.audience import rights
from cac_news.extensions import db
from cac_news.integrations import endpoints, sender
from cac_news.models import WebhookDelivery
from tests.webhook_helpers import start_receiver

NAME = "hooks.example.org"
real_getaddrinfo = socket.getaddrinfo


@pytest.fixture
def config_overrides():
    return {"WEBHOOK_ALLOW_PRIVATE": True}  # the name resolves to loopback below


@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    """A self-signed certificate for the name only (not for 127.0.0.1)."""
    folder = tmp_path_factory.mktemp("webhook-tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-keyout", str(key), "-out", str(cert), "-subj", f"/CN={NAME}",
         "-addext", f"subjectAltName=DNS:{NAME}"],
        check=True, capture_output=True,
    )  # fmt: skip
    return cert, key


@pytest.fixture
def tls_receiver(certificate, monkeypatch):
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*certificate)
    recorder, server = start_receiver(tls=context)

    # No DNS offline: the name's answer is made up by replacing socket.getaddrinfo, the
    # very call the app makes before it checks and connects.
    def getaddrinfo(host, port, *args, **kwargs):
        if host == NAME:
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port))]
        return real_getaddrinfo(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    try:
        yield recorder
    finally:
        server.shutdown()
        server.server_close()


def post_one(app, url, make_subscriber) -> WebhookDelivery:
    endpoints.create_endpoint(url, ["subscriber.unsubscribed"], app.config)
    rights.unsubscribe(make_subscriber())
    sender.send_due(app.config)
    db.session.expire_all()
    return db.session.scalars(select(WebhookDelivery)).one()


def test_https_to_the_checked_address_with_the_names_certificate(
    app, tls_receiver, certificate, make_subscriber, monkeypatch
):
    monkeypatch.setenv("SSL_CERT_FILE", str(certificate[0]))  # trust the test certificate
    delivery = post_one(app, f"https://{NAME}:{tls_receiver.port}/hook", make_subscriber)
    assert delivery.status == "sent", delivery.last_answer
    (request,) = tls_receiver.requests
    assert request.headers["host"] == f"{NAME}:{tls_receiver.port}"


def test_untrusted_certificate_is_a_failure(app, tls_receiver, make_subscriber):
    delivery = post_one(app, f"https://{NAME}:{tls_receiver.port}/hook", make_subscriber)
    assert delivery.status == "failed"
    assert "CERTIFICATE_VERIFY_FAILED" in delivery.last_answer
    assert tls_receiver.requests == []


def test_certificate_must_match_the_name_not_the_address(
    app, tls_receiver, certificate, make_subscriber, monkeypatch
):
    monkeypatch.setenv("SSL_CERT_FILE", str(certificate[0]))
    # By address, the name's certificate does not match: refused.
    delivery = post_one(app, f"https://127.0.0.1:{tls_receiver.port}/hook", make_subscriber)
    assert delivery.status == "failed"
    assert "CERTIFICATE_VERIFY_FAILED" in delivery.last_answer or "match" in delivery.last_answer
