"""SMTP relays and the typed send settings: SMTP_RELAYS, or the single MAIL_* relay.

``SMTP_RELAYS`` is a list of dicts (instance/config.py) or the same list as JSON
(CAC_NEWS_SMTP_RELAYS). Each relay has a name, host, port, tls (none | starttls | ssl),
username/password, connections, rate (messages per second, 0 = unlimited), hourly and daily
quotas (0 = none; a sliding window counted from the deliveries table) and a weight.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from flask_babel import lazy_gettext as _l

from cac_news.mailing.transport import TEMPORARY, SendResult

NAME = re.compile(r"^[A-Za-z0-9_.-]{1,60}$")
# A remote domain saying "slow down": the usual words of Orange, Gmail, Outlook..., or a 421
# with an RFC 3463 4.7.x code (a 451 4.7.1 alone is greylisting: an ordinary retry).
THROTTLE_WORDS = re.compile(r"too many|rate limit|throttl|slow down", re.I)
POLICY_CODE = re.compile(r"\b4\.7\.\d{1,3}\b")


class TlsMode(StrEnum):
    """How a connection to a relay is secured."""

    NONE = "none"
    STARTTLS = "starttls"
    SSL = "ssl"


class RelayConfigError(ValueError):
    """A relay setting is missing or wrong; the message names the relay and the field."""


@dataclass(frozen=True)
class Relay:
    """One SMTP relay the worker may send through."""

    name: str
    host: str
    port: int = 25
    tls: TlsMode = TlsMode.NONE
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    connections: int = 2
    rate: float = 0.0  # messages per second, 0 = unlimited
    hourly: int = 0  # at most this many in any 60 minutes, 0 = no quota
    daily: int = 0  # at most this many in any 24 hours, 0 = no quota
    weight: int = 1

    def smtp_config(self, base: Mapping) -> dict:
        """The MAIL_* mapping smtp.open_connection reads, for this relay."""
        return {
            "MAIL_SERVER": self.host,
            "MAIL_PORT": self.port,
            "MAIL_USE_TLS": self.tls == TlsMode.STARTTLS,
            "MAIL_USE_SSL": self.tls == TlsMode.SSL,
            "MAIL_USERNAME": self.username,
            "MAIL_PASSWORD": self.password,
            "MAIL_TIMEOUT": base.get("MAIL_TIMEOUT", 30),
        }

    def public(self) -> dict:
        """The relay's settings without its password (pages, logs)."""
        return {
            "name": self.name,
            "host": self.host,
            "port": self.port,
            "tls": str(self.tls),
            "username": self.username or "",
            "has_password": bool(self.password),
            "connections": self.connections,
            "rate": self.rate,
            "hourly": self.hourly,
            "daily": self.daily,
            "weight": self.weight,
        }


def _number(raw: dict, key: str, kind, default, minimum, where: str):
    """One numeric field, checked; the error names the relay and the field."""
    value = raw.get(key, default)
    try:
        number = kind(value)
    except (TypeError, ValueError):
        number = None
    if number is None or number < minimum or isinstance(value, bool):
        raise RelayConfigError(
            str(
                _l(
                    "%(where)s: %(field)s must be a number of at least %(minimum)s.",
                    where=where,
                    field=key,
                    minimum=minimum,
                )
            )
        )
    return number


def relay_from_dict(raw: Any, index: int) -> Relay:
    """One relay from its dict form, every field validated."""
    where = str(_l("SMTP_RELAYS relay %(n)d", n=index + 1))
    if not isinstance(raw, dict):
        raise RelayConfigError(str(_l("%(where)s: expected an object.", where=where)))
    name = str(raw.get("name") or f"relay{index + 1}")
    if not NAME.match(name):
        raise RelayConfigError(
            str(_l("%(where)s: name may hold letters, digits, . _ - (60 at most).", where=where))
        )
    where = str(_l("SMTP_RELAYS relay %(name)s", name=name))
    host = str(raw.get("host") or "").strip()
    if not host:
        raise RelayConfigError(str(_l("%(where)s: host is required.", where=where)))
    try:
        tls = TlsMode(str(raw.get("tls", "none")).lower())
    except ValueError:
        raise RelayConfigError(
            str(_l("%(where)s: tls must be none, starttls or ssl.", where=where))
        ) from None
    port = _number(raw, "port", int, 465 if tls == TlsMode.SSL else 25, 1, where)
    return Relay(
        name=name,
        host=host,
        port=port,
        tls=tls,
        username=raw.get("username") or None,
        password=raw.get("password") or None,
        connections=_number(raw, "connections", int, 2, 1, where),
        rate=_number(raw, "rate", float, 0, 0, where),
        hourly=_number(raw, "hourly", int, 0, 0, where),
        daily=_number(raw, "daily", int, 0, 0, where),
        weight=_number(raw, "weight", int, 1, 1, where),
    )


