"""Local SMTP mail catcher for development: every received message becomes a ``.eml`` file.

Run it with ``python -m cac_news.devtools.mailcatcher [--host H] [--port P] [--outbox DIR]``
and point the application's SMTP settings at it. Nothing is ever relayed.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import secrets
import signal
import sys
import tempfile
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import FrameType, TracebackType
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8025
DEFAULT_OUTBOX = Path("instance/outbox")
DATA_SIZE_LIMIT = 30 * 1024 * 1024  # 30 MB
SERVER_HOSTNAME = "mailcatcher.localhost"  # avoids a slow getfqdn() per connection

log = logging.getLogger("cac_news.devtools.mailcatcher")


def _header_safe(value: str) -> str:
    """Strip characters that could break a header line out of an envelope address."""
    return value.replace("\r", "").replace("\n", "")


class OutboxHandler:
    """aiosmtpd handler that writes each message atomically into an outbox directory."""

    def __init__(self, outbox: Path) -> None:
        self.outbox = Path(outbox)
        self._lock = threading.Lock()
        self._last_stamp: datetime | None = None

    def _next_name(self) -> str:
        """Return a file name that sorts by arrival and cannot collide."""
        with self._lock:
            stamp = datetime.now(UTC)
            if self._last_stamp is not None and stamp <= self._last_stamp:
                stamp = self._last_stamp + timedelta(microseconds=1)
            self._last_stamp = stamp
        return f"{stamp:%Y%m%dT%H%M%S.%f}Z-{secrets.token_hex(4)}.eml"

    def store(self, mail_from: str, rcpt_tos: list[str], content: bytes) -> Path:
        """Write one message, prefixed with its envelope headers, and return its path."""
        newline = b"\r\n" if b"\r\n" in content[:4096] or not content else b"\n"
        lines = [f"X-Envelope-From: <{_header_safe(mail_from)}>".encode()]
        lines += [f"X-Envelope-To: <{_header_safe(rcpt)}>".encode() for rcpt in rcpt_tos]
        data = newline.join(lines) + newline + content

        self.outbox.mkdir(parents=True, exist_ok=True)
        target = self.outbox / self._next_name()
        fd, tmp_name = tempfile.mkstemp(dir=self.outbox, prefix=".incoming-", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as tmp:
                os.fchmod(tmp.fileno(), 0o644)  # mkstemp makes 0600; these are meant to be read
                tmp.write(data)
                tmp.flush()
                os.fsync(tmp.fileno())
            os.replace(tmp_name, target)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp_name)
            raise
        return target

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        """Store the message carried by a completed DATA command."""
        content = envelope.original_content
        if content is None:
            raw = envelope.content or b""
            content = raw.encode("utf-8", "surrogateescape") if isinstance(raw, str) else raw
        mail_from = envelope.mail_from or ""
        rcpt_tos = list(envelope.rcpt_tos)
        try:
            path = self.store(mail_from, rcpt_tos, content)
        except OSError:
            log.exception("could not store message from <%s>", mail_from)
            return "451 Requested action aborted: could not store the message"
        log.info(
            "received from <%s> to %s, %d bytes -> %s",
            mail_from,
            ", ".join(f"<{r}>" for r in rcpt_tos),
            len(content),
            path,
        )
        return "250 Message accepted for delivery"


class _Controller(Controller):
    """Controller that also supports port 0 (an ephemeral port picked by the OS)."""

    def _trigger_server(self) -> None:
        if self.port == 0 and self.server is not None and self.server.sockets:
            self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


class MailCatcher:
    """SMTP server on a background thread that stores every message under ``outbox``."""

    def __init__(
        self, outbox: Path = DEFAULT_OUTBOX, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT
    ) -> None:
        self.outbox = Path(outbox)
        self.host = host
        self._requested_port = port
        self.handler = OutboxHandler(self.outbox)
        self._controller: _Controller | None = None

    @property
    def port(self) -> int:
        """Return the port actually listened on (useful when created with port 0)."""
        if self._controller is not None:
            return self._controller.port
        return self._requested_port

    def start(self) -> MailCatcher:
        """Create the outbox if needed and start listening; return self."""
        if self._controller is not None:
            raise RuntimeError("mail catcher already running")
        self.outbox.mkdir(parents=True, exist_ok=True)
        controller = _Controller(
            self.handler,
            hostname=self.host,
            port=self._requested_port,
            ready_timeout=10.0,
            server_hostname=SERVER_HOSTNAME,
            data_size_limit=DATA_SIZE_LIMIT,
            enable_SMTPUTF8=True,
            decode_data=False,
        )
        controller.start()
        self._controller = controller
        return self

    def stop(self) -> None:
        """Stop listening; does nothing if the catcher is not running."""
        if self._controller is not None:
            controller, self._controller = self._controller, None
            controller.stop()

    def messages(self) -> list[Path]:
        """Return the stored message files, oldest first."""
        return sorted(self.outbox.glob("*.eml"))

    def __enter__(self) -> MailCatcher:
        """Start the catcher when entering a ``with`` block."""
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Stop the catcher when leaving a ``with`` block."""
        self.stop()


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m cac_news.devtools.mailcatcher",
        description="Local SMTP server that stores every message it receives as a .eml file.",
    )
    parser.add_argument("--host", default=DEFAULT_HOST, help="address to listen on")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help="port to listen on")
    parser.add_argument(
        "--outbox", type=Path, default=DEFAULT_OUTBOX, help="directory for the .eml files"
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Run the mail catcher until SIGINT or SIGTERM; return the process exit code."""
    args = _parse_args(argv)

    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(logging.Formatter("%(asctime)s %(message)s", "%H:%M:%S"))
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    log.propagate = False

    # Handlers go in before the port opens, so that a signal sent as soon as the port
    # accepts connections always takes the clean exit path.
    stop = threading.Event()

    def _request_stop(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous: dict[int, Any] = {
        sig: signal.signal(sig, _request_stop) for sig in (signal.SIGINT, signal.SIGTERM)
    }
    catcher = MailCatcher(args.outbox, host=args.host, port=args.port)
    try:
        try:
            catcher.start()
        except OSError as exc:
            print(f"mailcatcher: cannot listen on {args.host}:{args.port}: {exc}", file=sys.stderr)
            return 1
        print(
            f"Mail catcher listening on smtp://{catcher.host}:{catcher.port}, "
            f"storing messages in {catcher.outbox.resolve()}",
            flush=True,
        )
        while not stop.wait(0.5):
            pass
    finally:
        catcher.stop()
        for sig, old in previous.items():
            signal.signal(sig, old)
        log.removeHandler(handler)
    print("Mail catcher stopped.", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
