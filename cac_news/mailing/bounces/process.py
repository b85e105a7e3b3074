"""Run the parser over a stream of messages and count what was found, touching no database.

`flask bounces process --dry-run` uses it; without the flag the command uses `run.run`, which
also matches each report to its subscriber, applies the policy and marks the message.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from .parse import BounceReport, analyse
from .sources import SourceMessage
from .verp import DEFAULT_PREFIX


@dataclass
class ProcessedMessage:
    """One message and its report."""

    ref: str
    report: BounceReport
    marked: bool = False


@dataclass
class ProcessSummary:
    """The counts a run prints, and every report for the caller to act on."""

    processed: int = 0
    hard: int = 0
    soft: int = 0
    complaints: int = 0
    not_bounce: int = 0
    malformed: int = 0
    items: list[ProcessedMessage] = field(default_factory=list)

    @property
    def bounces(self) -> int:
        """Hard and soft bounces together."""
        return self.hard + self.soft

    def counts(self) -> dict[str, int]:
        """The figures as a mapping, in the order a command prints them."""
        return {
            "processed": self.processed,
            "bounces": self.bounces,
            "hard": self.hard,
            "soft": self.soft,
            "complaints": self.complaints,
            "not_bounce": self.not_bounce,
            "malformed": self.malformed,
        }

    def by_kind(self) -> Counter:
        """How many reports of each kind."""
        return Counter(item.report.kind for item in self.items)


FIELD_OF_KIND = {
    "hard": "hard",
    "soft": "soft",
    "complaint": "complaints",
    "not_bounce": "not_bounce",
    "malformed": "malformed",
}


def process(
    messages: Iterable[SourceMessage],
    verp_prefix: str = DEFAULT_PREFIX,
    mark_if: Callable[[BounceReport], bool] | None = None,
) -> ProcessSummary:
    """Analyse every message and count the kinds; mark those `mark_if` accepts as processed.

    Nothing is marked by default: malformed messages and those that are not bounces are
    always left where they are, and the matching to deliveries decides about the rest.
    """
    summary = ProcessSummary()
    for message in messages:
        if message.error:
            report = BounceReport("malformed", problem=f"could not be read: {message.error}")
        else:
            report = analyse(message.raw, verp_prefix)
        summary.processed += 1
        name = FIELD_OF_KIND[report.kind]
        setattr(summary, name, getattr(summary, name) + 1)
        marked = False
        if mark_if is not None and report.kind != "malformed" and mark_if(report):
            marked = message.mark_processed() is not None
        summary.items.append(ProcessedMessage(message.ref, report, marked))  # where it is now
    return summary
