"""Several relays, each with its connections, rate, quotas and circuit breaker.

The calling thread hands each message to a relay chosen by weight among those usable now
(circuit not open, quota not spent); each relay's threads send on their own persistent
connections. A message whose content never left (connection refused, 4xx to MAIL, relay
open) goes to another relay: it cannot arrive twice. Permits bound the messages sent but not
yet recorded: a SIGKILL re-sends at most ``connections + unrecorded`` messages.
"""

from __future__ import annotations

import contextlib
import queue
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, timedelta

from cac_news.mailing.relays import Relay, is_relay_failure, never_transmitted
from cac_news.mailing.throttle import TokenBucket
from cac_news.mailing.transport import DEFERRED, SKIPPED, TEMPORARY, SendResult, SMTPSender
from cac_news.models.relay import RelayCircuit

_DONE = object()
RELAY_OPEN = SendResult(TEMPORARY, None, "relay unavailable (circuit open)", "relay")


class Breaker:
    """Opens after ``threshold`` relay failures in a row; one trial after ``retry_seconds``."""

    def __init__(self, threshold: int, retry_seconds: float, clock=time.monotonic) -> None:
        self.threshold, self.retry_seconds, self.clock = max(1, threshold), retry_seconds, clock
        self.circuit = RelayCircuit.CLOSED
        self.failures = 0
        self.retry_at = 0.0
        self.last_error = ""
        self.changed = False  # to be written to relay_state

    def wait(self) -> float:
        """0 when the relay may take a message now; else the seconds until its trial."""
        if self.circuit == RelayCircuit.CLOSED:
            return 0.0
        now = self.clock()
        if self.circuit == RelayCircuit.OPEN and now >= self.retry_at:
            self.circuit, self.changed = RelayCircuit.HALF_OPEN, True
            self.retry_at = now + self.retry_seconds  # one trial at a time
            return 0.0
        return max(0.001, self.retry_at - now)

    def success(self) -> None:
        """The relay accepted a message: close the circuit."""
        if self.circuit != RelayCircuit.CLOSED or self.failures:
            self.changed = True
        self.circuit, self.failures = RelayCircuit.CLOSED, 0

    def failure(self, text: str) -> None:
        """The relay refused: count it, open the circuit at the threshold (or a failed trial)."""
        self.failures += 1
        self.last_error, self.changed = text[:500], True
        if self.circuit == RelayCircuit.HALF_OPEN or self.failures >= self.threshold:
            self.circuit = RelayCircuit.OPEN
            self.retry_at = self.clock() + self.retry_seconds


class QuotaWindow:
    """At most ``limit`` messages in any ``span``: the send times, loaded from the database."""

    def __init__(self, limit: int, span: timedelta) -> None:
        self.limit, self.span = limit, span
        self.times: deque[datetime] = deque()

    def load(self, times: Sequence[datetime]) -> None:
        """Start from the messages already sent inside the window (sorted)."""
        self.times = deque(times)

    def wait(self, now: datetime) -> float:
        """0 when one more may go; else the seconds until the oldest leaves the window."""
        if not self.limit:
            return 0.0
        while self.times and self.times[0] <= now - self.span:
            self.times.popleft()
        if len(self.times) < self.limit:
            return 0.0
        return max(1.0, (self.times[0] + self.span - now).total_seconds())

    def take(self, now: datetime) -> None:
        """Count one message (reserved when it is handed to the relay)."""
        if self.limit:
            self.times.append(now)


class Lane:
    """One relay's runtime side: connections, rate, quotas, breaker, weight round-robin."""

    def __init__(self, relay: Relay, base_config, settings) -> None:
        self.relay = relay
        config = relay.smtp_config(base_config)
        self.senders = [SMTPSender(config) for _ in range(relay.connections)]
        self.bucket = TokenBucket(relay.rate)
        self.breaker = Breaker(settings.relay_failures, settings.relay_retry_seconds)
        self.hourly = QuotaWindow(relay.hourly, timedelta(hours=1))
        self.daily = QuotaWindow(relay.daily, timedelta(days=1))
        self.current = 0  # smooth weighted round-robin
        self.queue: queue.Queue = queue.Queue(maxsize=2 * relay.connections)

    @property
    def name(self) -> str:
        return self.relay.name

    def wait(self, now: datetime) -> float:
        """0 when usable now, else how long until it may be."""
        return max(self.breaker.wait(), self.hourly.wait(now), self.daily.wait(now))


