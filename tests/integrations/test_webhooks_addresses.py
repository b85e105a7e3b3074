"""Where webhooks may go: private addresses refused at registration (unless
WEBHOOK_ALLOW_PRIVATE) and again at connection time (DNS rebinding)."""

from __future__ import annotations

import socket

import pytest
from sqlalchemy import select

from cac_news.audience import rights
from cac_news.errors import ValidationError
from cac_news.extensions import db
from cac_news.integrations import endpoints, sender
from cac_news.integrations.addresses import is_public
from cac_news.models import WebhookDelivery, WebhookEndpoint
from tests.webhook_helpers import start_receiver

PUBLIC_NAME = "hooks.example.org"
PUBLIC_ADDRESS = "93.184.215.14"  # a public-looking address; never connected to here
real_getaddrinfo = socket.getaddrinfo


@pytest.fixture
def receiver():
    recorder, server = start_receiver()
    try:
        yield recorder
    finally:
        server.shutdown()
        server.server_close()


def fake_dns(monkeypatch, answers: dict[str, list[str]]) -> None:
    """Answer these names with these addresses; other names resolve as usual.

    DNS is not reachable offline, so a name's answers are made up here by replacing
    socket.getaddrinfo, which is exactly what the app asks (at registration and at each
    connection), so the rebinding below is the real code path.
    """

    def getaddrinfo(host, port, *args, **kwargs):
        if host in answers:
            family = {True: socket.AF_INET6, False: socket.AF_INET}
            return [(family[":" in a], socket.SOCK_STREAM, 6, "", (a, port)) for a in answers[host]]
        return real_getaddrinfo(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254", "100.64.0.1",
        "0.0.0.0", "224.0.0.1", "240.0.0.1", "255.255.255.255", "::1", "fe80::1", "fc00::1",
        "::ffff:127.0.0.1", "::ffff:10.0.0.1", "ff02::1", "::",
    ],
)  # fmt: skip
def test_non_public_addresses(address):
    assert not is_public(address)


def test_public_addresses():
    assert is_public(PUBLIC_ADDRESS)
    assert is_public("2606:4700:4700::1111")


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8080/hook",
        "http://localhost/hook",  # /etc/hosts: loopback
        "http://[::1]/hook",
        "http://10.0.0.5/hook",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::ffff:127.0.0.1]/hook",
        "http://2130706433/hook",  # 127.0.0.1 written as one number
        "http://0x7f000001/hook",
    ],
)
def test_private_urls_refused_at_registration(app, url):
    with pytest.raises(ValidationError) as caught:
        endpoints.create_endpoint(url, ["subscriber.unsubscribed"], app.config)
    assert "url" in caught.value.errors
    assert db.session.scalar(select(WebhookEndpoint.id)) is None


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("ftp://files.example.org/in", "http"),
        ("file:///etc/passwd", "http"),
        ("gopher://example.org/", "http"),
        ("https://user:secret@example.org/hook", "mot de passe"),
        ("https:///nohost", "hôte"),
        ("https://example.org/a b", "URL"),
        ("https://example.org/hook#part", "fragment"),
        ("https://example.org:99999/hook", "illisible"),
    ],
)
def test_bad_urls_refused(app, url, why):  # the messages speak French by default
    app.config["WEBHOOK_ALLOW_PRIVATE"] = True  # refused whatever the address setting
    with pytest.raises(ValidationError) as caught:
        endpoints.create_endpoint(url, ["subscriber.unsubscribed"], app.config)
    assert why in " ".join(caught.value.errors["url"])


def test_unknown_events_refused(app):
    app.config["WEBHOOK_ALLOW_PRIVATE"] = True
    with pytest.raises(ValidationError) as caught:
        endpoints.create_endpoint("http://127.0.0.1/", ["subscriber.deleted"], app.config)
    assert "subscriber.deleted" in caught.value.errors["events"][0]
    with pytest.raises(ValidationError) as caught:
        endpoints.create_endpoint("http://127.0.0.1/", [], app.config)
    assert "events" in caught.value.errors


def test_loopback_accepted_with_the_setting(app, receiver, make_subscriber):
    app.config["WEBHOOK_ALLOW_PRIVATE"] = True
    endpoint, _ = endpoints.create_endpoint(receiver.url, ["subscriber.unsubscribed"], app.config)
    assert endpoint.id is not None
    rights.unsubscribe(make_subscriber())
    sender.send_due(app.config)
    assert len(receiver.requests) == 1


def test_public_name_accepted_then_refused_when_it_rebinds_to_loopback(
    app, receiver, make_subscriber, monkeypatch
):
    url = f"http://{PUBLIC_NAME}:{receiver.port}/hook"
    fake_dns(monkeypatch, {PUBLIC_NAME: [PUBLIC_ADDRESS]})
    endpoint, _ = endpoints.create_endpoint(url, ["subscriber.unsubscribed"], app.config)
    rights.unsubscribe(make_subscriber())

    fake_dns(monkeypatch, {PUBLIC_NAME: ["127.0.0.1"]})  # the name now points inside
    sender.send_due(app.config)

    assert receiver.requests == []  # never connected
    delivery = db.session.scalars(select(WebhookDelivery)).one()
    assert delivery.status == "failed" and delivery.last_status_code is None
    assert "privée" in delivery.last_answer and "127.0.0.1" in delivery.last_answer
    assert endpoint.failing_since is not None


def test_one_private_address_among_public_ones_is_refused(
    app, receiver, make_subscriber, monkeypatch
):
    fake_dns(monkeypatch, {PUBLIC_NAME: [PUBLIC_ADDRESS]})
    url = f"http://{PUBLIC_NAME}:{receiver.port}/hook"
    endpoints.create_endpoint(url, ["subscriber.unsubscribed"], app.config)
    rights.unsubscribe(make_subscriber())
    fake_dns(monkeypatch, {PUBLIC_NAME: [PUBLIC_ADDRESS, "127.0.0.1"]})
    sender.send_due(app.config)
    assert receiver.requests == []
    assert "privée" in db.session.scalars(select(WebhookDelivery)).one().last_answer


def test_registration_refuses_a_name_with_any_private_address(app, monkeypatch):
    fake_dns(monkeypatch, {PUBLIC_NAME: [PUBLIC_ADDRESS, "10.0.0.7"]})
    with pytest.raises(ValidationError, match="10.0.0.7"):
        endpoints.create_endpoint(f"https://{PUBLIC_NAME}/", ["newsletter.sent"], app.config)


def test_connects_to_the_checked_address_with_the_name_in_host(
    app, receiver, make_subscriber, monkeypatch
):
    # With the setting on, the name resolves to the receiver: the request reaches the
    # address that was checked, and still names the host the URL named.
    app.config["WEBHOOK_ALLOW_PRIVATE"] = True
    fake_dns(monkeypatch, {PUBLIC_NAME: ["127.0.0.1"]})
    url = f"http://{PUBLIC_NAME}:{receiver.port}/hook"
    endpoints.create_endpoint(url, ["subscriber.unsubscribed"], app.config)
    rights.unsubscribe(make_subscriber())
    sender.send_due(app.config)
    (request,) = receiver.requests
    assert request.headers["host"] == f"{PUBLIC_NAME}:{receiver.port}"
