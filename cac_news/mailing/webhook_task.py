"""The worker's webhook job: post the due deliveries, and mail the admins about any
endpoint that had to be disabled after a day of failures."""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import select

from cac_news.audience import mail
from cac_news.extensions import db
from cac_news.integrations import sender
from cac_news.models import Pilot, WebhookEndpoint
from cac_news.urls import external_url

log = logging.getLogger(__name__)
ADMIN_LANGUAGE = "fr"  # pilots have no language of their own; the admin speaks French first


def run(config: Mapping, now: datetime | None = None) -> int:
    """One tick: post what is due; return how many endpoints were disabled."""
    disabled = sender.send_due(config, now)
    for endpoint in disabled:
        tell_admins(endpoint)
    return len(disabled)


def tell_admins(endpoint: WebhookEndpoint) -> None:
    """Mail every active admin that this endpoint is off and why (the page says it too)."""
    admins = db.session.scalars(select(Pilot.email).where(Pilot.role == "admin", Pilot.active))
    page = external_url("admin.webhook", endpoint_id=endpoint.id)
    for address in admins:
        try:
            mail.send(
                address,
                ADMIN_LANGUAGE,
                "webhook_disabled",
                url=endpoint.url,
                reason=endpoint.disabled_reason,
                page_url=page,
            )
        except (OSError, smtplib.SMTPException) as exc:
            # The endpoint's page shows the reason: an admin still finds out there.
            log.warning(
                "webhook endpoint %s disabled; admin mail failed: %s",
                endpoint.id,
                type(exc).__name__,
            )
