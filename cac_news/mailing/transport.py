"""Persistent SMTP connections that classify each delivery: sent, temporary or permanent."""

from __future__ import annotations

import re
import smtplib
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from cac_news.mail.smtp import open_connection

SENT, TEMPORARY, PERMANENT, SKIPPED = "sent", "temporary", "permanent", "skipped"
DEFERRED = "deferred"  # not tried: no relay may take it now (quota, circuit); ``retry_after``
LEADING_DOT = re.compile(rb"(?m)^\.")


@dataclass(frozen=True)
class SendResult:
    """The outcome of one delivery attempt, with the server's answer when there was one."""

    status: str  # sent | temporary (retry later) | permanent | skipped (never tried)
    code: int | None = None
    text: str = ""
    stage: str = ""  # connect | mail | rcpt | data | message | internal
    at_rcpt: bool = False  # a permanent refusal of the recipient, for the bounce policy
    retry_after: float = 0.0  # DEFERRED: seconds before a relay may take it

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
