"""Test sends: the real message for a few pilots as sample recipients, "[TEST]" in the subject."""

from __future__ import annotations

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from cac_news.compose.headers import check_header_value
from cac_news.compose.render import render_newsletter, subject_template, web_copy_url
from cac_news.errors import ValidationError
from cac_news.extensions import db
from cac_news.mail.headers import make_message_id
from cac_news.mail.smtp import envelope_sender, open_connection
from cac_news.mailing.mailer import LetterMailer, mail_domain
from cac_news.models import Newsletter, Pilot
from cac_news.urls import external_url

TEST_PREFIX = "[TEST] "


def parse_recipients(raw: str) -> list[str]:
    """Addresses typed one per line or separated by commas; each must be an active pilot's."""
    addresses = [a.strip() for chunk in raw.splitlines() for a in chunk.split(",") if a.strip()]
    if not addresses:
        raise ValidationError.single("recipients", str(_l("Give at least one address.")))
    if len(addresses) > 10:
        raise ValidationError.single("recipients", str(_l("At most 10 addresses.")))
    errors = []
    pilots = []
    for index, address in enumerate(addresses, start=1):
        pilot = db.session.scalar(
            select(Pilot).where(func.lower(Pilot.email) == address.lower(), Pilot.active.is_(True))
        )
        if pilot is None:
            errors.append(
                str(
                    _l(
                        "Address %(n)d (%(address)s) is not an active pilot's address.",
                        n=index,
                        address=address,
                    )
                )
            )
        else:
            pilots.append(pilot)
    if errors:
        raise ValidationError({"recipients": errors})
    return pilots


def send_test(newsletter: Newsletter, recipients: list[Pilot]) -> int:
    """The real message, built as the send builds it, for each pilot as a sample recipient:
    marked [TEST], every header a letter carries, its links leading to a harmless page.
    Sent over one SMTP connection; return the count."""
    config = current_app.config
    rendered = render_newsletter(newsletter)
    for field, value in (("subject", newsletter.subject), ("reply_to", newsletter.reply_to)):
        check_header_value(field, value)
    mailer = LetterMailer(
        subject=TEST_PREFIX + subject_template(newsletter),
        html=rendered.html,
        text=rendered.text,
        archive_url=web_copy_url(newsletter),
        reply_to=newsletter.reply_to,
        config=config,
        number=newsletter.number,
        harmless_links=external_url("subscription.test_send_link"),
    )
    messages = []
    for pilot in recipients:
        message_id = make_message_id(mail_domain(config))
        data = mailer.render_for(0, pilot.email, pilot.name or "", pilot.name or "", message_id)
        messages.append((pilot.email, data))
    with open_connection(config) as connection:
        for address, data in messages:
            connection.sendmail(envelope_sender(config), [address], data)
    return len(messages)
