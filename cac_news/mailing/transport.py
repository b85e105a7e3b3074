"""Persistent SMTP connections that classify each delivery: sent, temporary or permanent."""

from __future__ import annotations

import contextlib
import queue
import re
import smtplib
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from cac_news.mailing.smtp import open_connection
from cac_news.mailing.throttle import TokenBucket

SENT, TEMPORARY, PERMANENT, SKIPPED = "sent", "temporary", "permanent", "skipped"
LEADING_DOT = re.compile(rb"(?m)^\.")


@dataclass(frozen=True)
class SendResult:
    """The outcome of one delivery attempt, with the server's answer when there was one."""

    status: str  # sent | temporary (retry later) | permanent | skipped (never tried)
    code: int | None = None
    text: str = ""
    stage: str = ""  # connect | mail | rcpt | data | message | internal
    at_rcpt: bool = False  # a permanent refusal of the recipient, for the bounce policy

    @property
    def ok(self) -> bool:
        """True when the server accepted the message."""
        return self.status == SENT


@dataclass(frozen=True)
class Job:
    """One message to one recipient; ``key`` lets the caller find its delivery row."""

    envelope_from: str
    rcpt: str
    data: bytes
    key: Any = None


class _Dropped(Exception):
    """The connection was lost before the message content was sent: safe to retry."""

    def __init__(self, stage: str, text: str) -> None:
        super().__init__(text)
        self.stage, self.text = stage, text


def _decode(text: bytes | str) -> str:
    """A server answer as text."""
    return text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)


def _connect_failure(exc: Exception) -> SendResult:
    """Connection, TLS or login errors: temporary, so that nobody is failed by a config error."""
    code = getattr(exc, "smtp_code", None)
    text = _decode(getattr(exc, "smtp_error", b"")) or f"{type(exc).__name__}: {exc}"
    return SendResult(TEMPORARY, code, text, "connect")


class SMTPSender:
    """One persistent SMTP connection, opened lazily and reopened when it drops."""

    def __init__(
        self,
        config: Mapping,
        *,
        idle_check: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
        connect: Callable[[Mapping], smtplib.SMTP] = open_connection,
    ) -> None:
        self.config = config
        self.idle_check = idle_check  # seconds idle after which a NOOP checks the connection
        self.clock = clock
        self.connect = connect
        self._conn: smtplib.SMTP | None = None
        self._last_used = 0.0

    def _connection(self) -> smtplib.SMTP:
        """The open connection, checked with NOOP after a long idle, or a new one."""
        now = self.clock()
        if self._conn is not None and now - self._last_used > self.idle_check:
            try:
                alive = self._conn.noop()[0] == 250
            except (OSError, smtplib.SMTPException):
                alive = False
            if not alive:
                self.close()
        if self._conn is None:
            conn = self.connect(self.config)
            try:
                conn.ehlo_or_helo_if_needed()
            except BaseException:
                conn.close()
                raise
            self._conn = conn
        self._last_used = now
        return self._conn

    def close(self) -> None:
        """Say QUIT if the server still listens, and forget the connection."""
        conn, self._conn = self._conn, None
        if conn is not None:
            try:
                conn.quit()
            except (OSError, smtplib.SMTPException):
                conn.close()

    def send(self, envelope_from: str, rcpt: str, data: bytes) -> SendResult:
        """Send one message; never raises for SMTP or network errors."""
        for attempt in range(2):
            try:
                conn = self._connection()
            except (OSError, smtplib.SMTPException) as exc:
                return _connect_failure(exc)
            try:
                return self._transaction(conn, envelope_from, rcpt, data)
            except _Dropped as exc:
                self.close()
                if attempt:  # already reopened once
                    return SendResult(TEMPORARY, None, exc.text, exc.stage)
            except (OSError, smtplib.SMTPException) as exc:
                # Lost while or after sending the content: it may have been delivered, so
                # it is not resent here; the caller retries it later.
                self.close()
                return SendResult(TEMPORARY, None, f"connection lost: {exc}", "message")
        raise AssertionError("unreachable")

    def _transaction(self, conn: smtplib.SMTP, sender: str, rcpt: str, data: bytes):
        """MAIL, RCPT, DATA and the content, with each answer classified."""
        stage = "mail"
        try:
            options = [] if sender.isascii() and rcpt.isascii() else ["SMTPUTF8"]
            if options and not conn.has_extn("smtputf8"):
                return SendResult(PERMANENT, None, "server lacks SMTPUTF8", "rcpt", True)
            code, text = conn.mail(sender, options)
            if code == 421:  # e.g. an idle timeout noticed only now: retry on a new connection
                raise _Dropped(stage, f"{code} {_decode(text)}")
            if not 200 <= code < 300:
                return self._refused(conn, code, text, stage)
            stage = "rcpt"
            code, text = conn.rcpt(rcpt)
            if code not in (250, 251):
                return self._refused(conn, code, text, stage)
            stage = "data"
            code, text = conn.docmd("data")
            if code != 354:
                return self._refused(conn, code, text, stage)
        except (OSError, smtplib.SMTPServerDisconnected) as exc:
            raise _Dropped(stage, f"connection lost at {stage.upper()}: {exc}") from exc
        body = LEADING_DOT.sub(b"..", data)
        if not body.endswith(b"\r\n"):
            body += b"\r\n"
        conn.send(body + b".\r\n")
        code, text = conn.getreply()
        if 200 <= code < 300:
            return SendResult(SENT, code, _decode(text), "message")
        return self._refused(conn, code, text, "message")

    def _refused(self, conn: smtplib.SMTP, code: int, text: bytes, stage: str) -> SendResult:
        """Classify a refusal, then RSET (or drop a closing connection) to stay usable."""
        status = PERMANENT if 500 <= code < 600 else TEMPORARY
        if code == 421 or code < 0:
            self.close()  # the server is closing the channel
        elif stage != "message":
            try:
                if conn.rset()[0] != 250:
                    self.close()
            except (OSError, smtplib.SMTPException):
                self.close()
        return SendResult(
            status, code, _decode(text), stage, stage == "rcpt" and status == PERMANENT
        )


