"""Import subscribers from a file: streamed, validated per line, written in short batches.

Each batch of BATCH_SIZE merged addresses is written and committed on its own, so that the
public forms, one-click unsubscribes and the worker keep their turn at the database while a
big file goes in. Every write is idempotent (a known address is updated, never added twice;
nobody who left is re-activated), so an import interrupted midway, run again, ends as if run
once; a background job also resumes after the last line it committed (`skip_lines`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from cac_news import territories
from cac_news.audience import import_formats
from cac_news.audience.csvfiles import CsvSource
from cac_news.audience.import_rows import RowParser, merge
from cac_news.audience.import_writer import BatchWriter
from cac_news.errors import ErrorCollector
from cac_news.extensions import db
from cac_news.models import ParticipationMode, Pilot

BATCH_SIZE = 2000
PREVIEW_ROWS = 5
MAX_REPORTED_ERRORS = 300  # the rest are counted: a file of a million bad lines stays small


@dataclass
class ImportOptions:
    """What the pilot chose besides the file."""

    mode_slugs: list[str] = field(default_factory=list)
    territory: str | None = None
    status: str = "active"
    dry_run: bool = False
    source_name: str = ""
    actor: Pilot | None = None
    source_format: str | None = None  # `--from`: None guesses from the header
    mapping: list[str] | None = None  # the field of each column, as the pilot set it


@dataclass
class ImportReport:
    """Counts, the first rejected lines with their reason, and the first rows for a preview."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    invalid: int = 0
    suppressed: int = 0
    merged: int = 0
    departed: int = 0  # people the source says left: stored as unsubscribed or bounced
    queued: int = 0  # confirmation mails queued for people imported as pending
    rows: int = 0
    lines_done: int = 0  # the last line whose batch is committed
    format: str = "csv"
    errors: list[tuple[int, str]] = field(default_factory=list)
    preview: list[dict] = field(default_factory=list)
    dry_run: bool = False

    def reject(self, line: int, reason: str, suppressed: bool = False) -> None:
        """Record a rejected line (its reason kept for the first MAX_REPORTED_ERRORS)."""
        if len(self.errors) < MAX_REPORTED_ERRORS:
            self.errors.append((line, reason))
        if suppressed:
            self.suppressed += 1
        else:
            self.invalid += 1

    @property
    def unlisted_errors(self) -> int:
        """Rejected lines beyond those whose reason is kept."""
        return self.invalid + self.suppressed - len(self.errors)

    def to_dict(self) -> dict:
        """JSON-ready (the preview is left out: it holds addresses)."""
        data = asdict(self)
        data.pop("preview")
        return data

    @classmethod
    def from_dict(cls, data: dict) -> ImportReport:
        """The report a job stored."""
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        known["errors"] = [tuple(e) for e in known.get("errors", [])]
        return cls(**known)


def check_options(options: ImportOptions) -> None:
    """Reject unknown modes, territories, statuses or formats before reading the file."""
    errors = ErrorCollector()
    known = set(db.session.scalars(select(ParticipationMode.slug)))
    unknown = [s for s in options.mode_slugs if s not in known]
    if unknown:
        errors.add("mode", str(_l("Unknown mode: %(slugs)s", slugs=", ".join(unknown))))
    if options.territory is not None:
        code = territories.resolve(options.territory)
        if code is None:
            errors.add("territory", str(_l("Unknown territory: %(v)s", v=options.territory)))
        options.territory = code
    if options.status not in ("active", "pending"):
        errors.add("status", str(_l("The status must be active or pending.")))
    if options.source_format not in (None, *import_formats.FORMATS):
        errors.add(
            "from",
            str(
                _l(
                    "Unknown format %(value)s (expected one of %(formats)s).",
                    value=options.source_format,
                    formats=", ".join(import_formats.FORMATS),
                )
            ),
        )
    errors.raise_if_any()


class ImportRun:
    """One pass over a file, a batch at a time; the caller commits between batches."""

    def __init__(
        self,
        path: Path,
        options: ImportOptions,
        report: ImportReport | None = None,
        skip_lines: int = 0,
    ):
        check_options(options)
        self.options = options
        self.source = CsvSource(path, options.source_format, options.mapping)
        layout = self.source.layout
        self.report = report or ImportReport(dry_run=options.dry_run)
        self.report.format = layout.format
        self.parser = RowParser(layout.columns, self.source.width, options, layout.whole_lines)
        self.writer = BatchWriter(options, self.report)
        self.skip_lines = skip_lines
        self._rows = self.source.rows()
        self.finished = False

    def step(self) -> bool:
        """Read, check and write one batch; False once the file is done."""
        report = self.report
        batch: dict[str, tuple[int, dict]] = {}
        for line, cells in self._rows:
            if line <= self.skip_lines:
                continue  # committed by an earlier run of this job
            report.rows += 1
            report.lines_done = line
            if isinstance(cells, str):
                report.reject(line, cells)
                continue
            try:
                record = self.parser.parse(cells)
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
                self.writer.write(db.session.connection(), batch)
                return True
        if batch:
            self.writer.write(db.session.connection(), batch)
        self.finished = True
        return False

    def position(self) -> int:
        """Bytes read so far."""
        return self.source.position()

    def close(self) -> None:
        """Close the file."""
        self.source.close()


def import_csv(
    path: Path, options: ImportOptions, progress: Callable[[int, int], None] | None = None
) -> ImportReport:
    """Import a file, committing batch by batch; a dry run writes nothing at all."""
    run = ImportRun(path, options)
    try:
        while True:
            more = run.step()
            if not options.dry_run:
                db.session.commit()
            if progress:
                progress(run.position() if more else run.source.size, run.source.size)
            if not more:
                break
    except BaseException:
        db.session.rollback()
        raise
    finally:
        run.close()
        if options.dry_run:
            db.session.rollback()
    return run.report


__all__ = ["ImportOptions", "ImportReport", "ImportRun", "import_csv"]
