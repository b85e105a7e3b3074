"""Helpers for delivery-engine tests: SMTP servers with faults, worker runs, counts."""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass, field

from aiosmtpd.controller import Controller

from cac_news.extensions import db
from cac_news.mailing.worker import Worker
from cac_news.models import Delivery
from tests.fixtures.database import free_port
from tests.fixtures.mail import ReceivedMail

FAST = {
    "WORKER_POLL_SECONDS": 0.05,
    "SEND_RETRY_DELAY": 3600,  # retries come due only when a test says so
    "SEND_CONCURRENCY": 2,
}


def run_worker(app, **config) -> Worker:
    """One in-process worker run with --until-idle semantics."""
    app.config.update({**FAST, **config})
    worker = Worker(progress=lambda line: None)
    worker.run(until_idle=True)
    return worker


def statuses(newsletter_id: int) -> Counter:
    """Deliveries of a newsletter counted by status, read afresh."""
    db.session.expire_all()
    rows = db.session.query(Delivery.status).filter_by(newsletter_id=newsletter_id)
    return Counter(status for (status,) in rows)


def make_retries_due(newsletter_id: int) -> None:
    """Pretend the backoff delay has passed."""
    from cac_news.timeutil import utcnow

    db.session.query(Delivery).filter_by(newsletter_id=newsletter_id, status="retrying").update(
        {"next_attempt_at": utcnow()}
    )
    db.session.commit()


@dataclass
class FaultyHandler:
    """aiosmtpd handler: refuses some recipients, answers 4xx for a while, drops connections."""

    refuse: set = field(default_factory=set)  # addresses answered 550 at RCPT
    busy_rcpt: dict = field(default_factory=dict)  # address -> [times left, "451 ..."]
    drop_after: int | None = None  # close the connection instead of answering this DATA
    on_data: object = None  # callable(envelope) run before each message is stored
    messages: list = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    data_count: int = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if address in self.refuse:
            return f"550 5.1.1 <{address}>: user unknown"
        busy = self.busy_rcpt.get(address)
        if busy and busy[0] > 0:
            busy[0] -= 1
            return busy[1]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        with self.lock:
            self.data_count += 1
            count = self.data_count
        if self.drop_after is not None and count == self.drop_after:
            server.transport.close()  # the message is lost: the client must retry it
            return "250 never seen"
        if self.on_data is not None:
            self.on_data(envelope)
        with self.lock:
            self.messages.append(
                ReceivedMail(envelope.mail_from, list(envelope.rcpt_tos), envelope.content)
            )
        return "250 OK"


def start_server(app, handler) -> Controller:
    """Start an aiosmtpd server with this handler and point the app at it."""
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    app.config["MAIL_SERVER"] = "127.0.0.1"
    app.config["MAIL_PORT"] = controller.port
    return controller
