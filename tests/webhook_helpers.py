"""A real HTTP receiver on loopback for the webhook tests: records every request, answers
with the status codes it is told (500 first, then 200...)."""

from __future__ import annotations

import ssl
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class ReceivedRequest:
    """One request as the receiver saw it."""

    path: str
    headers: dict[str, str]
    body: str


@dataclass
class Receiver:
    """The recorded requests and the statuses still to answer (then `default`)."""

    statuses: list[int] = field(default_factory=list)
    default: int = 200
    requests: list[ReceivedRequest] = field(default_factory=list)
    port: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        """The receiver's URL (loopback: the app needs WEBHOOK_ALLOW_PRIVATE)."""
        return f"http://127.0.0.1:{self.port}/hooks?source=cac"

    def next_status(self) -> int:
        """The status code for the next request."""
        with self.lock:
            return self.statuses.pop(0) if self.statuses else self.default


def start_receiver(
    statuses: list[int] | None = None, tls: ssl.SSLContext | None = None
) -> tuple[Receiver, ThreadingHTTPServer]:
    """Start a receiver in a thread (over TLS with a server context); the caller shuts the
    server down."""
    receiver = Receiver(statuses=list(statuses or []))

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 (http.server API)
            length = int(self.headers.get("Content-Length", 0))
            body = self.rfile.read(length).decode()
            headers = {k.lower(): v for k, v in self.headers.items()}
            with receiver.lock:
                receiver.requests.append(ReceivedRequest(self.path, headers, body))
            status = receiver.next_status()
            answer = f"answer {status}".encode()
            self.send_response(status)
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, *args):  # keep the test output quiet
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    if tls is not None:
        server.socket = tls.wrap_socket(server.socket, server_side=True)
    receiver.port = server.server_address[1]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return receiver, server