_DONE = object()


class ParallelSender:
    """``concurrency`` persistent connections, one per thread, sharing a rate limit."""

    def __init__(
        self,
        config: Mapping,
        concurrency: int | None = None,
        rate: float | None = None,
        *,
        bucket: TokenBucket | None = None,
    ) -> None:
        self.concurrency = max(1, int(concurrency or config.get("SEND_CONCURRENCY", 1)))
        if bucket is None:
            bucket = TokenBucket(float(rate if rate is not None else config.get("SEND_RATE", 0)))
        self.bucket = bucket
        self.senders = [SMTPSender(config) for _ in range(self.concurrency)]
        self._stop = threading.Event()

    def __enter__(self) -> ParallelSender:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def close(self) -> None:
        """Close every connection."""
        for sender in self.senders:
            sender.close()

    def stop(self) -> None:
        """Ask a running ``send_all`` to stop: queued jobs are reported as skipped."""
        self._stop.set()

    def send_all(self, jobs: Iterable, on_result: Callable[[Any, SendResult], None]) -> Counter:
        """Send every job (``.envelope_from``, ``.rcpt``, ``.data``); return counts by status.

        Jobs are pulled lazily (a bounded queue), and ``on_result(job, result)`` runs in the
        calling thread, so it may use the caller's database session.
        """
        self._stop.clear()
        jobs_q: queue.Queue = queue.Queue(maxsize=self.concurrency * 2)
        results_q: queue.SimpleQueue = queue.SimpleQueue()
        counts: Counter = Counter()
        threads = [
            threading.Thread(target=self._work, args=(s, jobs_q, results_q), daemon=True)
            for s in self.senders
        ]
        for thread in threads:
            thread.start()

        callback_failed = False

        def drain(timeout: float | None = None) -> None:
            nonlocal callback_failed
            with contextlib.suppress(queue.Empty):
                job, result = results_q.get(timeout=timeout) if timeout else results_q.get_nowait()
                while True:
                    counts[result.status] += 1
                    if not callback_failed:
                        try:
                            on_result(job, result)
                        except BaseException:
                            callback_failed = True
                            raise
                    job, result = results_q.get_nowait()

        def put(item: object) -> None:
            while True:
                try:
                    jobs_q.put(item, timeout=0.02)
                    return
                except queue.Full:
                    drain()

        try:
            for job in jobs:
                put(job)
                drain()
                if self._stop.is_set():  # checked before pulling more from the iterable
                    break
        except BaseException:
            self._stop.set()  # the remaining queued jobs come back as skipped
            raise
        finally:
            # Results of the messages in flight are still reported (unless on_result failed).
            for _ in threads:
                put(_DONE)
            while any(t.is_alive() for t in threads) or not results_q.empty():
                drain(timeout=0.05)
            for thread in threads:
                thread.join()
        return counts

    def _work(self, sender: SMTPSender, jobs_q: queue.Queue, results_q: queue.SimpleQueue):
        """Thread body: send jobs from the queue on this thread's own connection."""
        while (job := jobs_q.get()) is not _DONE:
            wait = self.bucket.reserve()
            if self._stop.is_set() or (wait > 0 and self._stop.wait(wait)):
                results_q.put((job, SendResult(SKIPPED, stage="stopped")))
                continue
            try:
                result = sender.send(job.envelope_from, job.rcpt, job.data)
            except Exception as exc:  # a bug must neither kill the thread nor lose the job
                sender.close()
                result = SendResult(TEMPORARY, None, f"unexpected error: {exc!r}", "internal")
            results_q.put((job, result))
