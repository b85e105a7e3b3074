"""Imports run in the background by the worker: one row per uploaded file and run."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from cac_news.extensions import db
from cac_news.timeutil import utcnow


class ImportJobStatus(StrEnum):
    """Where a job stands."""

    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class ImportJob(db.Model):
    """An import the worker runs batch by batch; its report grows with each commit."""

    __tablename__ = "import_job"
    __table_args__ = (Index("ix_import_job_status", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    upload_id: Mapped[str] = mapped_column(String(32))  # the staged file in instance/imports
    filename: Mapped[str] = mapped_column(String(100))
    options: Mapped[str] = mapped_column(Text, default="{}")  # JSON: modes, territory, mapping…
    dry_run: Mapped[bool] = mapped_column(default=False)
    status: Mapped[str] = mapped_column(String(10), default=ImportJobStatus.QUEUED)
    report: Mapped[str] = mapped_column(Text, default="{}")  # JSON ImportReport, per commit
    bytes_done: Mapped[int] = mapped_column(default=0)
    bytes_total: Mapped[int] = mapped_column(default=0)
    failure: Mapped[str | None] = mapped_column(String(300))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("pilot.id", ondelete="SET NULL"))
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    lease_until: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]

    def __repr__(self) -> str:
        return f"<ImportJob {self.id} {self.status}>"
