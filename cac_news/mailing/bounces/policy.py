"""The bounce policy: from a subscriber's recent bounces, decide their new status.

Pure functions over a list of (kind, when) pairs; the caller loads the history and
applies the result through `Subscriber.set_status`, which records the event.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from cac_news.timeutil import utcnow

BOUNCED = "bounced"
COMPLAINED = "complained"
# A status past which no bounce changes anything: complained is the strongest.
RANK = {BOUNCED: 1, COMPLAINED: 2}


POLICY_FIELDS = ("hard_threshold", "soft_threshold", "soft_window_days", "soft_consecutive_issues")


@dataclass(frozen=True)
class BouncePolicy:
    """The thresholds, from the BOUNCE_* settings."""

    hard_threshold: int = 1
    soft_threshold: int = 5
    soft_window_days: int = 30
    # A monthly letter never gets 5 soft bounces in 30 days: an address that soft-bounces
    # on this many issues in a row is treated as dead all the same.
    soft_consecutive_issues: int = 3

    def __post_init__(self):
        """Reject thresholds that would bounce everyone or no one."""
        for name in POLICY_FIELDS:
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ValueError(f"BOUNCE_{name.upper()}: expected an integer >= 1, got {value!r}")

    @classmethod
    def from_config(cls, config: Mapping) -> BouncePolicy:
        """The policy from the BOUNCE_HARD/SOFT_THRESHOLD and BOUNCE_SOFT_WINDOW_DAYS settings."""
        values = {}
        for name in POLICY_FIELDS:
            key = f"BOUNCE_{name.upper()}"
            raw = config.get(key, getattr(cls, name))
            try:  # environment overrides arrive as strings
                values[name] = int(raw)
            except (TypeError, ValueError):
                raise ValueError(f"{key}: expected an integer >= 1, got {raw!r}") from None
        return cls(**values)


@dataclass(frozen=True)
class Decision:
    """The status to set (None: leave it unchanged) and why, for the event's detail."""

    status: str | None
    reason: str

    @property
    def changed(self) -> bool:
        """Whether the subscriber's status must change."""
        return self.status is not None


def decide(
    history: Iterable[tuple[str, datetime]],
    policy: BouncePolicy | None = None,
    current_status: str | None = None,
    now: datetime | None = None,
    soft_issue_run: int = 0,
) -> Decision:
    """Decide a subscriber's new status from their bounce history (kinds hard/soft/complaint).

    ``soft_issue_run`` is how many of the latest issues sent to them, in a row, soft-bounced.
    """
    policy = policy or BouncePolicy()
    now = now or utcnow()
    window_start = now - timedelta(days=policy.soft_window_days)
    kinds = [(kind, when) for kind, when in history]
    complaints = sum(1 for kind, _ in kinds if kind == "complaint")
    hard = sum(1 for kind, _ in kinds if kind == "hard")
    soft = sum(1 for kind, when in kinds if kind == "soft" and window_start <= when <= now)
    if complaints:
        target, reason = COMPLAINED, f"{complaints} complaint(s)"
    elif hard >= policy.hard_threshold:
        target, reason = BOUNCED, f"{hard} hard bounce(s), threshold {policy.hard_threshold}"
    elif soft >= policy.soft_threshold:
        target, reason = (
            BOUNCED,
            (
                f"{soft} soft bounce(s) in {policy.soft_window_days} days, "
                f"threshold {policy.soft_threshold}"
            ),
        )
    elif soft_issue_run >= policy.soft_consecutive_issues:
        target, reason = (
            BOUNCED,
            f"soft bounces on the last {soft_issue_run} issues in a row, "
            f"threshold {policy.soft_consecutive_issues}",
        )
    else:
        return Decision(None, f"below thresholds ({hard} hard, {soft} soft in window)")
    if RANK.get(current_status or "", 0) >= RANK[target]:
        return Decision(None, f"already {current_status}")  # never downgrade complained
    return Decision(target, reason)
