"""Admin pages of a send, and scheduling."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from cac_news.extensions import db
from cac_news.mailing import sending
from cac_news.models import Newsletter
from cac_news.timeutil import utcnow
from tests.engine_helpers import run_worker, statuses


def test_send_button_confirmation_and_progress(app, admin_client, smtp_server, make_subscriber,
                                               make_newsletter):  # fmt: skip
    for _ in range(3):
        make_subscriber()
    make_subscriber(status="unsubscribed")
    newsletter = make_newsletter(subject="Lettre à envoyer")
    newsletter_id = newsletter.id
    page = admin_client.get(f"/admin/newsletters/{newsletter_id}/")
    assert f"/admin/newsletters/{newsletter_id}/send" in page.get_data(as_text=True)

    confirm = admin_client.get(f"/admin/newsletters/{newsletter_id}/send")
    assert confirm.status_code == 200
    body = confirm.get_data(as_text=True)
    assert "3" in body.split('class="recipient-count"')[1].split("</p>")[0]

    response = admin_client.post(f"/admin/newsletters/{newsletter_id}/send", data={"at": ""})
    assert response.status_code == 302
    assert db.session.get(Newsletter, newsletter_id).status == "sending"

    page = admin_client.get(f"/admin/newsletters/{newsletter_id}/").get_data(as_text=True)
    assert 'hx-trigger="every 2s"' in page and 'data-status="queued"' in page
    assert "/pause" in page and "/cancel" in page and '/send"' not in page

    run_worker(app)
    partial = admin_client.get(
        f"/admin/newsletters/{newsletter_id}/progress", headers={"HX-Request": "true"}
    ).get_data(as_text=True)
    sent_block = partial.split('data-status="sent"')[1].split("</article>")[0]
    assert ">3<" in sent_block
    assert 'data-rate="3"' in partial
    assert 'hx-trigger="every 2s"' not in partial  # polling stops once sent

    again = admin_client.get(f"/admin/newsletters/{newsletter_id}/send")
    assert again.status_code == 302  # not a draft any more


def test_pause_resume_cancel_buttons_and_pause_reason(app, admin_client, make_subscriber,
                                                      make_newsletter):  # fmt: skip
    make_subscriber()
    newsletter = make_newsletter()
    sending.start_send(newsletter)
    newsletter_id = newsletter.id
    base = f"/admin/newsletters/{newsletter_id}"
    assert admin_client.post(f"{base}/pause").status_code == 302
    assert db.session.get(Newsletter, newsletter_id).status == "paused"
    db.session.execute(
        update(Newsletter).where(Newsletter.id == newsletter_id).values(pause_reason="SMTP 421")
    )
    db.session.commit()
    page = admin_client.get(f"{base}/").get_data(as_text=True)
    assert "SMTP 421" in page and "/resume" in page
    admin_client.post(f"{base}/resume")
    assert db.session.get(Newsletter, newsletter_id).status == "sending"
    admin_client.post(f"{base}/cancel")
    assert db.session.get(Newsletter, newsletter_id).status == "cancelled"
    response = admin_client.post(f"{base}/resume", follow_redirects=True)
    assert "flash-error" in response.get_data(as_text=True)
    assert db.session.get(Newsletter, newsletter_id).status == "cancelled"


def test_send_requires_csrf(app, admin_client, make_subscriber, make_newsletter):
    make_subscriber()
    newsletter = make_newsletter()
    app.config["WTF_CSRF_ENABLED"] = True
    response = admin_client.post(f"/admin/newsletters/{newsletter.id}/send", data={"at": ""})
    assert response.status_code in (200, 400)
    assert db.session.get(Newsletter, newsletter.id).status == "draft"


def test_bad_schedule_is_refused_on_the_field(app, admin_client, make_subscriber, make_newsletter):
    make_subscriber()
    newsletter = make_newsletter()
    response = admin_client.post(
        f"/admin/newsletters/{newsletter.id}/send", data={"at": "demain midi"}
    )
    assert response.status_code == 200
    assert "AAAA-MM-JJ HH:MM" in response.get_data(as_text=True)
    assert db.session.get(Newsletter, newsletter.id).status == "draft"


def test_scheduled_send_starts_by_itself(app, runner, smtp_server, make_subscriber,
                                         make_newsletter):  # fmt: skip
    for _ in range(2):
        make_subscriber()
    newsletter = make_newsletter()
    result = runner.invoke(
        args=["newsletters", "send", str(newsletter.id), "--at", "2099-01-01 09:30"]
    )
    assert result.exit_code == 0, result.output
    assert "scheduled for 2099-01-01 09:30 CET" in result.output  # said in Paris time
    newsletter = db.session.get(Newsletter, newsletter.id)
    assert f"{newsletter.scheduled_at:%H:%M}" == "08:30"  # stored in UTC: Paris is UTC+1
    assert newsletter.status == "scheduled"
    run_worker(app)
    assert smtp_server.messages == [] and statuses(newsletter.id) == {"queued": 2}

    # Time passes: the schedule comes due and the worker starts the send itself.
    past = utcnow() - timedelta(minutes=1)
    db.session.execute(
        update(Newsletter).where(Newsletter.id == newsletter.id).values(scheduled_at=past)
    )
    from cac_news.models import Delivery

    db.session.execute(update(Delivery).values(next_attempt_at=past))
    db.session.commit()
    run_worker(app)
    assert len(smtp_server.messages) == 2
    assert db.session.get(Newsletter, newsletter.id).status == "sent"


def test_worker_progress_bar_and_archive_during_send(app, client, smtp_server, make_subscriber,
                                                     make_newsletter):  # fmt: skip
    from cac_news.mailing.worker import Worker

    for _ in range(3):
        make_subscriber()
    newsletter = make_newsletter()
    sending.start_send(newsletter)
    # The List-Archive URL works as soon as the send has started.
    assert client.get(f"/archives/{newsletter.number}/").status_code == 200
    lines = []
    app.config.update(WORKER_POLL_SECONDS=0.05)
    Worker(progress=lines.append, totals=True).run(until_idle=True)
    assert any("[" + "#" * 30 + "] 3/3: 3 sent" in line for line in lines)


def test_preview_of_a_started_send_shows_what_was_frozen(app, admin_client, make_subscriber,
                                                         make_newsletter):  # fmt: skip
    make_subscriber(email="frozen@example.org")
    newsletter = make_newsletter(intro_md="Texte envoyé aux abonné·es.")
    newsletter_id = newsletter.id
    sending.start_send(newsletter)
    # Nothing edits a started letter; change the row behind the app's back to prove that
    # the preview serves the frozen email and archive copy, not a new rendering.
    db.session.execute(
        update(Newsletter).where(Newsletter.id == newsletter_id).values(intro_md="Réécrit.")
    )
    db.session.commit()
    for path in ("", "preview/email", "preview/web"):
        page = admin_client.get(f"/admin/newsletters/{newsletter_id}/{path}")
        body = page.get_data(as_text=True)
        assert page.status_code == 200, path
        assert "Texte envoyé aux abonné·es." in body and "Réécrit." not in body, path
