"""Site-wide settings stored in the database (key -> JSON value), changed by admins."""

from __future__ import annotations

import json
from typing import Any

from cac_news.extensions import db
from cac_news.models import SiteSetting

TWO_FACTOR_REQUIRED = "two_factor_required"


def get_setting(key: str, default: Any = None) -> Any:
    """The stored value of a setting, or `default` when it was never set."""
    row = db.session.get(SiteSetting, key)
    return default if row is None else json.loads(row.value)


def set_setting(key: str, value: Any) -> bool:
    """Store a setting (not committed); return whether the value changed."""
    row = db.session.get(SiteSetting, key)
    encoded = json.dumps(value)
    if row is None:
        db.session.add(SiteSetting(key=key, value=encoded))
        return True
    if row.value == encoded:
        return False
    row.value = encoded
    return True


def require_two_factor(required: bool) -> bool:
    """Require (or stop requiring) two-factor login for every pilot; committed. Return
    whether the setting changed."""
    changed = set_setting(TWO_FACTOR_REQUIRED, required)
    if changed:
        db.session.commit()
    return changed


def two_factor_required() -> bool:
    """Whether every pilot must log in with a second factor (set by an admin)."""
    return bool(get_setting(TWO_FACTOR_REQUIRED, False))
