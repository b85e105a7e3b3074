"""Schedules that cannot surprise: the organisation's time zone, no past times, reschedule,
unschedule; confirmations that say what will happen; drafts duplicated and deleted."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from cac_news.extensions import db
from cac_news.mailing import sending
from cac_news.models import Delivery, Newsletter


def deliveries(newsletter_id: int) -> int:
    return db.session.scalar(
        select(func.count()).select_from(Delivery).where(Delivery.newsletter_id == newsletter_id)
    )


def reload(newsletter_id: int) -> Newsletter:
    db.session.expire_all()
    return db.session.get(Newsletter, newsletter_id)


def test_a_past_time_is_refused_on_the_web(admin_client, make_subscriber, make_newsletter):
    make_subscriber()
    newsletter = make_newsletter()
    page = admin_client.post(
        f"/admin/newsletters/{newsletter.id}/send", data={"at": "2020-01-01T10:00"}
    )
    assert page.status_code == 200
    assert "2020-01-01 10:00 est déjà passé" in page.get_data(as_text=True)
    assert reload(newsletter.id).status == "draft" and deliveries(newsletter.id) == 0


def test_a_past_time_is_refused_by_the_cli(app, runner, make_subscriber, make_newsletter):
    make_subscriber()
    newsletter = make_newsletter()
    result = runner.invoke(
        args=["newsletters", "send", str(newsletter.id), "--at", "2020-01-01 10:00"]
    )
    assert result.exit_code != 0 and "2020-01-01 10:00 est déjà passé" in result.output
    assert reload(newsletter.id).status == "draft" and deliveries(newsletter.id) == 0


def test_the_picker_is_read_in_paris_time_and_shown_so(
    admin_client, make_subscriber, make_newsletter
):
    make_subscriber()
    newsletter = make_newsletter()
    form = admin_client.get(f"/admin/newsletters/{newsletter.id}/send").get_data(as_text=True)
    assert 'type="datetime-local"' in form
    admin_client.post(f"/admin/newsletters/{newsletter.id}/send", data={"at": "2036-06-02T10:00"})
    scheduled = reload(newsletter.id)
    assert scheduled.status == "scheduled"
    assert (
        f"{scheduled.scheduled_at:%Y-%m-%d %H:%M}" == "2036-06-02 08:00"
    )  # CEST is UTC+2 (years before 2037: Babel uses pytz, which knows no later rule)
    page = admin_client.get(f"/admin/newsletters/{newsletter.id}/").get_data(as_text=True)
    assert "2 juin 2036" in page and "10:00" in page and "UTC" not in page
    assert 'value="2036-06-02T10:00"' in page  # the reschedule picker starts there
    listing = admin_client.get("/admin/newsletters/").get_data(as_text=True)
    assert "02/06/2036 10:00" in listing
    assert not re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", listing)  # no raw timestamps


def test_reschedule_and_unschedule(admin_client, make_subscriber, make_newsletter):
    for _ in range(3):
        make_subscriber()
    newsletter = make_newsletter()
    admin_client.post(f"/admin/newsletters/{newsletter.id}/send", data={"at": "2099-01-01T09:00"})
    moved = admin_client.post(
        f"/admin/newsletters/{newsletter.id}/reschedule", data={"at": "2099-02-01T18:30"}
    )
    assert moved.status_code == 303
    assert f"{reload(newsletter.id).scheduled_at:%m-%d %H:%M}" == "02-01 17:30"
    past = admin_client.post(
        f"/admin/newsletters/{newsletter.id}/reschedule", data={"at": "2021-02-01T18:30"}
    )
    assert past.status_code == 303
    assert f"{reload(newsletter.id).scheduled_at:%m-%d %H:%M}" == "02-01 17:30"  # unchanged
    assert "déjà passé" in admin_client.get(past.location).get_data(as_text=True)
    assert deliveries(newsletter.id) == 3
    admin_client.post(f"/admin/newsletters/{newsletter.id}/unschedule")
    draft = reload(newsletter.id)
    assert draft.status == "draft" and draft.scheduled_at is None and draft.frozen_at is None
    assert deliveries(newsletter.id) == 0
    assert sending.start_send(draft) == 3  # a draft again: it can be sent


def test_cancel_and_withdraw_say_what_will_happen_first(admin_client, make_subscriber,
                                                       make_newsletter):  # fmt: skip
    make_subscriber()
    newsletter = make_newsletter()
    sending.start_send(newsletter, at=sending.parse_local_datetime("2099-01-01 09:00"))
    page = admin_client.get(f"/admin/newsletters/{newsletter.id}/").get_data(as_text=True)
    details = re.search(r'<details class="erase-confirm">(.*?)</details>', page, re.S).group(1)
    assert "ne partiront jamais" in details and "/cancel" in details
    assert not re.search(r"<form[^>]*/cancel", page.split("<details")[0])  # no bare button


def test_duplicate_a_sent_letter_and_delete_a_draft(admin_client, make_subscriber,
                                                   make_newsletter):  # fmt: skip
    make_subscriber()
    original = make_newsletter("Lettre de novembre")
    sending.start_send(original)
    copy_response = admin_client.post(f"/admin/newsletters/{original.id}/duplicate")
    assert copy_response.status_code == 303
    copy = db.session.scalar(select(Newsletter).where(Newsletter.id != original.id))
    assert copy.status == "draft" and copy.subject == "Lettre de novembre"
    assert copy.number == original.number + 1
    assert [(s.kind, s.title, s.body_md) for s in copy.sections] == [
        (s.kind, s.title, s.body_md) for s in reload(original.id).sections
    ]
    copy_id, original_id = copy.id, original.id
    refused = admin_client.post(f"/admin/newsletters/{original_id}/delete")
    assert refused.status_code == 303 and reload(original_id) is not None
    gone = admin_client.post(f"/admin/newsletters/{copy_id}/delete")
    assert gone.status_code == 303 and reload(copy_id) is None
