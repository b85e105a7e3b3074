"""Settings pilots edit in the admin (branding, sender, greeting, welcome mail), typed.

Each setting is a row of ``site_setting``; a missing row means the configuration's value
(the setting's name in upper case, or the older keys ORGANISATION_NAME, MAIL_FROM...), so
an install that never opened the settings screen behaves as its config file says.
Values are read again at each use (no cache): a long-running worker sees a change at once.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from email.utils import formataddr, parseaddr

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask_babel import format_decimal
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from cac_news.errors import ErrorCollector
from cac_news.extensions import db
from cac_news.models import MediaFile, Pilot, SiteSetting
from cac_news.personalisation import unknown_fields

DEFAULT_ACCENT = "#0a4f45"
DEFAULT_GREETING = "Bonjour {{ prénom }},"
DEFAULT_WELCOME_SUBJECT = "Bienvenue dans la lettre du groupe"
DEFAULT_WELCOME_BODY = (
    "Merci d'avoir confirmé votre abonnement. Vous recevrez la prochaine lettre du groupe "
    "dès sa parution ; les précédentes sont dans les archives du site."
)
MIN_CONTRAST = 4.5  # WCAG 2.x AA for normal text
HEX_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
TEXT_LIMITS = {
    "organisation_name": 200,
    "organisation_address": 500,
    "sender_name": 100,
    "sender_address": 254,
    "reply_to": 254,
    "footer_text": 2000,
    "greeting": 200,
    "welcome_subject": 200,
    "welcome_body": 20000,
}
MULTILINE = {"organisation_address", "footer_text", "welcome_body"}


@dataclass(frozen=True)
class SiteSettings:
    """Every setting with its type."""

    organisation_name: str
    organisation_address: str
    sender_name: str
    sender_address: str
    reply_to: str
    logo_media_id: int | None
    accent_color: str
    footer_text: str
    greeting_enabled: bool
    greeting: str
    subject_numbering: bool
    welcome_enabled: bool
    welcome_subject: str
    welcome_body: str

    @property
    def mail_from(self) -> str:
        """The From header of letters and transactional mails."""
        return formataddr((self.sender_name, self.sender_address))


NAMES = tuple(f.name for f in fields(SiteSettings))
BOOLEANS = {"greeting_enabled", "subject_numbering", "welcome_enabled"}


def defaults(config: Mapping | None = None) -> SiteSettings:
    """The settings as the configuration gives them."""
    config = config if config is not None else current_app.config
    sender_name, sender_address = parseaddr(config.get("MAIL_FROM") or "")
    return SiteSettings(
        organisation_name=config.get("ORGANISATION_NAME", ""),
        organisation_address=config.get("ORGANISATION_ADDRESS", ""),
        sender_name=sender_name,
        sender_address=sender_address,
        reply_to=config.get("REPLY_TO") or "",
        logo_media_id=None,
        accent_color=config.get("ACCENT_COLOR") or DEFAULT_ACCENT,
        footer_text=config.get("FOOTER_TEXT") or "",
        greeting_enabled=bool(config.get("GREETING_ENABLED", True)),
        greeting=config.get("GREETING") or DEFAULT_GREETING,
        subject_numbering=bool(config.get("SUBJECT_NUMBERING", True)),
        welcome_enabled=bool(config.get("WELCOME_ENABLED", False)),
        welcome_subject=config.get("WELCOME_SUBJECT") or DEFAULT_WELCOME_SUBJECT,
        welcome_body=config.get("WELCOME_BODY") or DEFAULT_WELCOME_BODY,
    )


def _decode(name: str, raw: str):
    if name in BOOLEANS:
        return raw == "1"
    if name == "logo_media_id":
        return int(raw) if raw.isdigit() else None
    return raw


def _encode(value) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    return "" if value is None else str(value)


def load() -> SiteSettings:
    """The current settings: stored values over the configuration's defaults."""
    stored = dict(db.session.execute(select(SiteSetting.key, SiteSetting.value)).all())
    values = asdict(defaults())
    for name in NAMES:
        if name in stored:
            values[name] = _decode(name, stored[name])
    return SiteSettings(**values)


def relative_luminance(colour: str) -> float:
    """WCAG 2.x relative luminance of a #rrggbb colour."""
    channels = []
    for i in (1, 3, 5):
        c = int(colour[i : i + 2], 16) / 255
        channels.append(c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4)
    red, green, blue = channels
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast_ratio(first: str, second: str = "#ffffff") -> float:
    """WCAG 2.x contrast ratio between two #rrggbb colours (1 to 21)."""
    lighter, darker = sorted((relative_luminance(first), relative_luminance(second)))[::-1]
    return (lighter + 0.05) / (darker + 0.05)


