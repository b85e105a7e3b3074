"""One signed POST to a webhook URL, over a connection to an address checked just before.

The name is resolved once, every address it gives is checked (addresses.checked_addresses),
and the socket connects to one of those very addresses, while the Host header and the TLS
server name (SNI, certificate check) stay the URL's name: a DNS answer that changes between
the check and the connection (rebinding) cannot send the request elsewhere. Redirects are
not followed (a 3xx is a failure like any non-2xx).
"""

from __future__ import annotations

import http.client
import socket
import ssl
import time
from collections.abc import Mapping
from dataclasses import dataclass

from cac_news.integrations.addresses import AddressRefused, Target, checked_addresses

TIMEOUT_SECONDS = 10.0
ANSWER_BYTES = 2000  # read at most this much of an answer (500 characters are kept)
USER_AGENT = "cac-news-webhooks/1"


@dataclass(frozen=True)
class Answer:
    """What came back from one attempt: a status code, or None when nothing answered."""

    status: int | None
    text: str
    duration_ms: int

    @property
    def ok(self) -> bool:
        """A 2xx answer."""
        return self.status is not None and 200 <= self.status < 300


class PinnedHTTPConnection(http.client.HTTPConnection):
    """An HTTP connection to a fixed address whose Host header is the URL's name."""

    def __init__(self, target: Target, address: str, timeout: float) -> None:
        super().__init__(target.host, target.port, timeout=timeout)
        self.address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self.address, self.port), self.timeout)


class PinnedHTTPSConnection(http.client.HTTPSConnection):
    """The same over TLS: the certificate is checked against the name, not the address."""

    def __init__(self, target: Target, address: str, timeout: float) -> None:
        super().__init__(
            target.host, target.port, timeout=timeout, context=ssl.create_default_context()
        )
        self.address = address
        self.server_name = target.host

    def connect(self) -> None:
        raw = socket.create_connection((self.address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(raw, server_hostname=self.server_name)


def post(
    target: Target,
    body: str,
    headers: Mapping[str, str],
    config: Mapping,
    timeout: float = TIMEOUT_SECONDS,
) -> Answer:
    """POST the body; never raises for network trouble (the answer says what happened)."""
    started = time.monotonic()

    def elapsed() -> int:
        return int((time.monotonic() - started) * 1000)

    try:
        addresses = checked_addresses(target, config)
    except AddressRefused as exc:
        return Answer(None, f"refused: {exc}", elapsed())
    data = body.encode()
    sent_headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "Content-Length": str(len(data)),
        **headers,
    }
    connection_class = PinnedHTTPSConnection if target.scheme == "https" else PinnedHTTPConnection
    last_error = "no address"
    for address in addresses:
        connection = connection_class(target, address, timeout)
        try:
            connection.request("POST", target.path, body=data, headers=sent_headers)
            response = connection.getresponse()
            text = response.read(ANSWER_BYTES).decode("utf-8", "replace")
            return Answer(response.status, text, elapsed())
        except (OSError, http.client.HTTPException) as exc:
            # Not answered at this address: the next one (IPv4 after IPv6...) may be.
            last_error = f"{type(exc).__name__}: {exc}"
        finally:
            connection.close()
    return Answer(None, last_error, elapsed())
