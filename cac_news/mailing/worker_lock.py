"""One worker per SQLite database: an flock beside the file; worker ids."""

from __future__ import annotations

import fcntl
import os
import socket
import uuid
from pathlib import Path
from typing import IO


class WorkerRefused(RuntimeError):
    """Another worker already delivers from this SQLite database."""


def make_worker_id() -> str:
    """host:pid:random, unique for each run of a worker."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def sqlite_lock(database: str | None, worker_id: str) -> IO | None:
    """Hold an exclusive lock beside a SQLite database file; refuse a second worker.

    flock() locks die with their process, so a worker killed by SIGKILL leaves no stale lock.
    """
    if not database or database == ":memory:":
        return None
    handle = Path(f"{database}.worker.lock").open("a+")  # noqa: SIM115 (held while running)
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.seek(0)
        holder = handle.read().strip() or "unknown"
        handle.close()
        raise WorkerRefused(
            f"another worker ({holder}) already delivers from {database}; SQLite supports "
            "one worker: use PostgreSQL to run several"
        ) from None
    handle.truncate(0)
    handle.write(worker_id)
    handle.flush()
    return handle