def _check_text(name: str, value: str, errors: ErrorCollector) -> str:
    value = (value or "").replace("\r\n", "\n")
    if name not in MULTILINE and _CONTROL.search(value):
        errors.add(name, str(_l("Line breaks and control characters are not allowed here.")))
    elif len(value) > TEXT_LIMITS[name]:
        errors.add(name, str(_l("At most %(n)d characters.", n=TEXT_LIMITS[name])))
    return value.strip()


def _check_address(name: str, value: str, errors: ErrorCollector) -> str:
    # email_validator directly: this module sits below the audience package, whose
    # transactional mails read the sender from here.
    try:
        return validate_email(value, check_deliverability=False).normalized
    except EmailNotValidError:
        errors.add(name, str(_l("Give a valid email address, such as lettre@example.org.")))
        return value


def _check_accent(value: str, errors: ErrorCollector) -> str:
    value = (value or "").strip().lower()
    if not HEX_COLOUR.match(value):
        errors.add("accent_color", str(_l("Give a colour as #rrggbb, for example #0a4f45.")))
        return value
    ratio = contrast_ratio(value)
    if ratio < MIN_CONTRAST:
        shown = format_decimal(math.floor(ratio * 100) / 100, format="0.00")
        needed = format_decimal(MIN_CONTRAST, format="0.0")
        errors.add(
            "accent_color",
            str(
                _l(
                    "This colour's contrast against white is %(ratio)s:1; at least %(min)s:1 "
                    "is needed (WCAG AA) so that text on it and links in it stay readable.",
                    ratio=shown,
                    min=needed,
                )
            ),
        )
    return value


def validate(values: Mapping[str, object]) -> SiteSettings:
    """Check submitted settings (missing names keep their current value); ValidationError."""
    current = asdict(load())
    errors = ErrorCollector()
    for name in NAMES:
        if name not in values:
            continue
        raw = values[name]
        if name in BOOLEANS:
            current[name] = bool(raw)
        elif name == "logo_media_id":
            current[name] = _check_logo(raw, errors)
        elif name == "accent_color":
            current[name] = _check_accent(str(raw or ""), errors)
        else:
            current[name] = _check_text(name, str(raw or ""), errors)
    for name in ("sender_address", "reply_to"):
        if name not in errors and (current[name] or name == "sender_address"):
            current[name] = _check_address(name, current[name], errors)
    if "organisation_address" not in errors and not current["organisation_address"]:
        errors.add(
            "organisation_address",
            str(_l("The postal address is required: the law asks for it in every letter.")),
        )
    if "organisation_name" not in errors and not current["organisation_name"]:
        errors.add("organisation_name", str(_l("The organisation's name is required.")))
    for name in ("greeting", "welcome_subject", "welcome_body"):
        unknown = unknown_fields(current[name]) if name not in errors else []
        if unknown:
            errors.add(
                name,
                str(
                    _l(
                        "Unknown personalisation field: %(fields)s. Use {{ prénom }}.",
                        fields=", ".join(f"{{{{ {field} }}}}" for field in unknown),
                    )
                ),
            )
    if current["greeting_enabled"] and not current["greeting"] and "greeting" not in errors:
        errors.add("greeting", str(_l("Write the greeting, or turn it off.")))
    if current["welcome_enabled"]:
        for name in ("welcome_subject", "welcome_body"):
            if not current[name] and name not in errors:
                errors.add(name, str(_l("Required when the welcome mail is on.")))
    errors.raise_if_any()
    return SiteSettings(**current)


def _check_logo(raw: object, errors: ErrorCollector) -> int | None:
    text = str(raw or "").strip()
    if not text:
        return None
    if not text.isdigit() or db.session.get(MediaFile, int(text)) is None:
        errors.add("logo_media_id", str(_l("Choose an image of the media library.")))
        return None
    return int(text)


def save(values: Mapping[str, object], pilot: Pilot | None = None) -> SiteSettings:
    """Validate and store the settings (every name, so later config changes do not leak
    into settings a pilot chose); return them."""
    checked = validate(values)
    stored = {row.key: row for row in db.session.scalars(select(SiteSetting))}
    for name, value in asdict(checked).items():
        row = stored.get(name) or SiteSetting(key=name)
        row.value = _encode(value)
        row.updated_by_id = pilot.id if pilot is not None else None
        db.session.add(row)
    db.session.commit()
    return checked