def parse_relays(value: Any) -> list[Relay]:
    """SMTP_RELAYS as relays: a list of dicts, or its JSON text; names must be unique."""
    if value in (None, "", []):
        return []
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError as exc:
            raise RelayConfigError(
                str(_l("SMTP_RELAYS is not valid JSON: %(error)s", error=str(exc)))
            ) from None
    if not isinstance(value, list):
        raise RelayConfigError(str(_l("SMTP_RELAYS must be a list of relays.")))
    relays = [relay_from_dict(raw, index) for index, raw in enumerate(value)]
    names = [relay.name for relay in relays]
    for name in names:
        if names.count(name) > 1:
            message = _l("SMTP_RELAYS: the name %(name)s is used twice.", name=name)
            raise RelayConfigError(str(message))
    return relays


def single_relay(config: Mapping) -> Relay:
    """The one relay the MAIL_* settings describe (SEND_CONCURRENCY, SEND_RATE)."""
    if config.get("MAIL_USE_SSL"):
        tls = TlsMode.SSL
    elif config.get("MAIL_USE_TLS"):
        tls = TlsMode.STARTTLS
    else:
        tls = TlsMode.NONE
    return Relay(
        name="default",
        host=str(config.get("MAIL_SERVER") or "127.0.0.1"),
        port=int(config.get("MAIL_PORT") or 25),
        tls=tls,
        username=config.get("MAIL_USERNAME"),
        password=config.get("MAIL_PASSWORD"),
        connections=max(1, int(config.get("SEND_CONCURRENCY", 1))),
        rate=float(config.get("SEND_RATE", 0) or 0),
    )


def relays_from_config(config: Mapping) -> list[Relay]:
    """SMTP_RELAYS when set, else the MAIL_* relay."""
    return parse_relays(config.get("SMTP_RELAYS")) or [single_relay(config)]


def is_domain_throttle(result: SendResult) -> bool:
    """A "too many" 4xx once the recipient is named: the destination domain wants us slower."""
    return (
        result.status == TEMPORARY
        and result.stage in ("rcpt", "data", "message")
        and result.code is not None
        and 400 <= result.code < 500
        and bool(
            THROTTLE_WORDS.search(result.text or "")
            or (result.code == 421 and POLICY_CODE.search(result.text or ""))
        )
    )


def is_relay_failure(result: SendResult) -> bool:
    """The relay itself refused: connection, TLS, login, 4xx to MAIL, or closing (421)."""
    if result.status != TEMPORARY or is_domain_throttle(result):
        return False
    return result.stage in ("connect", "mail") or result.code == 421


def never_transmitted(result: SendResult) -> bool:
    """True when the content never left: another relay may carry it with no risk of a double."""
    return result.status == TEMPORARY and result.stage in ("connect", "mail", "relay")


@dataclass(frozen=True)
class SendSettings:
    """The send settings, typed and checked once (cf. BouncePolicy.from_config)."""

    relays: tuple[Relay, ...]
    batch_size: int = 100
    max_attempts: int = 6
    retry_delay: float = 60.0
    retry_max_delay: float = 6 * 3600.0
    pause_after_errors: int = 20
    lease_seconds: float = 120.0
    poll_seconds: float = 2.0
    relay_failures: int = 3  # relay failures in a row that open its circuit breaker
    relay_retry_seconds: float = 60.0  # an open relay is tried again after this long
    domain_rates: Mapping[str, float] = field(default_factory=dict)

    @classmethod
    def from_config(cls, config: Mapping, relays: list[Relay] | None = None) -> SendSettings:
        """Read and check the settings; RelayConfigError names a bad relay field.

        ``relays``: the relays in force when they come from elsewhere (the admin's table).
        """
        from cac_news.mailing.pacing import parse_domain_rates

        return cls(
            relays=tuple(relays if relays is not None else relays_from_config(config)),
            batch_size=int(config.get("SEND_BATCH_SIZE", 100)),
            max_attempts=int(config.get("SEND_MAX_ATTEMPTS", 6)),
            retry_delay=float(config.get("SEND_RETRY_DELAY", 60)),
            retry_max_delay=float(config.get("SEND_RETRY_MAX_DELAY", 6 * 3600)),
            pause_after_errors=int(config.get("SEND_PAUSE_AFTER_ERRORS", 20)),
            lease_seconds=float(config.get("LEASE_SECONDS", 120)),
            poll_seconds=float(config.get("WORKER_POLL_SECONDS", 2.0)),
            relay_failures=int(config.get("RELAY_FAILURES", 3)),
            relay_retry_seconds=float(config.get("RELAY_RETRY_SECONDS", 60)),
            domain_rates=parse_domain_rates(config.get("DOMAIN_RATES")),
        )

    @property
    def connections(self) -> int:
        """SMTP connections over every relay: the messages that may be on the wire."""
        return sum(relay.connections for relay in self.relays)
