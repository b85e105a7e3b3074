"""The delivery worker: claim due deliveries, send them over the relays' persistent
connections, record each result promptly, repeat.

Claims are made while the previous batch is still on the wire (one stream of jobs per loop
tick), so the connections never wait for the database. A SIGKILL re-sends at most the
messages on the wire plus those whose result is not yet written: the relay pool's permits
bound both together to (SMTP connections over every relay) + COMMIT_EVERY.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from typing import IO

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from cac_news.audience import import_jobs, outbox
from cac_news.audience.import_jobs import ImportJobRunner
from cac_news.extensions import db
from cac_news.mailing import claims, webhook_task
from cac_news.mailing.bounces.verp import envelope_for_delivery
from cac_news.mailing.mailer import NewsletterMailer
from cac_news.mailing.pacing import DomainPacer
from cac_news.mailing.relay_pool import RelayPool
from cac_news.mailing.relay_status import sent_times
from cac_news.mailing.relay_store import load_relays
from cac_news.mailing.relays import SendSettings, is_domain_throttle
from cac_news.mailing.results import COMMIT_EVERY, ResultBatch
from cac_news.mailing.sending import delivery_counts
from cac_news.mailing.transport import DEFERRED, PERMANENT, SENT, SKIPPED, Job, SendResult
from cac_news.mailing.welcome import send_welcome
from cac_news.mailing.worker_lock import WorkerRefused, make_worker_id, sqlite_lock
from cac_news.models import Newsletter, OutboxKind, Subscriber
from cac_news.timeutil import utcnow

__all__ = ["Worker", "WorkerRefused", "sqlite_lock"]
OUTBOX_SENDERS = {OutboxKind.WELCOME: send_welcome}  # outbox kinds built above audience
log = logging.getLogger(__name__)
D = claims.D
CHUNK = 20  # rows read (and subscriber statuses re-checked) just before they are sent
TICK_SECONDS = 5.0  # housekeeping (scheduled starts, finished sends...) at least this often
# Other mail sent over the same relay pool (discussion lists), and their periodic tasks:
# registered at app start by the packages above this one.
_STREAMS: list = []
_TICK_TASKS: list[Callable[[object], object]] = []


def register_stream(stream) -> None:
    """Add a stream of jobs: ``jobs(worker_id, lease, config, stopping)``, ``record(...)``,
    ``release(worker_id)`` and ``has_pending(now)``."""
    if stream not in _STREAMS:
        _STREAMS.append(stream)


def register_tick_task(task: Callable[[object], object]) -> None:
    """Add a periodic task, called with the current time at each tick."""
    if task not in _TICK_TASKS:
        _TICK_TASKS.append(task)


def backoff(attempts: int, settings: SendSettings) -> float:
    """Seconds before the next attempt: doubling from SEND_RETRY_DELAY, capped."""
    delay = settings.retry_delay * 2 ** max(0, attempts - 1)
    return min(delay, settings.retry_max_delay)


class Worker:
    """One worker process's state: its id, its relays and connections, its mailers."""

    def __init__(
        self,
        config=None,
        progress: Callable[[str], None] | None = None,
        totals: bool = False,
    ) -> None:
        self.config = config or current_app.config
        self.settings = SendSettings.from_config(self.config, load_relays(self.config))
        self.id = make_worker_id()
        self.progress = progress or (lambda line: log.info(line))
        self.stopping = threading.Event()
        self.sender = RelayPool(self.settings, self.config, unrecorded=COMMIT_EVERY)
        self.pacer = DomainPacer(self.settings.domain_rates)
        self.mailers: dict[int, NewsletterMailer] = {}
        self.errors: dict[int, int] = {}
        self._lock: IO | None = None
        self.totals = totals  # a terminal: show the whole send's progress, once a second
        self._shown = 0.0
        self._ticked = 0.0
        self.batch = ResultBatch(self.id, self.lease_seconds, self.config)
        # Called once per loop tick (and every TICK_SECONDS during a long send), each with
        # the current time: other features add their periodic jobs here.
        self.tick_tasks: list[Callable[[object], object]] = [
            claims.start_due_scheduled,
            claims.release_expired,
            self._finish_completed,
            self._send_outbox,
            lambda now: webhook_task.run(self.config, now),
            self._run_imports,
            *_TICK_TASKS,
        ]
        self.imports = ImportJobRunner(self.id)
        self._importing = False
        self._outbox_sent = 0

    def stop(self) -> None:
        """Finish the messages in flight, give back the rest, and return (SIGTERM)."""
        self.stopping.set()
        self.sender.stop()

    def run(self, until_idle: bool = False) -> None:
        """Deliver until stopped (or, with until_idle, until nothing is due)."""
        if db.engine.dialect.name == "sqlite":
            self._lock = sqlite_lock(db.engine.url.database, self.id)
        poll = self.settings.poll_seconds
        try:
            while not self.stopping.is_set():
                try:
                    if not self._step(until_idle):
                        break
                except OperationalError:
                    # The database went away or stayed locked: claims are safe under their
                    # lease, so log, wait and carry on rather than die.
                    log.exception("worker %s: database error; retrying shortly", self.id)
                    db.session.rollback()
                    self.stopping.wait(poll * 5)
        finally:
            self.sender.close()
            db.session.rollback()
            if self._lock is not None:
                self._lock.close()

    def tick(self) -> None:
        """Run the periodic tasks."""
        self._ticked = time.monotonic()
        for task in self.tick_tasks:
            task(utcnow())

    def _send_outbox(self, now) -> None:
        # The public forms' mails, queued by the requests, go out even during a long send.
        self._outbox_sent += outbox.send_due(self.config, now, senders=OUTBOX_SENDERS)

    def _run_imports(self, now) -> None:
        # Uploaded imports go in a slice at a time, between batches of the sends.
        self._importing = self.imports.tick(now) or self._importing

    def _finish_completed(self, now) -> None:
        for done in claims.finish_completed(now):
            self.progress(f"newsletter {done}: sent")

    def _step(self, until_idle: bool) -> bool:
        """One loop tick: housekeeping, then send while anything is due; False to exit."""
        self._outbox_sent = 0
        self._importing = False
        self.tick()
        sent_any = self.send_stream()
        sent_any = self.send_other_streams() or sent_any
        self.tick()
        if sent_any or self._outbox_sent or self._importing:
            return True
        if until_idle and not (
            claims.has_pending_work(utcnow())
            or import_jobs.has_pending()
            or any(stream.has_pending(utcnow()) for stream in _STREAMS)
        ):
            return False
        self.stopping.wait(self.settings.poll_seconds)
        return True

    @property
    def lease_seconds(self) -> float:
        """How long a claim holds without renewal."""
        return self.settings.lease_seconds

    def mailer(self, newsletter_id: int) -> NewsletterMailer:
        """The newsletter's mailer, built once per worker run."""
        if newsletter_id not in self.mailers:
            newsletter = db.session.get(Newsletter, newsletter_id)
            self.mailers[newsletter_id] = NewsletterMailer(newsletter, self.config)
        return self.mailers[newsletter_id]

    def send_stream(self) -> bool:
        """Claim and send batch after batch over the relays; True when anything was claimed."""
        self.counts: dict[int, dict[str, int]] = {}
        self.batch.restart()
        self.sender.load_quotas(sent_times)

        def on_result(job: Job, result: SendResult, relay: str | None) -> None:
            if result.status == SKIPPED:
                return  # never tried: given back by release_unsent below
            if relay is not None:
                self.batch.held += 1
            newsletter_id = job.key[0]
            status = self.record(job, result, relay)
            tally = self.counts[newsletter_id]
            tally[status] = tally.get(status, 0) + 1
            self.flush()

        try:
            self.sender.send_all(self._stream(), on_result)
        finally:
            self.flush(force=True)
            for newsletter_id in self.counts:
                claims.release_unsent(self.id, newsletter_id, utcnow())
        for newsletter_id, tally in self.counts.items():
            if self.totals:
                self._show_totals(newsletter_id, force=True)  # where the run left it
                continue
            self.progress(
                f"newsletter {newsletter_id}: {tally.get('sent', 0)} sent, "
                f"{tally.get('retrying', 0)} to retry, {tally.get('failed', 0)} failed, "
                f"{tally.get('skipped', 0)} skipped, {tally.get('queued', 0)} waiting"
            )
        return bool(self.counts)

    def _stream(self) -> Iterator[Job]:
        """Jobs of one claimed batch after another until nothing is due or the send stops."""
        while not self.stopping.is_set():
            if time.monotonic() - self._ticked > TICK_SECONDS:
                self.flush(force=True)
                self.tick()
            newsletter_id, ids = claims.claim(
                self.id, self.settings.batch_size, self.lease_seconds, utcnow()
            )
            if not ids:
                return
            self.counts.setdefault(newsletter_id, {})
            if self.totals:
                self._show_totals(newsletter_id)  # a terminal's progress bar, once a second
            try:
                mailer = self.mailer(newsletter_id)
            except ValueError as exc:
                claims.pause_for_errors(newsletter_id, 0, f"{exc}")
                return
            if not (yield from self._jobs(newsletter_id, ids, mailer)):
                return  # paused, cancelled or stopping: the rest is given back at the end

    def send_other_streams(self) -> bool:
        """The registered streams' jobs over the same relay pool; True when any was sent."""
        sent_any = False
        for stream in _STREAMS:
            yielded: list[Job] = []

            def on_result(job: Job, result: SendResult, relay: str | None, stream=stream):
                if result.status == SKIPPED:
                    return  # never tried: given back by release below
                args = (self.config, backoff, self.settings.max_attempts)
                stream.record(self.id, job, result, relay, *args)
                if relay is not None:
                    self.sender.recorded(1)  # written: its sender may go on

            def counted(jobs, seen=yielded):
                for job in jobs:
                    seen.append(job)
                    yield job

            jobs = stream.jobs(self.id, self.lease_seconds, self.config, self.stopping)
            try:
                self.sender.send_all(counted(jobs), on_result)
            finally:
                stream.release(self.id)
            sent_any = sent_any or bool(yielded)
        return sent_any

    def _show_totals(self, newsletter_id: int, force: bool = False) -> None:
        """A progress bar of the whole send (one GROUP BY, at most once a second)."""
        if not force and time.monotonic() - self._shown < 1:
            return
        self._shown = time.monotonic()
        counts = delivery_counts(newsletter_id)
        db.session.commit()
        total = sum(counts.values()) or 1
        done = total - counts["queued"] - counts["retrying"] - counts["sending"]
        bar = "#" * (30 * done // total)
        self.progress(
            f"newsletter {newsletter_id} [{bar:<30}] {done}/{total}: {counts['sent']} sent, "
            f"{counts['failed']} failed, {counts['retrying']} to retry"
        )

    def flush(self, force: bool = False) -> None:
        """Write the buffered results (see mailing.results)."""
        self.batch.flush(self.sender, force)

    def _jobs(self, newsletter_id, ids, mailer):
        """Jobs in small chunks, re-reading subscriber and newsletter status just before.

        Returns False when the newsletter stopped sending (or the worker is stopping).
        """
        counts = self.counts[newsletter_id]
        for start in range(0, len(ids), CHUNK):
            status = db.session.scalar(
                select(Newsletter.status).where(Newsletter.id == newsletter_id)
            )
            if status != "sending" or self.stopping.is_set():
                return False
            rows = db.session.execute(
                select(
                    D.c.id, D.c.email, D.c.name, D.c.attempts, D.c.subscriber_id,
                    Subscriber.status, Subscriber.first_name,
                )
                .outerjoin(Subscriber, Subscriber.id == D.c.subscriber_id)
                .where(D.c.id.in_(ids[start : start + CHUNK]), D.c.claimed_by == self.id)
                .where(D.c.status == "sending")
                .order_by(D.c.id)
            ).all()  # fmt: skip
            db.session.commit()  # end the read snapshot: later reads see new unsubscribes
            for row in rows:
                if row.subscriber_id is None or row.status != "active" or not row.email:
                    # Unsubscribed, bounced or erased since the send started: nothing more.
                    self.batch.add((row.id, {"status": "skipped"}))
                    counts["skipped"] = counts.get("skipped", 0) + 1
                    continue
                wait = self.pacer.admit(row.id, row.email)
                if wait:  # its domain is paced: back to the queue until its slot
                    due = utcnow() + _seconds(wait)
                    self.batch.add((row.id, {"status": "queued", "next_attempt_at": due}))
                    counts["queued"] = counts.get("queued", 0) + 1
                    continue
                try:
                    message_id, data = mailer.render(
                        row.id, row.subscriber_id, row.email, row.name, row.first_name
                    )
                except ValueError as exc:
                    self.batch.add((row.id, {"status": "failed", "smtp_text": f"not sent: {exc}"}))
                    counts["failed"] = counts.get("failed", 0) + 1
                    continue
                yield Job(
                    envelope_for_delivery(row.id, self.config),
                    row.email,
                    data,
                    key=(newsletter_id, row.id, row.attempts, message_id),
                )
            self.flush()  # skipped and waiting rows too, within COMMIT_SECONDS
        return True

    def record(self, job: Job, result: SendResult, relay: str | None) -> str:
        """Write one result: sent, waiting, retrying with backoff, or failed."""
        newsletter_id, delivery_id, attempts, message_id = job.key
        now = utcnow()
        write = self.batch.add
        if result.status == DEFERRED:  # no relay could take it now: wait, no attempt counted
            due = now + _seconds(result.retry_after)
            write((delivery_id, {"status": "queued", "next_attempt_at": due}))
            return "queued"
        attempts += 1
        common = {
            "attempts": attempts,
            "smtp_code": result.code,
            "smtp_text": result.text,
            "message_id": message_id,
            "relay": relay,
        }
        if result.status == SENT:
            self.errors[newsletter_id] = 0
            write((delivery_id, {"status": "sent", "sent_at": now, **common}))
            return "sent"
        if result.status == PERMANENT:
            write((delivery_id, {"status": "failed", "at_rcpt": result.at_rcpt, **common}))
            if result.at_rcpt:  # the relay refused this address: a hard bounce
                self.batch.reject(newsletter_id, delivery_id, result)
            else:  # one bad address says nothing about the server
                self._count_error(newsletter_id, result)
            return "failed"
        if is_domain_throttle(result):  # that domain slows down; the newsletter goes on
            due = now + _seconds(self.pacer.slow_down(job.rcpt))
            write((delivery_id, {"status": "queued", "next_attempt_at": due, **common}))
            return "queued"
        self._count_error(newsletter_id, result)
        if attempts >= self.settings.max_attempts:
            write((delivery_id, {"status": "failed", **common}))
            return "failed"
        due = now + _seconds(backoff(attempts, self.settings))
        write((delivery_id, {"status": "retrying", "next_attempt_at": due, **common}))
        return "retrying"

    def _count_error(self, newsletter_id: int, result: SendResult) -> None:
        """After SEND_PAUSE_AFTER_ERRORS errors in a row, pause the newsletter and say why."""
        errors = self.errors.get(newsletter_id, 0) + 1
        self.errors[newsletter_id] = errors
        if errors < self.settings.pause_after_errors:
            return
        answer = f"{result.code or ''} {result.text}".strip()
        reason = _(
            "Paused automatically after %(n)d errors in a row; the last one: %(answer)s",
            n=errors,
            answer=answer,
        )
        self.flush(force=True)
        if claims.pause_for_errors(newsletter_id, errors, reason):
            self.progress(f"newsletter {newsletter_id}: paused: {reason}")
        self.errors[newsletter_id] = 0
        self.sender.stop()


def _seconds(value: float):
    """A timedelta of ``value`` seconds."""
    from datetime import timedelta

    return timedelta(seconds=value)
