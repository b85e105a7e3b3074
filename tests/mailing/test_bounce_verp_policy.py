"""VERP tokens and the bounce policy: pure functions, no Flask needed."""

from datetime import datetime, timedelta

import pytest

from cac_news.mailing.bounces.policy import BouncePolicy, decide
from cac_news.mailing.bounces.verp import (
    decode_address,
    decode_token,
    encode_address,
    encode_token,
    token_from_address,
)

SECRET = "test-secret-key"
NOW = datetime(2025, 3, 1, 12, 0, 0)


def test_verp_round_trip():
    """An encoded address decodes back to its delivery id under the same secret."""
    address = encode_address(123456, SECRET, "bounces@news.example.org")
    assert address.startswith("bounces+123456-") and address.endswith("@news.example.org")
    assert len(address.split("@")[0]) <= 64  # a local part's limit (RFC 5321)
    assert decode_address(address, SECRET) == 123456
    assert decode_address(address.upper(), SECRET) == 123456  # MTAs may fold case


def test_verp_rejects_forgeries():
    """A changed id, a changed signature, another secret or junk: all rejected."""
    token = encode_token(7, SECRET)
    delivery_id, signature = token.split("-")
    assert decode_token(token, SECRET) == 7
    assert decode_token(f"8-{signature}", SECRET) is None
    flipped = ("b" if signature[0] == "a" else "a") + signature[1:]
    assert decode_token(f"7-{flipped}", SECRET) is None
    assert decode_token(token, "another-secret") is None
    for junk in ("", "7", "7-", "-abc", "x-" + signature, token + "a", "7--" + signature):
        assert decode_token(junk, SECRET) is None


def test_verp_token_from_address():
    """Only `prefix+TOKEN@domain` carries a token."""
    assert token_from_address("Bounces+42-abc@x.org") == "42-abc"
    assert token_from_address("<bounces+42-abc@x.org>") == "42-abc"
    assert token_from_address("bounces@x.org") is None
    assert token_from_address("someone+42-abc@x.org") is None
    assert token_from_address("retours+42-abc@x.org", prefix="retours") == "42-abc"
    assert decode_address("bounces@x.org", SECRET) is None


def test_verp_refuses_bad_arguments():
    """An empty secret, a negative id or a bounce address without domain raise ValueError."""
    with pytest.raises(ValueError):
        encode_token(1, "")
    with pytest.raises(ValueError):
        encode_token(-1, SECRET)
    with pytest.raises(ValueError):
        encode_address(1, SECRET, "bounces")


def days_ago(n: float) -> datetime:
    """A moment n days before NOW."""
    return NOW - timedelta(days=n)


def test_one_hard_bounce_bounces_by_default():
    """BOUNCE_HARD_THRESHOLD defaults to 1."""
    decision = decide([("hard", days_ago(100))], now=NOW)
    assert decision.status == "bounced" and decision.changed
    assert "hard" in decision.reason


def test_hard_threshold_is_configurable():
    """With a threshold of 2, one hard bounce changes nothing and two do."""
    policy = BouncePolicy.from_config({"BOUNCE_HARD_THRESHOLD": 2})
    assert decide([("hard", days_ago(1))], policy, now=NOW).status is None
    two = [("hard", days_ago(1)), ("hard", days_ago(2))]
    assert decide(two, policy, now=NOW).status == "bounced"


def test_soft_bounces_count_only_within_the_window():
    """Five soft bounces in 30 days bounce; old ones fall out of the window."""
    recent = [("soft", days_ago(d)) for d in (1, 5, 10, 20, 29)]
    assert decide(recent, now=NOW).status == "bounced"
    assert decide(recent[:4], now=NOW).status is None
    with_old = recent[:4] + [("soft", days_ago(31))]
    assert decide(with_old, now=NOW).status is None
    future = recent[:4] + [("soft", NOW + timedelta(days=1))]  # a clock skew is not counted
    assert decide(future, now=NOW).status is None


def test_soft_settings_from_config():
    """BOUNCE_SOFT_THRESHOLD and BOUNCE_SOFT_WINDOW_DAYS are read from the config."""
    policy = BouncePolicy.from_config({"BOUNCE_SOFT_THRESHOLD": 2, "BOUNCE_SOFT_WINDOW_DAYS": 3})
    assert decide([("soft", days_ago(1)), ("soft", days_ago(2))], policy, now=NOW).changed
    assert not decide([("soft", days_ago(1)), ("soft", days_ago(4))], policy, now=NOW).changed


def test_complaint_wins_and_is_never_downgraded():
    """One complaint makes the subscriber complained, even over bounces; never the reverse."""
    history = [("hard", days_ago(1)), ("complaint", days_ago(2))]
    assert decide(history, now=NOW).status == "complained"
    assert decide(history, current_status="bounced", now=NOW).status == "complained"
    assert decide([("hard", days_ago(1))], current_status="complained", now=NOW).status is None
    assert decide([("hard", days_ago(1))], current_status="bounced", now=NOW).status is None


def test_no_history_changes_nothing():
    """No bounces, or only soft ones below the threshold: unchanged."""
    assert decide([], now=NOW).status is None
    assert decide([("not_bounce", days_ago(1))], now=NOW).status is None


@pytest.mark.parametrize(
    "settings",
    [
        {"BOUNCE_HARD_THRESHOLD": 0},
        {"BOUNCE_SOFT_THRESHOLD": -1},
        {"BOUNCE_SOFT_WINDOW_DAYS": 0},
        {"BOUNCE_SOFT_WINDOW_DAYS": "thirty"},
    ],
)
def test_invalid_settings_are_refused(settings):
    """A threshold below 1 is refused, naming the setting."""
    with pytest.raises(ValueError, match="BOUNCE_"):
        BouncePolicy.from_config(settings)


def test_app_config_has_the_defaults(app):
    """The app's configuration carries the three settings with their defaults."""
    policy = BouncePolicy.from_config(app.config)
    assert policy == BouncePolicy(hard_threshold=1, soft_threshold=5, soft_window_days=30)
    assert BouncePolicy.from_config({"BOUNCE_SOFT_THRESHOLD": "3"}).soft_threshold == 3
