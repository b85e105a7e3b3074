"""VERP: an envelope sender that names the delivery, `bounces+TOKEN@domain`.

The token is the delivery id and a truncated HMAC-SHA256 of it under the app's secret,
so a bounce can be matched to its delivery even when the DSN does not quote the address,
and a forged or altered token is rejected. Tokens are lower-case letters, digits and one
dash: safe in a local part and unchanged by MTAs that fold the case of addresses.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from email.utils import parseaddr
from functools import lru_cache

DEFAULT_PREFIX = "bounces"
SIGNATURE_LENGTH = 16  # base32 characters: 80 bits, plenty against guessing
TOKEN_RE = re.compile(rf"^(\d{{1,19}})-([a-z2-7]{{{SIGNATURE_LENGTH}}})$")


def _key(secret: str | bytes) -> bytes:
    """The HMAC key, derived so that VERP signatures never collide with other uses."""
    raw = secret.encode() if isinstance(secret, str) else secret
    if not raw:
        raise ValueError("VERP needs a non-empty secret key")
    return hashlib.sha256(b"cac_news.verp:" + raw).digest()


def _signature(delivery_id: int, secret: str | bytes) -> str:
    """The truncated, lower-case base32 HMAC of a delivery id."""
    digest = hmac.new(_key(secret), str(delivery_id).encode(), hashlib.sha256).digest()
    return base64.b32encode(digest).decode().lower()[:SIGNATURE_LENGTH]


def encode_token(delivery_id: int, secret: str | bytes) -> str:
    """The signed token of a delivery id, e.g. "42-k3x..."."""
    if not isinstance(delivery_id, int) or isinstance(delivery_id, bool) or delivery_id < 0:
        raise ValueError("a delivery id is a non-negative integer")
    return f"{delivery_id}-{_signature(delivery_id, secret)}"


def decode_token(token: str, secret: str | bytes) -> int | None:
    """The delivery id a token carries, or None when it is malformed or its signature is wrong."""
    match = TOKEN_RE.match((token or "").strip().lower())
    if not match:
        return None
    delivery_id = int(match.group(1))
    if not hmac.compare_digest(match.group(2), _signature(delivery_id, secret)):
        return None
    return delivery_id


def encode_address(delivery_id: int, secret: str | bytes, bounce_address: str) -> str:
    """The VERP envelope sender for a delivery, from the plain bounce address.

    `bounce_address` is the address bounces go to, e.g. "bounces@news.example.org";
    its local part becomes the prefix: "bounces+42-k3x...@news.example.org".
    """
    local, at, domain = bounce_address.strip().rpartition("@")
    if not at or not local or not domain:
        raise ValueError(f"not an address: {bounce_address!r}")
    return f"{local}+{encode_token(delivery_id, secret)}@{domain}"


def token_from_address(address: str, prefix: str = DEFAULT_PREFIX) -> str | None:
    """The TOKEN of an address `prefix+TOKEN@domain` (prefix case-insensitive), or None."""
    local, at, _ = (address or "").strip().strip("<>").rpartition("@")
    head, plus, token = local.partition("+")
    if not at or not plus or head.lower() != prefix.lower() or not token:
        return None
    return token.lower()


def decode_address(address: str, secret: str | bytes, prefix: str = DEFAULT_PREFIX) -> int | None:
    """The delivery id of a VERP address, or None when it is not one or is forged."""
    token = token_from_address(address, prefix)
    return decode_token(token, secret) if token else None


def bounce_domain(config) -> str:
    """BOUNCE_DOMAIN, or the domain of MAIL_FROM when it is unset."""
    configured = (config.get("BOUNCE_DOMAIN") or "").strip()
    return configured or _address_of(config["MAIL_FROM"]).rpartition("@")[2]


@lru_cache(maxsize=32)
def _address_of(header_value: str) -> str:
    """The bare address of a From value; cached, since the worker asks once per message."""
    return parseaddr(header_value)[1]


def envelope_for_delivery(delivery_id: int | None, config) -> str:
    """The envelope sender for one delivery: VERP when VERP_ENABLED, else MAIL_FROM's address."""
    if not config.get("VERP_ENABLED") or delivery_id is None:
        return _address_of(config["MAIL_FROM"])
    bounce_address = f"{DEFAULT_PREFIX}@{bounce_domain(config)}"
    return encode_address(delivery_id, config["SECRET_KEY"], bounce_address)


# Discussion-list deliveries live in their own table: their tokens are signed under a key of
# their own, so that one never names a letter's delivery (and the reverse).
LIST_SECRET_SUFFIX = ":list-delivery"  # noqa: S105 (a domain separator, not a secret)


def list_secret(secret: str | bytes) -> bytes:
    """The signing secret of list deliveries' tokens."""
    raw = secret.encode() if isinstance(secret, str) else secret
    return raw + LIST_SECRET_SUFFIX.encode()


def envelope_for_list_delivery(list_delivery_id: int, config) -> str:
    """The envelope sender of one list delivery: VERP when VERP_ENABLED, else MAIL_FROM's."""
    if not config.get("VERP_ENABLED"):
        return _address_of(config["MAIL_FROM"])
    bounce_address = f"{DEFAULT_PREFIX}@{bounce_domain(config)}"
    return encode_address(list_delivery_id, list_secret(config["SECRET_KEY"]), bounce_address)
