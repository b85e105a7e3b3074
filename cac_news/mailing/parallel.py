"""Several persistent SMTP connections, one per thread, fed from one job stream."""

from __future__ import annotations

import contextlib
import queue
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from cac_news.mailing.throttle import TokenBucket
from cac_news.mailing.transport import SKIPPED, TEMPORARY, SendResult, SMTPSender

_DONE = object()


class ParallelSender:
    """``concurrency`` persistent connections, one per thread, sharing a rate limit."""

    def __init__(
        self,
        config: Mapping,
        concurrency: int | None = None,
        rate: float | None = None,
        *,
        bucket: TokenBucket | None = None,
    ) -> None:
        self.concurrency = max(1, int(concurrency or config.get("SEND_CONCURRENCY", 1)))
        if bucket is None:
            bucket = TokenBucket(float(rate if rate is not None else config.get("SEND_RATE", 0)))
        self.bucket = bucket
        self.senders = [SMTPSender(config) for _ in range(self.concurrency)]
        self._stop = threading.Event()

    def __enter__(self) -> ParallelSender:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def close(self) -> None:
        """Close every connection."""
        for sender in self.senders:
            sender.close()

    def stop(self) -> None:
        """Ask a running ``send_all`` to stop: queued jobs are reported as skipped."""
        self._stop.set()

    def send_all(self, jobs: Iterable, on_result: Callable[[Any, SendResult], None]) -> Counter:
        """Send every job (``.envelope_from``, ``.rcpt``, ``.data``); return counts by status.

        Jobs are pulled lazily (a bounded queue), and ``on_result(job, result)`` runs in the
        calling thread, so it may use the caller's database session.
        """
        self._stop.clear()
        jobs_q: queue.Queue = queue.Queue(maxsize=self.concurrency * 2)
        results_q: queue.SimpleQueue = queue.SimpleQueue()
        counts: Counter = Counter()
        threads = [
            threading.Thread(target=self._work, args=(s, jobs_q, results_q), daemon=True)
            for s in self.senders
        ]
        for thread in threads:
            thread.start()

        callback_failed = False

        def drain(timeout: float | None = None) -> None:
            nonlocal callback_failed
            with contextlib.suppress(queue.Empty):
                job, result = results_q.get(timeout=timeout) if timeout else results_q.get_nowait()
                while True:
                    counts[result.status] += 1
                    if not callback_failed:
                        try:
                            on_result(job, result)
                        except BaseException:
                            callback_failed = True
                            raise
                    job, result = results_q.get_nowait()

        def put(item: object) -> None:
            while True:
                try:
                    jobs_q.put(item, timeout=0.02)
                    return
                except queue.Full:
                    drain()

        try:
            for job in jobs:
                put(job)
                drain()
                if self._stop.is_set():  # checked before pulling more from the iterable
                    break
        except BaseException:
            self._stop.set()  # the remaining queued jobs come back as skipped
            raise
        finally:
            # Results of the messages in flight are still reported (unless on_result failed).
            for _ in threads:
                put(_DONE)
            while any(t.is_alive() for t in threads) or not results_q.empty():
                drain(timeout=0.05)
            for thread in threads:
                thread.join()
        return counts

    def _work(self, sender: SMTPSender, jobs_q: queue.Queue, results_q: queue.SimpleQueue):
        """Thread body: send jobs from the queue on this thread's own connection."""
        while (job := jobs_q.get()) is not _DONE:
            wait = self.bucket.reserve()
            if self._stop.is_set() or (wait > 0 and self._stop.wait(wait)):
                results_q.put((job, SendResult(SKIPPED, stage="stopped")))
                continue
            try:
                result = sender.send(job.envelope_from, job.rcpt, job.data)
            except Exception as exc:  # a bug must neither kill the thread nor lose the job
                sender.close()
                result = SendResult(TEMPORARY, None, f"unexpected error: {exc!r}", "internal")
            results_q.put((job, result))
