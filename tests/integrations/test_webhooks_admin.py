"""The admin pages and the CLI of the webhooks: admins only, the secret shown once."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import select

from cac_news.audience import rights
from cac_news.extensions import db
from cac_news.integrations import endpoints
from cac_news.mailing.worker import Worker
from cac_news.models import WebhookDelivery, WebhookEndpoint
from tests.webhook_helpers import start_receiver

AXE = Path(__file__).resolve().parents[1] / "vendor" / "axe-core" / "axe.min.js"
SECRET = re.compile(r"whsec_[A-Za-z0-9+/=]{32}")


@pytest.fixture
def config_overrides():
    return {"WEBHOOK_ALLOW_PRIVATE": True}


@pytest.fixture
def receiver():
    recorder, server = start_receiver()
    try:
        yield recorder
    finally:
        server.shutdown()
        server.server_close()


def serious_violations(page) -> list:
    """axe-core's serious and critical findings on the page, with where they are."""
    page.evaluate(AXE.read_text(encoding="utf-8"))  # DevTools protocol: the CSP allows it
    result = page.evaluate("axe.run()")
    assert result["passes"], "axe ran no check"
    return [
        (v["id"], [n["target"] for n in v["nodes"]][:5])
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def register(admin_client, url: str, events=("subscriber.unsubscribed", "newsletter.sent")):
    return admin_client.post("/admin/webhooks/", data={"url": url, "events": list(events)})


def test_register_shows_the_secret_once(admin_client, receiver):
    response = register(admin_client, receiver.url)
    assert response.status_code == 200
    assert "no-store" in response.headers["Cache-Control"]
    shown = SECRET.findall(response.get_data(as_text=True))
    endpoint = db.session.scalars(select(WebhookEndpoint)).one()
    assert shown == [endpoint.secret]
    assert endpoint.event_list == ["subscriber.unsubscribed", "newsletter.sent"]

    for path in ("/admin/webhooks/", f"/admin/webhooks/{endpoint.id}/"):
        page = admin_client.get(path)
        assert page.status_code == 200
        html = page.get_data(as_text=True)
        assert receiver.url.replace("&", "&amp;") in html
        assert "whsec_" not in html and endpoint.secret[6:] not in html


def test_register_errors_name_the_fields(admin_client):
    response = admin_client.post(
        "/admin/webhooks/", data={"url": "ftp://example.org/x", "events": []}
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Seules les URL en http:// et https:// sont acceptées." in html
    assert "Choisissez au moins un événement." in html
    assert db.session.scalar(select(WebhookEndpoint.id)) is None


def test_private_url_refused_in_the_admin_without_the_setting(app, admin_client):
    app.config["WEBHOOK_ALLOW_PRIVATE"] = False
    response = register(admin_client, "http://192.168.0.10/hook")
    assert "WEBHOOK_ALLOW_PRIVATE" in response.get_data(as_text=True)
    assert db.session.scalar(select(WebhookEndpoint.id)) is None


def test_editors_and_visitors_are_kept_out(client, editor_client):
    assert editor_client.get("/admin/webhooks/").status_code == 403
    assert register(editor_client, "http://127.0.0.1/").status_code == 403
    assert db.session.scalar(select(WebhookEndpoint.id)) is None


def test_anonymous_visitor_is_sent_to_login(app):
    response = app.test_client().get("/admin/webhooks/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_test_event_log_switch_and_delete(app, admin_client, receiver, make_subscriber):
    endpoint, _secret = endpoints.create_endpoint(
        receiver.url, ["subscriber.unsubscribed"], app.config
    )
    page = f"/admin/webhooks/{endpoint.id}/"
    assert admin_client.post(f"{page}test").status_code == 302
    Worker(app.config).tick()
    (request,) = receiver.requests
    assert '"type":"webhook.test"' in request.body
    html = admin_client.get(page).get_data(as_text=True)
    assert "webhook.test" in html and "200 answer 200" in html and " ms" in html

    admin_client.post(f"{page}disable")
    db.session.refresh(endpoint)
    assert endpoint.enabled is False
    rights.unsubscribe(make_subscriber())
    assert db.session.scalar(select(db.func.count(WebhookDelivery.id))) == 1
    admin_client.post(f"{page}test")  # refused while disabled
    assert db.session.scalar(select(db.func.count(WebhookDelivery.id))) == 1
    admin_client.post(f"{page}enable")
    db.session.refresh(endpoint)
    assert endpoint.enabled and endpoint.disabled_reason is None

    html = admin_client.get(page).get_data(as_text=True)
    assert "Supprimer définitivement ce point de réception" in html
    response = admin_client.post(f"{page}delete")
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.scalar(select(WebhookEndpoint.id)) is None
    assert db.session.scalar(select(WebhookDelivery.id)) is None
    assert admin_client.get(page).status_code == 404


def test_disabled_endpoint_is_flagged_on_the_list(app, admin_client, receiver):
    from cac_news.integrations import sender
    from cac_news.timeutil import utcnow

    endpoint, _ = endpoints.create_endpoint(receiver.url, ["newsletter.sent"], app.config)
    endpoint.failing_since = utcnow()
    sender.disable(endpoint, utcnow())
    db.session.commit()
    html = admin_client.get("/admin/webhooks/").get_data(as_text=True)
    assert "Désactivé automatiquement" in html


def test_cli_add_list_remove(app, runner, receiver):
    result = runner.invoke(
        args=["webhooks", "add", receiver.url, "--event", "subscriber.erased",
              "--event", "newsletter.sent"]
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    endpoint = db.session.scalars(select(WebhookEndpoint)).one()
    assert f"id: {endpoint.id}" in result.output
    assert f"secret: {endpoint.secret}" in result.output
    assert endpoint.event_list == ["subscriber.erased", "newsletter.sent"]

    listed = runner.invoke(args=["webhooks", "list"])
    assert listed.exit_code == 0
    assert f"{endpoint.id}\tenabled\t{receiver.url}" in listed.output
    assert "whsec_" not in listed.output

    refused = runner.invoke(args=["webhooks", "add", receiver.url, "--event", "nope"])
    assert refused.exit_code != 0

    removed = runner.invoke(args=["webhooks", "remove", str(endpoint.id)])
    assert removed.exit_code == 0
    db.session.expire_all()
    assert db.session.scalar(select(WebhookEndpoint.id)) is None
    assert runner.invoke(args=["webhooks", "remove", str(endpoint.id)]).exit_code != 0


def test_cli_refuses_private_urls_without_the_setting(app, runner):
    app.config["WEBHOOK_ALLOW_PRIVATE"] = False
    result = runner.invoke(
        args=["webhooks", "add", "http://127.0.0.1:9/x", "--event", "newsletter.sent"]
    )
    assert result.exit_code != 0 and "WEBHOOK_ALLOW_PRIVATE" in result.output


@pytest.mark.browser
def test_admin_webhook_pages_pass_axe_and_fit_a_phone(app, page, admin, receiver):
    from tests.fixtures.people import PASSWORD

    endpoint, _ = endpoints.create_endpoint(receiver.url, ["newsletter.sent"], app.config)
    endpoints.queue_test(endpoint)
    page.goto("/login")
    page.fill("input[name=email]", admin.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url("**/admin/")
    for path in ("/admin/webhooks/", f"/admin/webhooks/{endpoint.id}/"):
        page.set_viewport_size({"width": 1280, "height": 800})  # as the other admin pages
        response = page.goto(path)
        assert response is not None and response.status == 200
        assert serious_violations(page) == [], path
        page.set_viewport_size({"width": 375, "height": 800})
        page.goto(path)
        # The page's own content fits (the shared admin header is another matter: it
        # overflows on every admin page at this width); wide tables scroll in their box.
        width = page.evaluate("document.querySelector('main').scrollWidth")
        assert width <= 375, (path, width)
    # The registration answer, with its secret, passes too.
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto("/admin/webhooks/")
    page.fill("input[name=url]", receiver.url)
    page.check("input[value='subscriber.erased']")
    page.click("form[novalidate] button[type=submit]")
    assert page.locator("#webhook-secret").input_value().startswith("whsec_")
    assert serious_violations(page) == []
