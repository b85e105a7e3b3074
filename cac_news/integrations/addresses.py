"""Where a webhook may go: http(s) URLs whose host resolves to public addresses only.

The check runs when an endpoint is registered and again at every connection, on the
addresses the connection then uses (a name may resolve elsewhere by then: DNS rebinding).
WEBHOOK_ALLOW_PRIVATE lets an install (and the tests) post to its own network.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from flask_babel import lazy_gettext as _l

from cac_news.errors import ValidationError

SCHEMES = {"http": 80, "https": 443}
URL_MAX = 500


class AddressRefused(Exception):
    """A URL or an address a webhook may not be sent to (the message says why)."""


@dataclass(frozen=True)
class Target:
    """A checked URL, split for the connection."""

    scheme: str
    host: str  # the name, for the Host header and the TLS certificate (SNI)
    port: int
    path: str  # path and query, as sent in the request line


def allow_private(config: Mapping) -> bool:
    """Whether WEBHOOK_ALLOW_PRIVATE is on (a string from the environment counts too)."""
    value = config.get("WEBHOOK_ALLOW_PRIVATE", False)
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "on")
    return bool(value)


def parse_url(url: str) -> Target:
    """Split a URL, or raise AddressRefused: http or https, a host, no credentials."""
    url = (url or "").strip()
    if not url or len(url) > URL_MAX or any(c.isspace() or ord(c) < 32 for c in url):
        raise AddressRefused(str(_l("Enter a URL of at most %(n)d characters.", n=URL_MAX)))
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise AddressRefused(str(_l("This URL cannot be read."))) from exc
    scheme = parts.scheme.lower()
    if scheme not in SCHEMES:
        raise AddressRefused(str(_l("Only http:// and https:// URLs are accepted.")))
    if parts.username is not None or parts.password is not None:
        raise AddressRefused(str(_l("A URL with a user name or password is not accepted.")))
    if not parts.hostname:
        raise AddressRefused(str(_l("The URL names no host.")))
    if parts.fragment:
        raise AddressRefused(str(_l("A URL with a #fragment is not accepted.")))
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    return Target(scheme, parts.hostname, port or SCHEMES[scheme], path)


def is_public(address: str) -> bool:
    """Whether an IP address is a public unicast one."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])  # an IPv6 zone id is not an address
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
    )


def resolve(host: str, port: int) -> list[str]:
    """Every address the name resolves to (a literal address resolves to itself)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise AddressRefused(str(_l("The host name could not be resolved."))) from exc
    addresses = []
    for _family, _type, _proto, _name, sockaddr in infos:
        if sockaddr[0] not in addresses:
            addresses.append(sockaddr[0])
    return addresses


def checked_addresses(target: Target, config: Mapping) -> list[str]:
    """The addresses to connect to, each one checked; AddressRefused if any is private."""
    addresses = resolve(target.host, target.port)
    if not addresses:
        raise AddressRefused(str(_l("The host name could not be resolved.")))
    if not allow_private(config):
        refused = [a for a in addresses if not is_public(a)]
        if refused:
            raise AddressRefused(
                str(
                    _l(
                        "The host resolves to a private, loopback, link-local or reserved "
                        "address (%(address)s); set WEBHOOK_ALLOW_PRIVATE to allow it.",
                        address=refused[0],
                    )
                )
            )
    return addresses


def check_url(url: str, config: Mapping) -> str:
    """The URL as it will be stored, or ValidationError on the `url` field."""
    try:
        target = parse_url(url)
        if not allow_private(config):
            checked_addresses(target, config)
    except AddressRefused as exc:
        raise ValidationError.single("url", str(exc)) from exc
    return url.strip()
