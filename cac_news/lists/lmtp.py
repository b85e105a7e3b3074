"""`flask lists serve`: an LMTP server (aiosmtpd) that takes list mail from the MTA, with
one reply per recipient: 250 taken (accepted, held or dropped), 550 no such list, 451 try
again later (the database is down)."""

from __future__ import annotations

import asyncio
import logging
import signal
import threading

from aiosmtpd.controller import Controller
from aiosmtpd.lmtp import LMTP
from flask import Flask, current_app

from cac_news.lists import manage, receiving

log = logging.getLogger(__name__)
MAX_MESSAGE_BYTES = 60_000_000  # above any list's maximum: the list decides (held)


class ListHandler:
    """aiosmtpd handler: each database call runs in a thread, inside the app's context."""

    def __init__(self, app: Flask) -> None:
        self.app = app

    def _known(self, address: str) -> str:
        with self.app.app_context():
            try:
                return "ok" if manage.for_recipient(address) is not None else "unknown"
            except Exception:  # the database is away: the MTA keeps the mail and retries
                log.warning("LMTP: cannot look up %s", address, exc_info=True)
                return "temporary"

    def _receive(self, rcpts: list[str], raw: bytes, sender: str) -> list[str]:
        with self.app.app_context():
            return [receiving.lmtp_reply(rcpt, raw, sender) for rcpt in rcpts]

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        known = await asyncio.get_running_loop().run_in_executor(None, self._known, address)
        if known == "unknown":
            return f"550 5.1.1 <{address}>: no such list"
        if known == "temporary":
            return "451 4.3.0 Temporary failure, try again later"
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        raw = envelope.original_content or envelope.content
        replies = await asyncio.get_running_loop().run_in_executor(
            None, self._receive, list(envelope.rcpt_tos), raw, envelope.mail_from or ""
        )
        return "\r\n".join(replies)  # LMTP: one reply per accepted recipient


class LMTPController(Controller):
    """aiosmtpd's controller speaking LMTP."""

    def factory(self):
        return LMTP(self.handler, data_size_limit=MAX_MESSAGE_BYTES, decode_data=False)

    def _trigger_server(self):  # LMTP has no greeting to wait for with an SMTP client
        import socket

        with socket.create_connection((self.hostname, self.port), timeout=1.0):
            pass


def start(app: Flask, host: str, port: int) -> LMTPController:
    """Start the server in a thread; returns its controller (stop() to end it)."""
    controller = LMTPController(ListHandler(app), hostname=host, port=port, ready_timeout=5.0)
    controller.start()
    return controller


def serve_forever(host: str, port: int) -> None:
    """Serve until SIGTERM or SIGINT."""
    app = current_app._get_current_object()
    controller = start(app, host, port)
    stopped = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stopped.set())
    print(f"LMTP server for the lists on {host}:{port}", flush=True)
    stopped.wait()
    controller.stop()
