"""Test sends: the rendered newsletter to a few pilots, "[TEST]" in the subject."""

from __future__ import annotations

from email.message import EmailMessage, MIMEPart
from email.utils import formatdate, make_msgid, parseaddr

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from cac_news import settings
from cac_news.compose.headers import check_header_value
from cac_news.compose.render import (
    personalise,
    personalise_subject,
    render_newsletter,
    sample_values,
    subject_template,
)
from cac_news.errors import ValidationError
from cac_news.extensions import db
from cac_news.mailing.smtp import envelope_sender, open_connection
from cac_news.models import Newsletter, Pilot

TEST_PREFIX = "[TEST] "


def build_message(
    *, subject: str, to: str, html: str, text: str, reply_to: str = "", mail_from: str
) -> EmailMessage:
    """A multipart/alternative message: text/plain first, text/html last.

    The parts are MIMEParts attached by hand: on Python 3.11 ``add_alternative()`` builds
    them as EmailMessages, which write a stray MIME-Version header inside the sub-part.
    """
    for field, value in (("subject", subject), ("to", to), ("reply_to", reply_to)):
        check_header_value(field, value)
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = mail_from
    message["To"] = to
    if reply_to:
        message["Reply-To"] = reply_to
    message["Date"] = formatdate(localtime=False, usegmt=True)
    domain = parseaddr(mail_from)[1].rpartition("@")[2] or None
    message["Message-ID"] = make_msgid(domain=domain)
    message["MIME-Version"] = "1.0"
    message.make_alternative()  # an empty multipart/alternative container
    for body, subtype in ((text, "plain"), (html, "html")):
        part = MIMEPart()
        part.set_content(body, subtype=subtype, charset="utf-8")
        message.attach(part)
    return message


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
    """Render once, personalise per pilot, send over one SMTP connection; return the count."""
    config = current_app.config
    site = settings.load()
    rendered = render_newsletter(newsletter)
    messages = []
    for pilot in recipients:
        values = sample_values(pilot.name)
        html, text = personalise(rendered, values)
        subject = personalise_subject(subject_template(newsletter), values)
        messages.append(
            build_message(
                subject=TEST_PREFIX + subject,
                to=pilot.email,
                html=html,
                text=text,
                reply_to=newsletter.reply_to or site.reply_to,
                mail_from=site.mail_from,
            )
        )
    with open_connection(config) as connection:
        for message in messages:
            connection.send_message(message, from_addr=envelope_sender(config))
    return len(messages)
