"""Uploaded imports: staged on disk, then run by the worker a batch at a time.

The upload request only stores the file and answers; the worker runs the job in slices of
SLICE_SECONDS between its other work, committing each batch with the job's progress, so
pages, unsubscribes and sends keep their turn. A worker that dies leaves the job's lease to
expire; the next one resumes after the last committed line.
"""

from __future__ import annotations

import json
import logging
import re
import secrets
import time
from datetime import datetime, timedelta
from pathlib import Path

from flask import current_app
from sqlalchemy import or_, select, update
from sqlalchemy.exc import OperationalError

from cac_news.audience.importer import ImportOptions, ImportReport, ImportRun
from cac_news.errors import ValidationError
from cac_news.extensions import db
from cac_news.models import ImportJob, ImportJobStatus, Pilot
from cac_news.timeutil import utcnow

log = logging.getLogger(__name__)
UPLOAD_ID = re.compile(r"[0-9a-f]{32}")
UPLOAD_MAX_AGE = timedelta(hours=24)
LEASE = timedelta(seconds=60)
SLICE_SECONDS = 0.5


def upload_dir() -> Path:
    """instance/imports: staged files (they hold personal data until used or abandoned)."""
    folder = Path(current_app.instance_path) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def staged_path(upload_id: str) -> Path:
    """The staged file of an upload id (refusing anything but an id)."""
    if not UPLOAD_ID.fullmatch(upload_id or ""):
        raise ValueError("not an upload id")
    return upload_dir() / f"{upload_id}.csv"


def stage(stream) -> str:
    """Store an uploaded file (a Werkzeug FileStorage) and return its id."""
    forget_abandoned()
    upload_id = secrets.token_hex(16)
    stream.save(staged_path(upload_id), buffer_size=1 << 20)
    return upload_id


def forget_abandoned(now: datetime | None = None) -> int:
    """Delete staged files older than a day that no queued or running job still needs."""
    limit = time.time() - UPLOAD_MAX_AGE.total_seconds()
    busy = set(
        db.session.scalars(
            select(ImportJob.upload_id).where(
                ImportJob.status.in_((ImportJobStatus.QUEUED, ImportJobStatus.RUNNING))
            )
        )
    )
    removed = 0
    for path in upload_dir().iterdir():
        if path.stem not in busy and path.stat().st_mtime < limit:
            path.unlink(missing_ok=True)
            removed += 1
    return removed


def create_job(upload_id: str, filename: str, saved: dict, dry_run: bool, actor: Pilot | None):
    """Queue an import of a staged file; the worker picks it up."""
    path = staged_path(upload_id)
    job = ImportJob(
        upload_id=upload_id,
        filename=filename[:100],
        options=json.dumps(saved),
        dry_run=dry_run,
        bytes_total=path.stat().st_size,
        created_by_id=actor.id if actor is not None else None,
        report=json.dumps(ImportReport(dry_run=dry_run).to_dict()),
    )
    db.session.add(job)
    db.session.commit()
    return job


def options_of(job: ImportJob) -> ImportOptions:
    """The job's options, as the pilot set them."""
    saved = json.loads(job.options)
    actor = db.session.get(Pilot, job.created_by_id) if job.created_by_id else None
    return ImportOptions(
        mode_slugs=saved.get("modes", []),
        territory=saved.get("territory") or None,
        status=saved.get("status", "active"),
        dry_run=job.dry_run,
        source_name=job.filename,
        actor=actor,
        source_format=saved.get("source_format") or None,
        mapping=saved.get("mapping"),
    )


def report_of(job: ImportJob) -> ImportReport:
    """The job's report so far."""
    return ImportReport.from_dict(json.loads(job.report or "{}"))


def has_pending() -> bool:
    """Whether a job waits for a worker."""
    return (
        db.session.scalar(
            select(ImportJob.id)
            .where(ImportJob.status.in_((ImportJobStatus.QUEUED, ImportJobStatus.RUNNING)))
            .limit(1)
        )
        is not None
    )


