"""A thread-safe token bucket limiting messages per second (SEND_RATE, 0 = unlimited)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable


class TokenBucket:
    """Tokens refill at ``rate`` per second up to ``burst``; each message takes one.

    ``reserve`` always takes its token, letting the balance go negative, and returns how
    long the caller must wait: concurrent callers queue in order, with no thundering herd.
    """

    def __init__(
        self,
        rate: float,
        burst: float | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], object] = time.sleep,
    ) -> None:
        if rate < 0:
            raise ValueError("rate must be >= 0")
        self.rate = float(rate)
        self.burst = float(burst) if burst is not None else max(1.0, self.rate)
        if self.burst < 1:
            raise ValueError("burst must be >= 1")
        self.clock = clock
        self.sleep = sleep
        self._tokens = self.burst
        self._stamp = clock()
        self._lock = threading.Lock()

    @property
    def unlimited(self) -> bool:
        """True when the rate is 0, meaning no limit."""
        return self.rate == 0

    def _refill(self) -> None:
        """Add the tokens earned since the last call (caller holds the lock)."""
        now = self.clock()
        elapsed = max(0.0, now - self._stamp)
        self._stamp = now
        self._tokens = min(self.burst, self._tokens + elapsed * self.rate)

    def reserve(self, tokens: float = 1.0) -> float:
        """Take the tokens now and return the seconds to wait before using them."""
        if self.unlimited:
            return 0.0
        with self._lock:
            self._refill()
            self._tokens -= tokens
            return 0.0 if self._tokens >= 0 else -self._tokens / self.rate

    def try_acquire(self, tokens: float = 1.0) -> bool:
        """Take the tokens if they are available now; never waits."""
        if self.unlimited:
            return True
        with self._lock:
            self._refill()
            if self._tokens >= tokens:
                self._tokens -= tokens
                return True
            return False

    def acquire(self, tokens: float = 1.0) -> float:
        """Wait until the tokens may be used; return the time waited."""
        wait = self.reserve(tokens)
        if wait > 0:
            self.sleep(wait)
        return wait