class RelayPool:
    """Sends a stream of jobs over every relay; ``on_result(job, result, relay)`` per job."""

    def __init__(self, settings, base_config, unrecorded: int, clock=None) -> None:
        from cac_news.timeutil import utcnow

        self.settings = settings
        self.clock = clock or utcnow
        self.lanes = [Lane(relay, base_config, settings) for relay in settings.relays]
        self.permit_count = sum(r.connections for r in settings.relays) + unrecorded
        self.permits = threading.Semaphore(self.permit_count)
        self._stop = threading.Event()

    def close(self) -> None:
        """Close every connection."""
        for lane in self.lanes:
            for sender in lane.senders:
                sender.close()

    def stop(self) -> None:
        """Ask a running ``send_all`` to stop: queued jobs come back as skipped."""
        self._stop.set()

    def recorded(self, count: int) -> None:
        """``count`` results are written: their senders may go on."""
        for _ in range(count):
            self.permits.release()

    def load_quotas(self, sent_times: Callable[[str, datetime], Sequence[datetime]]) -> None:
        """Load each quota's window from the deliveries table (survives restarts)."""
        now = self.clock()
        for lane in self.lanes:
            if lane.relay.hourly or lane.relay.daily:
                span = timedelta(days=1) if lane.relay.daily else timedelta(hours=1)
                times = sent_times(lane.name, now - span)
                lane.daily.load(times)
                lane.hourly.load([t for t in times if t > now - timedelta(hours=1)])

    def choose(self, tried: set[str]) -> tuple[Lane | None, float]:
        """The next relay by weight among the usable ones, or (None, seconds to wait)."""
        now = self.clock()
        usable, waits = [], []
        for lane in self.lanes:
            if lane.name in tried:
                continue
            wait = lane.wait(now)
            (waits.append(wait) if wait else usable.append(lane))
        if not usable:
            return None, min(waits, default=0.0)
        total = sum(lane.relay.weight for lane in usable)
        for lane in usable:
            lane.current += lane.relay.weight
        best = max(usable, key=lambda lane: lane.current)
        best.current -= total
        best.hourly.take(now)
        best.daily.take(now)
        return best, 0.0

    def send_all(self, jobs: Iterable, on_result: Callable) -> None:
        """Send every job; ``on_result`` runs in the calling thread (it may use the session)."""
        self._stop.clear()
        self.permits = threading.Semaphore(self.permit_count)  # results of a past run: written
        results: queue.SimpleQueue = queue.SimpleQueue()
        rerouted: deque = deque()
        tried: dict[int, set[str]] = {}
        in_flight = 0
        threads = [
            threading.Thread(target=self._work, args=(lane, s, results), daemon=True)
            for lane in self.lanes
            for s in lane.senders
        ]
        for thread in threads:
            thread.start()

        failed = []  # on_result raised: nothing more is reported in this run

        def report(job, result: SendResult, relay: str | None) -> None:
            tried.pop(id(job), None)
            if failed:
                return
            try:
                on_result(job, result, relay)
            except BaseException:
                failed.append(True)
                raise

        def drain(timeout: float | None = None) -> None:
            nonlocal in_flight
            with contextlib.suppress(queue.Empty):
                item = results.get(timeout=timeout) if timeout else results.get_nowait()
                while True:
                    job, lane, result = item
                    in_flight -= 1
                    if result.ok:
                        lane.breaker.success()
                    elif is_relay_failure(result):
                        lane.breaker.failure(f"{result.code or ''} {result.text}".strip())
                    if never_transmitted(result) and not self._stop.is_set():
                        tried.setdefault(id(job), set()).add(lane.name)
                        if len(tried[id(job)]) < len(self.lanes):
                            self.permits.release()  # never sent: nothing to record
                            rerouted.append(job)
                            item = results.get_nowait()
                            continue
                    if result.status == SKIPPED:
                        self.permits.release()
                    report(job, result, lane.name)
                    item = results.get_nowait()

        def dispatch(job) -> None:
            nonlocal in_flight
            lane, wait = self.choose(tried.get(id(job), set()))
            if lane is None:
                last = tried.get(id(job))
                if last:  # every relay refused it: retried later, like any temporary failure
                    report(job, SendResult(TEMPORARY, None, "every relay refused", "connect"), None)
                else:
                    busy = SendResult(DEFERRED, None, "relays busy", "relay", False, wait)
                    report(job, busy, None)
                return
            in_flight += 1
            while True:
                try:
                    lane.queue.put(job, timeout=0.02)
                    return
                except queue.Full:
                    drain()

        try:
            for job in jobs:
                while rerouted:
                    dispatch(rerouted.popleft())
                dispatch(job)
                drain()
                if self._stop.is_set():
                    break
            while in_flight or rerouted:
                while rerouted and not self._stop.is_set():
                    dispatch(rerouted.popleft())
                while rerouted:  # stopped: never tried again here
                    report(rerouted.popleft(), SendResult(SKIPPED, stage="stopped"), None)
                if in_flight:
                    drain(timeout=0.05)
        except BaseException:
            self._stop.set()  # what is still queued comes back as skipped
            if failed:  # nothing more is recorded: free the senders waiting for a permit
                self.permits.release(self.permit_count + len(threads))
            raise
        finally:
            for lane in self.lanes:
                for _ in lane.senders:
                    lane.queue.put(_DONE)
            for thread in threads:
                while thread.is_alive():
                    thread.join(0.05)
                    with contextlib.suppress(Exception):
                        drain()
            with contextlib.suppress(Exception):
                drain()

    def _work(self, lane: Lane, sender: SMTPSender, results: queue.SimpleQueue) -> None:
        """Thread body: send this relay's jobs on one connection."""
        while (job := lane.queue.get()) is not _DONE:
            self.permits.acquire()  # every result from here holds one until recorded
            if self._stop.is_set():
                results.put((job, lane, SendResult(SKIPPED, stage="stopped")))
                continue
            if lane.breaker.circuit == RelayCircuit.OPEN:
                results.put((job, lane, RELAY_OPEN))
                continue
            wait = lane.bucket.reserve()
            if wait > 0 and self._stop.wait(wait):
                results.put((job, lane, SendResult(SKIPPED, stage="stopped")))
                continue
            try:
                result = sender.send(job.envelope_from, job.rcpt, job.data)
            except Exception as exc:  # a bug must neither kill the thread nor lose the job
                sender.close()
                result = SendResult(TEMPORARY, None, f"unexpected error: {exc!r}", "internal")
            results.put((job, lane, result))

    def states(self) -> list[tuple[str, Breaker]]:
        """(relay name, breaker) for each relay."""
        return [(lane.name, lane.breaker) for lane in self.lanes]
