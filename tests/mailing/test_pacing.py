"""Domain pacing, circuit breaker and quota window, on a controlled clock."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from cac_news.mailing.pacing import DEFAULT_DOMAIN_RATES, DomainPacer, parse_domain_rates
from cac_news.mailing.relay_pool import Breaker, QuotaWindow
from cac_news.models import RelayCircuit


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_paced_domain_waits_its_slot_others_go_at_once():
    clock = Clock()
    pacer = DomainPacer(DEFAULT_DOMAIN_RATES, clock=clock)
    assert pacer.admit(1, "a@orange.fr") == 0
    assert pacer.admit(2, "b@wanadoo.fr") == pytest.approx(2.0)  # one pace for the provider
    assert pacer.admit(3, "c@example.org") == 0  # unpaced
    assert pacer.admit(4, "d@hotmail.fr") == 0 and pacer.admit(5, "e@hotmail.co.uk") > 0
    clock.now += 2.0
    assert pacer.admit(2, "b@wanadoo.fr") == 0  # its reserved slot has come
    assert pacer.admit(6, "f@orange.fr") == pytest.approx(2.0)


def test_too_many_halves_the_rate_and_holds_the_domain():
    clock = Clock()
    pacer = DomainPacer({"free.fr": 60}, clock=clock)
    assert pacer.slow_down("x@free.fr") == pytest.approx(60.0)
    assert pacer.state() == {"free.fr": 30.0}
    assert pacer.admit(1, "y@free.fr") == pytest.approx(60.0)
    assert pacer.admit(2, "z@example.org") == 0
    pacer.slow_down("w@unknown.example")  # an unlisted domain gets a pace too
    assert pacer.admit(3, "v@unknown.example") > 0


def test_domain_rates_errors_name_the_domain(app):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        with pytest.raises(ValueError, match="free.fr"):
            parse_domain_rates({"free.fr": "vite"})
        with pytest.raises(ValueError, match="JSON"):
            parse_domain_rates("{")
    assert parse_domain_rates('{"free.fr": 10}') == {"free.fr": 10.0}
    assert parse_domain_rates({}) == {}


def test_breaker_opens_then_tries_again_once():
    clock = Clock()
    breaker = Breaker(3, 60, clock=clock)
    for _ in range(2):
        breaker.failure("421 busy")
    assert breaker.circuit == RelayCircuit.CLOSED and breaker.wait() == 0
    breaker.failure("421 busy")
    assert breaker.circuit == RelayCircuit.OPEN and breaker.wait() == pytest.approx(60)
    clock.now += 60
    assert breaker.wait() == 0 and breaker.circuit == RelayCircuit.HALF_OPEN
    assert breaker.wait() > 0  # one trial at a time
    breaker.failure("refused")
    assert breaker.circuit == RelayCircuit.OPEN
    clock.now += 60
    breaker.wait()
    breaker.success()
    assert breaker.circuit == RelayCircuit.CLOSED and breaker.failures == 0


def test_quota_window_slides():
    window = QuotaWindow(3, timedelta(hours=1))
    start = datetime(2026, 12, 1, 10, 0)
    window.load([start, start + timedelta(minutes=10)])
    assert window.wait(start + timedelta(minutes=20)) == 0
    window.take(start + timedelta(minutes=20))
    assert window.wait(start + timedelta(minutes=30)) == pytest.approx(30 * 60)
    assert window.wait(start + timedelta(minutes=61)) == 0
