"""The token bucket, driven by a fake clock."""

from __future__ import annotations

import threading

import pytest

from cac_news.mailing.throttle import TokenBucket


class FakeClock:
    """A clock that only moves when told to, or when someone sleeps."""

    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def test_zero_rate_is_unlimited() -> None:
    clock = FakeClock()
    bucket = TokenBucket(0, clock=clock, sleep=clock.sleep)
    assert all(bucket.acquire() == 0 for _ in range(10_000))
    assert clock.slept == []
    assert bucket.try_acquire()


def test_burst_then_steady_rate() -> None:
    clock = FakeClock()
    bucket = TokenBucket(10, burst=3, clock=clock, sleep=clock.sleep)
    assert [bucket.acquire() for _ in range(3)] == [0, 0, 0]  # the burst is free
    for _ in range(20):
        bucket.acquire()
    assert clock.now == pytest.approx(2.0)  # 20 more at 10/s
    assert clock.slept == pytest.approx([0.1] * 20)


def test_default_burst_is_one_second_of_tokens() -> None:
    clock = FakeClock()
    bucket = TokenBucket(5, clock=clock, sleep=clock.sleep)
    assert [bucket.try_acquire() for _ in range(6)] == [True] * 5 + [False]


def test_refill_is_capped_at_burst() -> None:
    clock = FakeClock()
    bucket = TokenBucket(2, burst=2, clock=clock, sleep=clock.sleep)
    assert bucket.try_acquire() and bucket.try_acquire()
    assert not bucket.try_acquire()
    clock.now += 100  # a long pause does not bank 200 tokens
    assert [bucket.try_acquire() for _ in range(3)] == [True, True, False]
    clock.now += 0.5
    assert bucket.try_acquire()
    assert not bucket.try_acquire()


def test_reservations_queue_up_in_order() -> None:
    clock = FakeClock()
    bucket = TokenBucket(4, burst=1, clock=clock)
    assert [bucket.reserve() for _ in range(5)] == pytest.approx([0, 0.25, 0.5, 0.75, 1.0])


def test_fractional_rate() -> None:
    clock = FakeClock()
    bucket = TokenBucket(0.5, clock=clock, sleep=clock.sleep)
    assert bucket.acquire() == 0
    assert bucket.acquire() == pytest.approx(2.0)


def test_thread_safe_reservations() -> None:
    clock = FakeClock()
    bucket = TokenBucket(100, burst=1, clock=clock)
    waits: list[float] = []
    lock = threading.Lock()

    def worker() -> None:
        for _ in range(250):
            wait = bucket.reserve()
            with lock:
                waits.append(wait)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # 2,000 reservations with a frozen clock: each got its own slot, none lost or shared.
    assert sorted(waits) == pytest.approx([i / 100 for i in range(2000)])


@pytest.mark.parametrize(("rate", "burst"), [(-1, None), (10, 0.5)])
def test_bad_settings_refused(rate, burst) -> None:
    with pytest.raises(ValueError):
        TokenBucket(rate, burst=burst)
