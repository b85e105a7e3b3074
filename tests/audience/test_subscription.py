"""Double opt-in through the public form, with mail over a real SMTP server."""

from __future__ import annotations

from sqlalchemy import func, select

from cac_news.audience import rights, tokens
from cac_news.audience.suppression import is_suppressed
from cac_news.extensions import db
from cac_news.models import ParticipationMode, Subscriber, SubscriptionEvent
from tests.audience_helpers import links_in, path_of
from tests.engine_helpers import run_worker


def mode_id(slug: str) -> int:
    return db.session.scalar(select(ParticipationMode.id).where(ParticipationMode.slug == slug))


def form(email="Lea.Dupont@Exemple.ORG", **extra):
    data = {
        "email": email,
        "first_name": "Léa",
        "last_name": "Dupont",
        "organisation": "Asso",
        "territory_code": "69",
        "mode_ids": [mode_id("relais-local")],
        "language": "fr",
        "consent": "y",
    }
    data.update(extra)
    return data


def confirm_from_mail(client, mail) -> str:
    [url] = [u for u in links_in(mail) if "/confirm/" in u]
    page = client.get(path_of(url))
    assert page.status_code == 200
    assert b"Confirm" in page.data or b"Confirmer" in page.data
    return path_of(url)


def test_subscribe_confirm_over_smtp(client, smtp_server, app):
    response = client.post("/subscribe", data=form())
    assert response.status_code == 200
    assert smtp_server.messages == []  # queued: the worker sends it after the commit
    run_worker(app)
    subscriber = db.session.scalar(select(Subscriber))
    assert subscriber.email == "lea.dupont@exemple.org"
    assert subscriber.status == "pending"
    [mail] = smtp_server.messages
    assert mail.rcpt_tos == ["lea.dupont@exemple.org"]
    path = confirm_from_mail(client, mail)
    db.session.expire_all()
    assert db.session.get(Subscriber, subscriber.id).status == "pending"  # GET changed nothing
    assert client.post(path).status_code == 200
    db.session.expire_all()
    subscriber = db.session.get(Subscriber, subscriber.id)
    assert subscriber.status == "active"
    assert subscriber.consent_source == "form"
    assert subscriber.consent_text.startswith("[2026-11-v1]")
    assert subscriber.consent_ip is None  # CONSENT_STORE_IP is off by default
    assert subscriber.territory_code == "69"
    assert [m.slug for m in subscriber.modes] == ["relais-local"]
    kinds = [(e.kind, e.source) for e in subscriber.events]
    assert ("status", "confirmation") in kinds and ("consent", "confirmation") in kinds


def test_consent_ip_stored_only_when_enabled(client, smtp_server, app):
    app.config["CONSENT_STORE_IP"] = True
    client.post("/subscribe", data=form())
    run_worker(app)
    path = path_of([u for u in links_in(smtp_server.messages[0]) if "/confirm/" in u][0])
    client.post(path, environ_base={"REMOTE_ADDR": "203.0.113.7"})
    assert db.session.scalar(select(Subscriber.consent_ip)) == "203.0.113.7"


def test_same_answer_for_known_and_unknown(app, client, smtp_server, make_subscriber):
    make_subscriber(email="known@exemple.org")
    known = client.post("/subscribe", data=form("known@exemple.org"))
    unknown = client.post("/subscribe", data=form("new@exemple.org"))
    assert known.status_code == unknown.status_code == 200
    assert known.data == unknown.data
    assert db.session.scalar(select(func.count()).select_from(Subscriber)) == 2
    run_worker(app)
    subjects = sorted(m.message["Subject"] for m in smtp_server.messages)
    assert len(subjects) == 2 and subjects[0] != subjects[1]


def test_consent_required_and_bad_fields(client, smtp_server):
    response = client.post("/subscribe", data=form(consent="", territory_code="R84"))
    assert response.status_code == 200
    assert b"field-error" in response.data
    assert db.session.scalar(select(func.count()).select_from(Subscriber)) == 0
    response = client.post("/subscribe", data=form(email="not-an-address"))
    assert b"field-error" in response.data
    assert smtp_server.messages == []


