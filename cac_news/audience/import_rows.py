"""One line of an import file turned into a clean record, or a reason to reject it."""

from __future__ import annotations

import json
import re

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from cac_news import territories
from cac_news.audience import import_formats as formats
from cac_news.audience.emails import normalise_email
from cac_news.audience.import_formats import fold
from cac_news.audience.subscribers import FIELD_LIMITS
from cac_news.errors import ValidationError
from cac_news.extensions import db
from cac_news.models import ParticipationMode

LANGUAGE_WORDS = {
    "fr": "fr", "francais": "fr", "french": "fr",
    "en": "en", "anglais": "en", "english": "en",
}  # fmt: skip
# Fast path for plain ASCII addresses; anything else goes through email_validator.
_SIMPLE_EMAIL = re.compile(r"[a-z0-9._%+-]+@[a-z0-9-]+(\.[a-z0-9-]+)*\.[a-z]{2,24}")
# listmonk keeps everything else in a JSON `attributes` cell: its keys, folded, that we read.
ATTRIBUTE_FIELDS = {
    alias: name
    for alias, name in formats.ALIASES.items()
    if name in ("first_name", "last_name", "organisation", "territory", "country", "language")
}


def fast_email(raw: str) -> str:
    """Normalise an address; plain ASCII ones skip the (slower) full validator."""
    value = raw.strip().lower()
    if len(value) <= 254 and ".." not in value and _SIMPLE_EMAIL.fullmatch(value):
        local = value.partition("@")[0]
        if not local.startswith(".") and not local.endswith("."):
            return value
    return normalise_email(raw)


class RowParser:
    """Turns the cells of one line into a clean record; raises ValueError with a reason."""

    def __init__(self, columns: dict[str, int], width: int, options, whole_lines: bool = False):
        self.columns = columns
        self.width = width
        self.strict_width = not whole_lines and width > 1
        self.default_territory = options.territory
        modes = list(db.session.scalars(select(ParticipationMode)))
        self.modes_by_key = {fold(m.slug): m.id for m in modes}
        self.modes_by_key.update({fold(m.name): m.id for m in modes})
        self.option_mode_ids = {self.modes_by_key[fold(s)] for s in options.mode_slugs}
        self.territory_cache: dict[tuple[str, str], str | None] = {}  # a few values repeat

    def parse(self, cells: list[str]) -> dict:
        """A clean record: profile fields, modes, and the status the source gives."""
        if self.strict_width and len(cells) != self.width:
            raise ValueError(
                str(_l("expected %(n)d fields, found %(m)d", n=self.width, m=len(cells)))
            )
        values = {
            name: cells[index].strip() if index < len(cells) else ""
            for name, index in self.columns.items()
        }
        if values.get("attributes"):
            self._read_attributes(values)
        if "mailbox" in values:
            display, values["email"] = formats.parse_mailbox(values.pop("mailbox"))
            values.setdefault("name", display)
        if values.get("name") and not (values.get("first_name") or values.get("last_name")):
            values["first_name"], values["last_name"] = formats.split_name(values["name"])
        try:
            email = fast_email(values.get("email", ""))
        except ValidationError as exc:
            raise ValueError(" ".join(exc.errors["email"])) from exc
        record: dict = {"email": email}
        for name, limit in FIELD_LIMITS.items():
            value = values.get(name, "")
            if len(value) > limit:
                raise ValueError(
                    str(_l("%(field)s: at most %(n)d characters", field=name, n=limit))
                )
            record[name] = value
        record.update(self._territory(values.get("territory", ""), values.get("country", "")))
        raw_language = fold(values.get("language", ""))
        if raw_language and raw_language not in LANGUAGE_WORDS:
            raise ValueError(str(_l("unknown language %(value)r", value=values["language"])))
        record["language"] = LANGUAGE_WORDS.get(raw_language)
        record["mode_ids"] = self._modes(values.get("modes", ""))
        record["status"] = formats.status_of(values)
        return record

    def _read_attributes(self, values: dict) -> None:
        """Fill empty fields from listmonk's JSON attributes (unknown keys are ignored)."""
        try:
            attributes = json.loads(values.pop("attributes"))
        except ValueError:
            return
        if not isinstance(attributes, dict):
            return
        for key, value in attributes.items():
            name = ATTRIBUTE_FIELDS.get(fold(str(key)))
            if name and isinstance(value, str | int) and not values.get(name):
                values[name] = str(value).strip()

    def _territory(self, raw: str, country: str) -> dict:
        """Département (or "FR") and région codes; nothing abroad."""
        if not raw:
            if country and not territories.in_france(country):
                return {"territory_code": None, "region_code": None}
            return {"territory_code": self.default_territory, "region_code": None}
        key = (raw, country)
        if key not in self.territory_cache:
            self.territory_cache[key] = territories.resolve(
                raw, country=country or None, regions=True
            )
        code = self.territory_cache[key]
        if code is None:
            if country and not territories.in_france(country):
                return {"territory_code": None, "region_code": None}  # abroad: no territory
            raise ValueError(str(_l("unknown territory %(value)r", value=raw)))
        if code.startswith(territories.REGION_PREFIX):
            return {"territory_code": None, "region_code": code}
        return {"territory_code": code, "region_code": None}

    def _modes(self, cell: str) -> set[int]:
        mode_ids = set(self.option_mode_ids)
        for token in re.split(r"[,;|/]", cell):
            if token.strip():
                mode_id = self.modes_by_key.get(fold(token))
                if mode_id is None:
                    raise ValueError(str(_l("unknown mode %(value)r", value=token.strip())))
                mode_ids.add(mode_id)
        return mode_ids


def merge(into: dict, other: dict) -> None:
    """Merge a later line for the same address: non-empty values win, modes add up."""
    for key, value in other.items():
        if key == "mode_ids":
            into[key] = into[key] | value
        elif value:
            into[key] = value
