"""Throughput of bounce analysis over every sample, against plain parsing of the same bytes.

Prints messages per second for `analyse` and for `email.message_from_bytes` alone (the
baseline, measured in the same run), and their ratio.
"""

from __future__ import annotations

import email
import time
from pathlib import Path

from cac_news.mailing.bounces.parse import analyse

DATA = Path(__file__).resolve().parent.parent / "tests" / "data" / "bounces"
ROUNDS = 20


def rate(function, messages: list[bytes]) -> float:
    """Messages per second for one function over ROUNDS passes."""
    start = time.perf_counter()
    for _ in range(ROUNDS):
        for raw in messages:
            function(raw)
    return ROUNDS * len(messages) / (time.perf_counter() - start)


def main() -> None:
    """Measure and print."""
    messages = [
        p.read_bytes() for p in sorted(DATA.rglob("*")) if p.suffix in (".txt", ".eml", ".bin")
    ]
    baseline = rate(email.message_from_bytes, messages)
    measured = rate(analyse, messages)
    print(f"samples: {len(messages)}, rounds: {ROUNDS}")
    print(f"baseline email.message_from_bytes: {baseline:,.0f} msg/s")
    print(f"analyse (parse + DSN/ARF + flufl.bounce): {measured:,.0f} msg/s")
    slower = baseline / measured
    print(f"ratio analyse/baseline: {measured / baseline:.3f} (x{slower:.1f} time per message)")


if __name__ == "__main__":
    main()
