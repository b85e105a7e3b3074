"""Import 100,000 CSV rows and compare with a raw Core executemany of the same rows.

Usage: .venv/bin/python bench/import.py [ROWS]
Both runs use a fresh, migrated SQLite database in a temporary folder.
"""

from __future__ import annotations

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

ROWS = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
TERRITORIES = ["75", "69", "13", "2A", "971", "FR", "33", "59"]


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


def rows():
    """The people both runs insert."""
    for i in range(ROWS):
        yield (f"person{i}@exemple.org", f"Prénom{i}", f"Nom{i}", f"Asso {i % 500}",
               TERRITORIES[i % len(TERRITORIES)])  # fmt: skip


def main() -> None:
    """Time both and print the ratio."""
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        csv_path = tmp / "people.csv"
        with csv_path.open("w", encoding="utf-8") as out:
            out.write("email;prénom;nom;structure;département\n")
            for row in rows():
                out.write(";".join(row) + "\n")

        app = make_app(tmp / "a")
        with app.app_context():
            start = time.perf_counter()
            report = import_csv(csv_path, ImportOptions(source_name="people.csv"))
            imported = time.perf_counter() - start
            assert report.created == ROWS, report

        app = make_app(tmp / "b")
        with app.app_context():
            now = utcnow()
            params = [
                {"email": e, "first_name": f, "last_name": n, "organisation": o,
                 "territory_code": t, "language": "fr", "status": "active", "search_text": "",
                 "created_at": now, "updated_at": now, "status_changed_at": now}
                for e, f, n, o, t in rows()
            ]  # fmt: skip
            start = time.perf_counter()
            with db.engine.begin() as conn:
                conn.execute(insert(Subscriber.__table__), params)
            raw = time.perf_counter() - start

    print(f"rows: {ROWS}")
    print(f"import_csv (parse, validate, merge, subscribers + events): {imported:.2f} s")
    print(f"raw Core executemany (subscribers only, prepared dicts):  {raw:.2f} s")
    print(f"ratio: {imported / raw:.2f}x (target <= 4x)")


if __name__ == "__main__":
    main()
