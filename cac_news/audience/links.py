"""Absolute, signed per-subscriber links, for emails (no request needed)."""

from __future__ import annotations

from typing import Any

from cac_news.audience import tokens
from cac_news.models import Subscriber
from cac_news.urls import external_url


def unsubscribe_url(subscriber: Subscriber) -> str:
    """The one-click unsubscribe URL of a subscriber (List-Unsubscribe, footers)."""
    return external_url(
        "subscription.unsubscribe", token=tokens.make_token(subscriber, tokens.UNSUBSCRIBE)
    )


def preferences_url(subscriber: Subscriber) -> str:
    """The URL of a subscriber's preferences page."""
    return external_url(
        "subscription.preferences", token=tokens.make_token(subscriber, tokens.PREFERENCES)
    )


def confirm_url(subscriber: Subscriber, profile: dict[str, Any] | None = None) -> str:
    """The confirmation URL; `profile` carries what the form asked for until confirmed."""
    return external_url(
        "subscription.confirm", token=tokens.make_token(subscriber, tokens.CONFIRM, profile)
    )