def test_honeypot_does_nothing(client, smtp_server):
    response = client.post("/subscribe", data=form(website="http://spam.example"))
    assert response.status_code == 200
    assert db.session.scalar(select(func.count()).select_from(Subscriber)) == 0
    assert smtp_server.messages == []


def test_subscribe_is_throttled(client, smtp_server, app):
    app.config["SUBSCRIBE_RATE_LIMIT"] = "2 per minute"
    codes = [
        client.post("/subscribe", data=form(f"p{i}@exemple.org")).status_code for i in range(3)
    ]
    assert codes == [200, 200, 429]


def test_unsubscribed_must_confirm_again(app, client, smtp_server, make_subscriber):
    old = make_subscriber(email="back@exemple.org", status="unsubscribed")
    client.post("/subscribe", data=form("back@exemple.org"))
    run_worker(app)
    db.session.expire_all()
    assert db.session.get(Subscriber, old.id).status == "unsubscribed"
    path = confirm_from_mail(client, smtp_server.messages[0])
    client.post(path)
    db.session.expire_all()
    again = db.session.get(Subscriber, old.id)
    assert again.status == "active" and again.territory_code == "69"


def test_erased_address_comes_back_only_by_confirmation(app, client, smtp_server, make_subscriber):
    rights.erase(make_subscriber(email="gone@exemple.org"))
    assert is_suppressed("gone@exemple.org")
    client.post("/subscribe", data=form("gone@exemple.org"))
    assert db.session.scalar(select(Subscriber.status)) == "pending"
    assert is_suppressed("gone@exemple.org")
    run_worker(app)
    client.post(confirm_from_mail(client, smtp_server.messages[0]))
    assert not is_suppressed("gone@exemple.org")
    assert db.session.scalar(select(Subscriber.status)) == "active"


def test_home_page_embeds_the_form(client):
    page = client.get("/")
    assert b'action="/subscribe"' in page.data and b'name="consent"' in page.data


def test_confirm_token_expired_forged_other_purpose(client, app, make_subscriber):
    subscriber = make_subscriber(status="pending")
    good = tokens.make_token(subscriber, tokens.CONFIRM)
    app.config["CONFIRM_TOKEN_MAX_AGE"] = -1
    expired = client.post(f"/confirm/{good}")
    assert expired.status_code == 400
    assert "expir" in expired.get_data(as_text=True)
    app.config["CONFIRM_TOKEN_MAX_AGE"] = 3600
    forged = client.post(f"/confirm/{good[:-3]}abc")
    other = client.post(f"/confirm/{tokens.make_token(subscriber, tokens.UNSUBSCRIBE)}")
    assert forged.status_code == other.status_code == 400
    db.session.expire_all()
    assert db.session.get(Subscriber, subscriber.id).status == "pending"
    assert (
        db.session.scalar(
            select(func.count())
            .select_from(SubscriptionEvent)
            .where(SubscriptionEvent.source == "confirmation")
        )
        == 0
    )


def test_mail_server_down_same_answer_and_the_worker_retries(app, client, smtp_server):
    """SMTP down: the page answers 200 as usual; the worker retries until the server is back."""
    from cac_news.models import OutboxMail
    from tests.fixtures.database import free_port

    working_port = app.config["MAIL_PORT"]
    app.config["MAIL_PORT"] = free_port()  # nothing listens there
    data = {"email": "retry@example.org", "consent": "y", "language": "fr", "territory_code": ""}
    down = client.post("/subscribe", data=data)
    assert down.status_code == 200
    run_worker(app)
    queued = db.session.scalar(select(OutboxMail))
    assert (queued.status, queued.attempts) == ("queued", 1) and smtp_server.messages == []
    app.config["MAIL_PORT"] = working_port
    queued.next_attempt_at = queued.created_at  # the retry comes due
    db.session.commit()
    run_worker(app)
    assert [m.rcpt_tos for m in smtp_server.messages] == [["retry@example.org"]]
