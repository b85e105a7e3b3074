"""Who must enrol in two-factor login before doing anything else."""

from __future__ import annotations

from cac_news.accounts.settings import two_factor_required
from cac_news.models import Pilot


def enrolment_needed(pilot: Pilot) -> bool:
    """An admin requires two-factor login for everyone and this pilot has none yet."""
    return not pilot.two_factor_enabled and two_factor_required()
