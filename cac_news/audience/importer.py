"""Import subscribers from a CSV file: validated per line, merged, all-or-nothing, bulk SQL."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from cac_news import territories
from cac_news.audience import csvfiles
from cac_news.audience.csvfiles import CsvSource, fold_header
from cac_news.audience.emails import normalise_email
from cac_news.audience.import_writer import BatchWriter
from cac_news.audience.subscribers import FIELD_LIMITS
from cac_news.errors import ValidationError
from cac_news.extensions import db
from cac_news.models import ParticipationMode, Pilot

BATCH_SIZE = 2000
PREVIEW_ROWS = 5
LANGUAGE_WORDS = {
    "fr": "fr", "francais": "fr", "french": "fr",
    "en": "en", "anglais": "en", "english": "en",
}  # fmt: skip
# Fast path for plain ASCII addresses; anything else goes through email_validator.
_SIMPLE_EMAIL = re.compile(r"[a-z0-9._%+-]+@[a-z0-9-]+(\.[a-z0-9-]+)*\.[a-z]{2,24}")


@dataclass
class ImportOptions:
    """What the pilot chose besides the file."""

    mode_slugs: list[str] = field(default_factory=list)
    territory: str | None = None
    status: str = "active"
    dry_run: bool = False
    source_name: str = ""
    actor: Pilot | None = None


@dataclass
class ImportReport:
    """Counts, every rejected line with its reason, and the first rows for a preview."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    invalid: int = 0
    suppressed: int = 0
    merged: int = 0
    rows: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)
    preview: list[dict] = field(default_factory=list)
    pending_ids: list[int] = field(default_factory=list)
    dry_run: bool = False

    def reject(self, line: int, reason: str, suppressed: bool = False) -> None:
        """Record a rejected line."""
        self.errors.append((line, reason))
        if suppressed:
            self.suppressed += 1
        else:
            self.invalid += 1


def fast_email(raw: str) -> str:
    """Normalise an address; plain ASCII ones skip the (slower) full validator."""
    value = raw.strip().lower()
    if len(value) <= 254 and ".." not in value and _SIMPLE_EMAIL.fullmatch(value):
        local = value.partition("@")[0]
        if not local.startswith(".") and not local.endswith("."):
            return value
    return normalise_email(raw)


class RowParser:
    """Turns CSV cells into clean records, or a reason why the line is rejected."""

    def __init__(self, columns: dict[str, int], width: int, options: ImportOptions):
        self.columns = columns
        self.width = width
        self.default_territory = options.territory
        modes = list(db.session.scalars(select(ParticipationMode)))
        self.modes_by_key = {fold_header(m.slug): m.id for m in modes}
        self.modes_by_key.update({fold_header(m.name): m.id for m in modes})
        self.option_mode_ids = {self.modes_by_key[fold_header(s)] for s in options.mode_slugs}
        self.territory_cache: dict[str, str | None] = {}  # files repeat the same few values

    def parse(self, cells: list[str]) -> dict:
        """A clean record; raises ValueError with a readable reason."""
        if len(cells) != self.width:
            raise ValueError(
                str(_l("expected %(n)d fields, found %(m)d", n=self.width, m=len(cells)))
            )

        def cell(name: str) -> str:
            index = self.columns.get(name)
            return cells[index].strip() if index is not None else ""

        try:
            email = fast_email(cell("email"))
        except ValidationError as exc:
            raise ValueError(" ".join(exc.errors["email"])) from exc
        record: dict = {"email": email}
        for name, limit in FIELD_LIMITS.items():
            value = cell(name)
            if len(value) > limit:
                raise ValueError(
                    str(_l("%(field)s: at most %(n)d characters", field=name, n=limit))
                )
            record[name] = value
        raw_territory = cell("territory")
        if raw_territory:
            if raw_territory not in self.territory_cache:
                self.territory_cache[raw_territory] = territories.resolve(raw_territory)
            code = self.territory_cache[raw_territory]
            if code is None:
                raise ValueError(str(_l("unknown territory %(value)r", value=raw_territory)))
            record["territory_code"] = code
        else:
            record["territory_code"] = self.default_territory
        raw_language = fold_header(cell("language"))
        if raw_language and raw_language not in LANGUAGE_WORDS:
            raise ValueError(str(_l("unknown language %(value)r", value=cell("language"))))
        record["language"] = LANGUAGE_WORDS.get(raw_language)
        mode_ids = set(self.option_mode_ids)
        for token in re.split(r"[,;|/]", cell("modes")):
            if token.strip():
                mode_id = self.modes_by_key.get(fold_header(token))
                if mode_id is None:
                    raise ValueError(str(_l("unknown mode %(value)r", value=token.strip())))
                mode_ids.add(mode_id)
        record["mode_ids"] = mode_ids
        return record


def merge(into: dict, other: dict) -> None:
    """Merge a later line for the same address: non-empty values win, modes add up."""
    for key, value in other.items():
        if key == "mode_ids":
            into[key] = into[key] | value
        elif value:
            into[key] = value


def check_options(options: ImportOptions) -> None:
    """Reject unknown modes, territories or statuses before reading the file."""
    errors: dict[str, list[str]] = {}
    known = set(db.session.scalars(select(ParticipationMode.slug)))
    unknown = [s for s in options.mode_slugs if s not in known]
    if unknown:
        errors["mode"] = [str(_l("Unknown mode: %(slugs)s", slugs=", ".join(unknown)))]
    if options.territory is not None:
        code = territories.resolve(options.territory)
        if code is None:
            errors["territory"] = [str(_l("Unknown territory: %(v)s", v=options.territory))]
        options.territory = code
    if options.status not in ("active", "pending"):
        errors["status"] = [str(_l("The status must be active or pending."))]
    if errors:
        raise ValidationError(errors)


def import_csv(
    path: Path, options: ImportOptions, progress: Callable[[int, int], None] | None = None
) -> ImportReport:
    """Import a CSV file in one transaction; a dry run rolls everything back."""
    check_options(options)
    source = CsvSource(path)
    report = ImportReport(dry_run=options.dry_run)
    parser = RowParser(source.columns, len(source.header), options)
    writer = BatchWriter(db.session.connection(), options, report)
    batch: dict[str, tuple[int, dict]] = {}
    try:
        for line, cells in source.rows():
            report.rows += 1
            if isinstance(cells, str):
                report.reject(line, cells)
                continue
            try:
                record = parser.parse(cells)
            except ValueError as exc:
                report.reject(line, str(exc))
                continue
            if len(report.preview) < PREVIEW_ROWS:
                report.preview.append({**record, "line": line})
            if record["email"] in batch:
                merge(batch[record["email"]][1], record)
                report.merged += 1
                continue
            batch[record["email"]] = (line, record)
            if len(batch) >= BATCH_SIZE:
                writer.write(batch)
                batch = {}
                if progress:
                    progress(source.position(), source.size)
        if batch:
            writer.write(batch)
        if progress:
            progress(source.size, source.size)
    except BaseException:
        db.session.rollback()
        raise
    finally:
        source.close()
    if options.dry_run:
        db.session.rollback()
        report.pending_ids = []
    else:
        db.session.commit()
    return report


__all__ = ["ImportOptions", "ImportReport", "csvfiles", "import_csv"]
