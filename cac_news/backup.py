"""Backups and restores: one timestamped archive holding a consistent database snapshot
and the instance folder's files (config, media…), taken while the app and workers run.

SQLite is copied with its online backup API (a consistent snapshot even mid-send, WAL
included); PostgreSQL with `pg_dump` (one transaction, so consistent too). A restore
goes into an empty instance only: it never overwrites a database that holds data.
"""

from __future__ import annotations

import io
import json
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import inspect
from sqlalchemy.engine import URL, Engine, make_url

from cac_news.timeutil import utcnow

FORMAT_VERSION = 1
MANIFEST = "manifest.json"
SQLITE_MEMBER = "database/cac_news.db"
PG_MEMBER = "database/postgresql.dump"
BACKUP_PREFIX = "cac-news-backup-"


class BackupError(Exception):
    """A backup or restore that cannot be done; the message says why."""


@dataclass(frozen=True)
class BackupReport:
    """What a backup wrote."""

    path: Path
    database: str  # "sqlite" or "postgresql (pg_dump)"
    instance_files: int


def _libpq_url(url: URL) -> str:
    """The SQLAlchemy URL in the form pg_dump and pg_restore take."""
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def _sqlite_path(url: URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise BackupError("an in-memory SQLite database cannot be backed up")
    return Path(url.database)


def _instance_files(instance: Path, skip: set[Path]) -> list[Path]:
    """Every file of the instance folder but the live database and earlier backups."""
    files = []
    for path in sorted(instance.rglob("*")):
        if not path.is_file() or path in skip or path.name.startswith(BACKUP_PREFIX):
            continue
        files.append(path)
    return files


def _dump_database(url: URL, target: Path) -> tuple[str, str]:
    """Write a consistent copy of the database to target; (member name, description)."""
    if url.get_backend_name() == "sqlite":
        source = sqlite3.connect(_sqlite_path(url))
        copy = sqlite3.connect(target)
        try:
            source.backup(copy)  # the online backup API: consistent while others write
        finally:
            copy.close()
            source.close()
        return SQLITE_MEMBER, "sqlite (online backup API)"
    if url.get_backend_name() == "postgresql":
        pg_dump = shutil.which("pg_dump")
        if pg_dump is None:
            raise BackupError("pg_dump is missing: apt-get install postgresql-client")
        result = subprocess.run(  # noqa: S603
            [pg_dump, "--format=custom", "--no-owner", "--file", str(target), _libpq_url(url)],
            capture_output=True,
            text=True,
        )
        if result.returncode != 0:
            raise BackupError(f"pg_dump failed: {result.stderr.strip()}")
        return PG_MEMBER, "postgresql (pg_dump)"
    raise BackupError(f"cannot back up a {url.get_backend_name()} database")


def create_backup(engine: Engine, instance_path: Path, destination: Path) -> BackupReport:
    """Write cac-news-backup-<UTC timestamp>.tar.gz into destination."""
    url = engine.url
    destination.mkdir(parents=True, exist_ok=True)
    stamp = utcnow().strftime("%Y%m%dT%H%M%S%fZ")
    final = destination / f"{BACKUP_PREFIX}{stamp}.tar.gz"
    skip: set[Path] = set()
    if url.get_backend_name() == "sqlite":
        live = _sqlite_path(url).resolve()
        skip = {live, Path(f"{live}-wal"), Path(f"{live}-shm"), Path(f"{live}-journal")}
    with tempfile.TemporaryDirectory() as work:
        dump = Path(work) / "database"
        member, description = _dump_database(url, dump)
        files = _instance_files(instance_path.resolve(), skip | {final.resolve()})
        manifest = {
            "format": FORMAT_VERSION,
            "created_at": utcnow().isoformat(),
            "database": member,
            "instance_files": [str(p.relative_to(instance_path.resolve())) for p in files],
        }
        partial = final.with_suffix(".partial")
        with tarfile.open(partial, "w:gz") as archive:
            info = tarfile.TarInfo(MANIFEST)
            data = json.dumps(manifest, indent=2).encode()
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
            archive.add(dump, arcname=member)
            for path in files:
                archive.add(path, arcname=f"instance/{path.relative_to(instance_path.resolve())}")
        partial.rename(final)  # a half-written archive never carries the final name
    return BackupReport(final, description, len(files))


def _database_is_empty(engine: Engine) -> bool:
    """No table but Alembic's bookkeeping: nothing a restore could destroy."""
    tables = set(inspect(engine).get_table_names())
    return tables <= {"alembic_version"}


def restore_backup(archive_path: Path, database_uri: str, instance_path: Path) -> list[str]:
    """Bring a backup back into an empty instance; the lines of a report."""
    from sqlalchemy import create_engine

    url = make_url(database_uri)
    engine = create_engine(url)
    try:
        if not _database_is_empty(engine):
            where = url.render_as_string()
            raise BackupError(f"the database {where} is not empty: restore refused")
    finally:
        engine.dispose()
    report = []
    with tarfile.open(archive_path, "r:gz") as archive, tempfile.TemporaryDirectory() as work:
        archive.extractall(work, filter="data")  # no absolute paths, links or devices
        root = Path(work)
        manifest = json.loads((root / MANIFEST).read_text())
        if manifest.get("format") != FORMAT_VERSION:
            raise BackupError(f"unknown backup format {manifest.get('format')!r}")
        report.append(_restore_database(root / manifest["database"], manifest["database"], url))
        instance_path.mkdir(parents=True, exist_ok=True)
        for name in manifest["instance_files"]:
            target = instance_path / name
            if target.exists():
                report.append(f"kept the existing {target} (not overwritten)")
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(root / "instance" / name, target)
        report.append(f"{len(manifest['instance_files'])} instance file(s) restored")
    return report


def _restore_database(dump: Path, member: str, url: URL) -> str:
    """Load the dump into the target database."""
    if member == SQLITE_MEMBER:
        if url.get_backend_name() != "sqlite":
            raise BackupError("this backup holds a SQLite database: restore it into SQLite")
        target = _sqlite_path(url)
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = target.with_name(target.name + ".restoring")
        shutil.copyfile(dump, staging)
        check = sqlite3.connect(staging)
        try:
            if check.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                raise BackupError("the database in the backup is damaged")
        finally:
            check.close()
        staging.replace(target)
        return f"SQLite database restored into {target}"
    if url.get_backend_name() != "postgresql":
        raise BackupError("this backup holds a PostgreSQL dump: restore it into PostgreSQL")
    pg_restore = shutil.which("pg_restore")
    if pg_restore is None:
        raise BackupError("pg_restore is missing: apt-get install postgresql-client")
    result = subprocess.run(  # noqa: S603
        [pg_restore, "--no-owner", "--single-transaction",
         "--dbname", _libpq_url(url), str(dump)],
        capture_output=True,
        text=True,
    )  # fmt: skip
    if result.returncode != 0:
        raise BackupError(f"pg_restore failed: {result.stderr.strip()}")
    return "PostgreSQL database restored with pg_restore"