class ImportJobRunner:
    """The worker's side: one job at a time, a slice per tick, resumable from its report."""

    def __init__(self, worker_id: str, slice_seconds: float = SLICE_SECONDS):
        self.worker_id = worker_id
        self.slice_seconds = slice_seconds
        self.job_id: int | None = None
        self.run: ImportRun | None = None

    def tick(self, now: datetime | None = None) -> bool:
        """Work on a job for one slice; True when a job is still in progress."""
        now = now or utcnow()
        if self.run is None and not self._start(now):
            return False
        job = db.session.get(ImportJob, self.job_id)
        deadline = time.monotonic() + self.slice_seconds
        try:
            while True:
                more = self.run.step()
                self._record(job, more)
                if not more or time.monotonic() > deadline:
                    break
        except OperationalError:
            # The database is away or locked: the worker waits and retries; the job resumes
            # after its last committed batch once its lease expires.
            db.session.rollback()
            self._close(delete_file=False)
            raise
        except Exception as exc:  # a bad file or a bug: the job fails, the worker goes on
            db.session.rollback()
            log.exception("import job %s failed", self.job_id)
            self._fail(self.job_id, exc)
            return False
        return self.run is not None

    def _start(self, now: datetime) -> bool:
        """Claim the oldest job that is queued or whose worker stopped renewing its lease."""
        candidate = db.session.scalar(
            select(ImportJob.id)
            .where(
                or_(
                    ImportJob.status == ImportJobStatus.QUEUED,
                    (ImportJob.status == ImportJobStatus.RUNNING) & (ImportJob.lease_until < now),
                )
            )
            .order_by(ImportJob.id)
            .limit(1)
        )
        if candidate is None:
            return False
        claimed = db.session.execute(
            update(ImportJob)
            .where(
                ImportJob.id == candidate,
                or_(ImportJob.claimed_by.is_(None), ImportJob.lease_until < now),
            )
            .values(
                status=ImportJobStatus.RUNNING, claimed_by=self.worker_id, lease_until=now + LEASE
            )
        ).rowcount
        db.session.commit()
        if not claimed:
            return False
        job = db.session.get(ImportJob, candidate)
        report = report_of(job)
        try:
            self.run = ImportRun(
                staged_path(job.upload_id), options_of(job), report, skip_lines=report.lines_done
            )
        except (ValidationError, OSError, ValueError) as exc:
            self._fail(job.id, exc)
            return False
        self.job_id = job.id
        return True

    def _record(self, job: ImportJob, more: bool) -> None:
        """Commit the batch just written with the job's progress (one transaction)."""
        job.report = json.dumps(self.run.report.to_dict())
        job.bytes_done = self.run.position() if more else job.bytes_total
        job.lease_until = utcnow() + LEASE
        if not more:
            job.status, job.finished_at = ImportJobStatus.DONE, utcnow()
            job.claimed_by = None
        db.session.commit()
        if not more:
            self._close(delete_file=not job.dry_run)

    def _fail(self, job_id: int | None, exc: Exception) -> None:
        job = db.session.get(ImportJob, job_id) if job_id else None
        if job is not None:
            message = ""
            if isinstance(exc, ValidationError):
                message = "; ".join(sum(exc.errors.values(), []))
            job.status, job.finished_at = ImportJobStatus.FAILED, utcnow()
            job.failure = (message or type(exc).__name__)[:300]
            job.claimed_by = None
            db.session.commit()
            staged_path(job.upload_id).unlink(missing_ok=True)
        self._close(delete_file=False)

    def _close(self, delete_file: bool) -> None:
        if self.run is not None:
            self.run.close()
            if delete_file:
                self.run.source.path.unlink(missing_ok=True)
                self.run.source.path.with_suffix(".json").unlink(missing_ok=True)
        self.run, self.job_id = None, None
