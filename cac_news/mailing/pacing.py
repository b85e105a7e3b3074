"""Pacing per destination domain (DOMAIN_RATES, messages per minute).

A throttled domain's recipients wait (their rows go back to the queue with the time of their
slot) while everyone else's proceed. A "too many" answer from a domain halves its rate and
holds it for a while: that domain slows down, the newsletter does not pause.
"""

from __future__ import annotations

import fnmatch
import json
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

# Conservative starting points, not published limits: the big French webmails are known to
# defer senders they do not know (Orange 421 "4.2.1 ... too many", Free and SFR likewise);
# Gmail, Outlook and Yahoo want a steady rate from a new sender. A key lists the domains
# that share one pace (one provider), separated by commas; "*" matches like a shell glob.
DEFAULT_DOMAIN_RATES: dict[str, float] = {
    "orange.fr,wanadoo.fr": 30,
    "free.fr": 60,
    "sfr.fr,neuf.fr": 30,
    "laposte.net": 30,
    "gmail.com,googlemail.com": 300,
    "outlook.com,outlook.fr,hotmail.*,live.*,msn.com": 150,
    "yahoo.*,ymail.com": 120,
}
THROTTLE_HOLD_SECONDS = 60.0  # after a "too many", the domain waits this long at least
MIN_RATE = 1.0  # per minute: a domain is never slowed below one message a minute
UNKNOWN_DOMAIN_RATE = 60.0  # pace given to an unlisted domain the first time it says "too many"


class DomainRatesError(ValueError):
    """DOMAIN_RATES is not a mapping of domains to messages per minute."""


def parse_domain_rates(value) -> dict[str, float]:
    """DOMAIN_RATES (dict or JSON; None: the defaults) as {domain pattern group: per minute}."""
    if value is None:
        return dict(DEFAULT_DOMAIN_RATES)
    if isinstance(value, str):
        try:
            value = json.loads(value) if value.strip() else {}
        except json.JSONDecodeError as exc:
            raise DomainRatesError(
                str(_l("DOMAIN_RATES is not valid JSON: %(error)s", error=str(exc)))
            ) from None
    if not isinstance(value, Mapping):
        raise DomainRatesError(str(_l("DOMAIN_RATES must map domains to messages per minute.")))
    rates = {}
    for key, rate in value.items():
        try:
            rates[str(key).lower()] = float(rate)
        except (TypeError, ValueError):
            rates[str(key).lower()] = -1.0
        if rates[str(key).lower()] <= 0 or isinstance(rate, bool):
            raise DomainRatesError(
                str(_l("DOMAIN_RATES %(domain)s: a positive number per minute.", domain=key))
            )
    return rates


@dataclass
class _Pace:
    """One group of domains: its interval between messages and its next free slot."""

    key: str
    per_minute: float
    next_slot: float = 0.0
    held_until: float = 0.0

    @property
    def interval(self) -> float:
        return 60.0 / self.per_minute


class DomainPacer:
    """Gives each message of a paced domain a slot; unpaced domains always go at once."""

    def __init__(self, rates: Mapping[str, float], clock: Callable[[], float] = time.monotonic):
        self.clock = clock
        self._exact: dict[str, _Pace] = {}
        self._globs: list[tuple[str, _Pace]] = []
        for key, rate in rates.items():
            pace = _Pace(key, float(rate))
            for pattern in (part.strip() for part in key.split(",")):
                if any(ch in pattern for ch in "*?["):
                    self._globs.append((pattern, pace))
                elif pattern:
                    self._exact[pattern] = pace
        self._found: dict[str, _Pace | None] = {}
        self._slots: dict[int, float] = {}  # delivery id -> the slot it was given
        self._lock = threading.Lock()

    def pace_for(self, domain: str) -> _Pace | None:
        """The pace of a domain (cached), or None when it is not paced."""
        domain = domain.lower()
        if domain not in self._found:
            pace = self._exact.get(domain)
            if pace is None:
                pace = next((p for pat, p in self._globs if fnmatch.fnmatch(domain, pat)), None)
            self._found[domain] = pace
        return self._found[domain]

    def admit(self, delivery_id: int, email: str) -> float:
        """0 when the message may go now; else the seconds until its reserved slot."""
        pace = self.pace_for(email.rpartition("@")[2])
        if pace is None:
            return 0.0
        now = self.clock()
        with self._lock:
            slot = self._slots.pop(delivery_id, None)
            if slot is not None and slot <= now + 0.5 and now >= pace.held_until:
                return 0.0  # its own reserved slot has come
            slot = max(now, pace.next_slot, pace.held_until)
            pace.next_slot = slot + pace.interval
            if slot <= now:
                return 0.0
            self._slots[delivery_id] = slot
            return slot - now

    def slow_down(self, email: str) -> float:
        """A "too many" from this domain: halve its rate, hold it; return the wait in seconds."""
        domain = email.rpartition("@")[2].lower()
        with self._lock:
            pace = self.pace_for(domain)
            if pace is None:
                pace = _Pace(domain, UNKNOWN_DOMAIN_RATE * 2)
                self._exact[domain] = pace
                self._found[domain] = pace
            pace.per_minute = max(MIN_RATE, pace.per_minute / 2)
            now = self.clock()
            pace.held_until = max(pace.held_until, now + THROTTLE_HOLD_SECONDS)
            pace.next_slot = max(pace.next_slot, pace.held_until)
            return pace.held_until - now

    def state(self) -> dict[str, float]:
        """Current per-minute rate of every paced group (for logs and tests)."""
        paces = {id(p): p for p in [*self._exact.values(), *(p for _, p in self._globs)]}
        return {p.key: p.per_minute for p in paces.values()}
