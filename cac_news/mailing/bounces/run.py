"""A bounce-processing run: analyse each message, apply it, commit, mark what was matched.

Shared by `flask bounces process` (Maildir, mbox, stdin) and `flask bounces fetch` (IMAP).
Each message is committed on its own; one that fails is rolled back, counted and left
where it is, and the run goes on.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from cac_news.extensions import db

from . import audit
from .apply import Outcome, StatusChange, apply_report
from .parse import BounceReport, analyse
from .sources import SourceMessage
from .unsubscribe_mail import apply_request, requested_token
from .verp import DEFAULT_PREFIX


@dataclass
class RunSummary:
    """What a run did, as the command prints it."""

    processed: int = 0
    matched: int = 0
    unmatched: int = 0
    not_bounce: int = 0
    malformed: int = 0
    errors: int = 0
    unsubscribe_requests: int = 0
    marked: int = 0
    changes: list[StatusChange] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # one line per message left alone
    unverified: list[str] = field(default_factory=list)  # address-only matches, unchanged
    lines: list[str] = field(default_factory=list)  # one JSON object per message (--json)

    def counts(self) -> dict[str, int]:
        """The figures, in the order the command prints them."""
        return {
            "processed": self.processed,
            "matched": self.matched,
            "unmatched": self.unmatched,
            "not a bounce": self.not_bounce,
            "malformed": self.malformed,
            "errors": self.errors,
            "unsubscribe requests": self.unsubscribe_requests,
            "marked processed": self.marked,
        }


def run(
    messages: Iterable[SourceMessage],
    *,
    config: Mapping,
    now: datetime | None = None,
    verp_prefix: str = DEFAULT_PREFIX,
    as_json: bool = False,
) -> RunSummary:
    """Process every message; only matched ones are marked processed, nothing is deleted."""
    summary = RunSummary()
    secret = config["SECRET_KEY"]
    for message in messages:
        summary.processed += 1
        try:
            report, outcome = _one(message, secret, config, now, verp_prefix)
            db.session.commit()
        except Exception as exc:  # a database or decoding error: keep going, keep the message
            db.session.rollback()
            summary.errors += 1
            summary.notes.append(f"{message.ref}: error: {type(exc).__name__}: {exc}")
            if as_json:
                summary.lines.append(audit.failed(message.ref, f"{type(exc).__name__}: {exc}"))
            continue
        _count(summary, outcome, message.ref)
        if as_json:
            summary.lines.append(audit.applied(message.ref, report, outcome))
        if outcome.result == "matched":
            try:
                if message.mark_processed() is not None:
                    summary.marked += 1
            except OSError as exc:  # recorded already; a re-read is de-duplicated
                summary.notes.append(f"{message.ref}: could not be marked: {exc}")
    return summary


def _one(message: SourceMessage, secret, config, now, verp_prefix):
    """Analyse and apply one message: its report (None for an unsubscribe request), the outcome."""
    if message.error:
        report = BounceReport("malformed", problem=f"could not be read: {message.error}")
    elif (token := requested_token(message.raw)) is not None:
        return None, apply_request(token)
    else:
        report = analyse(message.raw, verp_prefix)
    outcome = apply_report(report, secret=secret, now=now, config=config, source_ref=message.ref)
    return report, outcome


def _count(summary: RunSummary, outcome: Outcome, ref: str) -> None:
    """Add one outcome to the summary."""
    if outcome.kind == "unsubscribe" and outcome.result == "matched":
        summary.unsubscribe_requests += 1
        summary.changes.extend(outcome.changes)
        return
    if outcome.result == "matched":
        summary.matched += 1
        summary.changes.extend(outcome.changes)
        summary.unverified.extend(outcome.unverified)
        if outcome.unmatched:
            summary.notes.append(f"{ref}: also unknown: {', '.join(outcome.unmatched)}")
        return
    setattr(summary, outcome.result, getattr(summary, outcome.result) + 1)
    reason = outcome.note or (
        "unknown address: " + ", ".join(outcome.unmatched)
        if outcome.unmatched
        else "no recipient found"
    )
    summary.notes.append(f"{ref}: {outcome.result.replace('_', ' ')}: {reason}")
