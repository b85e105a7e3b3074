"""Import speed and memory, against baselines measured in the same run.

Usage: .venv/bin/python bench/import.py [ROWS ...]   (default: 100000 1000000)

For each size: `import_csv` (parse, validate, merge, subscribers + events + modes, one
commit per batch) against a raw Core executemany of the same subscribers, both on a fresh
migrated SQLite database. Then the peak RSS of `flask subscribers import --dry-run` on a
50 MB file, beside the peak RSS of a bare `flask --help`.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from flask_migrate import upgrade
from sqlalchemy import insert

from cac_news import create_app
from cac_news.audience.importer import ImportOptions, import_csv
from cac_news.extensions import db
from cac_news.models import Subscriber
from cac_news.timeutil import utcnow

TERRITORIES = ["75", "69", "13", "2A", "971", "FR", "33", "59"]
ROOT = Path(__file__).resolve().parent.parent


def make_app(folder: Path):
    """An app on a fresh migrated SQLite database inside folder."""
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "bench",
            "INSTANCE_PATH": str(folder),
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'bench.db'}",
        }
    )
    with app.app_context():
        upgrade()
    return app


def rows(count: int):
    """The people both runs insert."""
    for i in range(count):
        yield (f"person{i}@exemple.org", f"Prénom{i}", f"Nom{i}", f"Asso {i % 500}",
               TERRITORIES[i % len(TERRITORIES)])  # fmt: skip


def write_csv(path: Path, count: int) -> None:
    with path.open("w", encoding="utf-8") as out:
        out.write("email;prénom;nom;structure;département\n")
        for row in rows(count):
            out.write(";".join(row) + "\n")


def speed(count: int, tmp: Path) -> tuple[float, float]:
    """Seconds of import_csv and of the raw executemany, for count rows."""
    csv_path = tmp / f"people-{count}.csv"
    write_csv(csv_path, count)
    app = make_app(tmp / f"a{count}")
    with app.app_context():
        start = time.perf_counter()
        report = import_csv(csv_path, ImportOptions(source_name=csv_path.name))
        imported = time.perf_counter() - start
        assert report.created == count, report
    app = make_app(tmp / f"b{count}")
    with app.app_context():
        now = utcnow()
        params = (
            {"email": e, "first_name": f, "last_name": n, "organisation": o,
             "territory_code": t, "language": "fr", "status": "active", "search_text": "",
             "created_at": now, "updated_at": now, "status_changed_at": now}
            for e, f, n, o, t in rows(count)
        )  # fmt: skip
        start = time.perf_counter()
        with db.engine.begin() as conn:
            batch = []
            for param in params:
                batch.append(param)
                if len(batch) == 2000:
                    conn.execute(insert(Subscriber.__table__), batch)
                    batch = []
            if batch:
                conn.execute(insert(Subscriber.__table__), batch)
        raw = time.perf_counter() - start
    csv_path.unlink()
    return imported, raw


def peak_rss_mb(args: list[str], env: dict) -> float:
    """Peak resident memory of a child process, in MB."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    subprocess.run(args, cwd=ROOT, env=env, check=True, capture_output=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(before, after) / 1024


def memory(tmp: Path) -> tuple[float, float, float]:
    """(file MB, peak RSS of a dry run of it, peak RSS of `flask --help`)."""
    big = tmp / "big.csv"
    count = 0
    with big.open("w", encoding="utf-8") as out:
        out.write("email;prénom;nom;structure;département\n")
        while out.tell() < 50_000_000:
            for row in rows(10_000):
                out.write(";".join((f"{count}{row[0]}", *row[1:])) + "\n")
                count += 1
    make_app(tmp / "mem")
    env = {k: v for k, v in os.environ.items() if not k.startswith("CAC_NEWS_")}
    env.update(
        CAC_NEWS_SECRET_KEY="bench",
        CAC_NEWS_SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp / 'mem' / 'bench.db'}",
        CAC_NEWS_INSTANCE_PATH=str(tmp / "mem"),
    )
    flask = [sys.executable, "-m", "flask", "--app", "app"]
    # Each measurement in its own child so that one's peak does not hide the other's.
    help_rss = float(
        subprocess.run(
            [sys.executable, __file__, "--rss", *flask, "--help"],
            env=env, cwd=ROOT, check=True, capture_output=True, text=True,
        ).stdout.split()[-1]
    )  # fmt: skip
    dry_rss = float(
        subprocess.run(
            [sys.executable, __file__, "--rss", *flask, "subscribers", "import", str(big),
             "--dry-run"],
            env=env, cwd=ROOT, check=True, capture_output=True, text=True,
        ).stdout.split()[-1]
    )  # fmt: skip
    return big.stat().st_size / 1e6, dry_rss, help_rss


def main() -> None:
    """Print the figures and the ratios."""
    if sys.argv[1:2] == ["--rss"]:
        print(peak_rss_mb(sys.argv[2:], dict(os.environ)))
        return
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        for count in [int(a) for a in sys.argv[1:]] or [100_000, 1_000_000]:
            imported, raw = speed(count, tmp)
            print(f"rows: {count}")
            print(f"  import_csv: {imported:.2f} s ({count / imported:,.0f} rows/s)")
            print(f"  raw Core executemany: {raw:.2f} s ({count / raw:,.0f} rows/s)")
            print(f"  ratio: {imported / raw:.2f}x (target <= 3x)")
        size, dry, bare = memory(tmp)
        print(f"dry run of a {size:.0f} MB file: peak RSS {dry:.0f} MB (target <= 200 MB)")
        print(f"bare `flask --help`: peak RSS {bare:.0f} MB")


if __name__ == "__main__":
    main()
