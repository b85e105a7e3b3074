"""Requests per second of an archive copy page vs a static file, under gunicorn.

Run from the repository root: `.venv/bin/python bench/archive.py [REQUESTS] [THREADS]`.
In one run: builds a throw-away SQLite database holding a frozen copy, starts gunicorn
(gthread workers, keep-alive) on a free loopback port with the app on that database,
then sends a fixed number of GET requests, in alternating rounds, with a bounded load
generator (threads, one keep-alive http.client connection each) to /archives/1/ and to
/static/css/app.css, and prints both rates and their ratio (goal: the page reaches at
least 0.8 x the static file).
"""

from __future__ import annotations

import http.client
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from flask_migrate import upgrade

from cac_news import create_app
from cac_news.archive.copies import freeze_copy
from cac_news.compose.newsletters import NewsletterData, SectionData, create_newsletter
from cac_news.extensions import db

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
ROUNDS = 5
BODY = (
    "Le groupe a **avancé** sur la note consacrée aux contrats à impact social. "
    "Voir [le document](https://cac.example.org/docs/note-{n}).\n\n- point un\n- point deux"
)


def free_port() -> int:
    """A free TCP port on loopback."""
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def build_database(instance: Path, uri: str) -> None:
    """Migrate a new database and freeze one realistic issue (about 20 sections)."""
    app = create_app({"SECRET_KEY": "bench", "INSTANCE_PATH": str(instance),
                      "SQLALCHEMY_DATABASE_URI": uri, "SITE_URL": "http://localhost"})  # fmt: skip
    with app.app_context():
        upgrade()
        sections = [
            SectionData(kind="text", title=f"Point {n}", body_md=BODY.format(n=n))
            for n in range(20)
        ]
        newsletter, _ = create_newsletter(NewsletterData(subject="Rentrée", sections=sections))
        newsletter.status = "sent"
        freeze_copy(newsletter)
        db.session.commit()
        db.engine.dispose()


def wait_until_up(port: int, deadline: float) -> None:
    """Wait for gunicorn to accept connections."""
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((HOST, port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("gunicorn did not start")


def load(port: int, path: str, requests: int, threads: int) -> tuple[float, int]:
    """Send `requests` GETs from `threads` keep-alive connections; (requests/s, bytes)."""
    per_thread = requests // threads
    sizes: list[int] = []
    errors: list[str] = []

    def worker() -> None:
        conn = http.client.HTTPConnection(HOST, port, timeout=10)
        size = 0
        for _ in range(per_thread):
            conn.request("GET", path)
            response = conn.getresponse()
            size = len(response.read())
            if response.status != 200:
                errors.append(f"{path}: {response.status}")
                break
        conn.close()
        sizes.append(size)

    pool = [threading.Thread(target=worker) for _ in range(threads)]
    start = time.perf_counter()
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    elapsed = time.perf_counter() - start
    if errors:
        raise RuntimeError(errors[0])
    return per_thread * threads / elapsed, max(sizes)


def main() -> None:
    """Build, serve, measure, print."""
    requests = int(sys.argv[1]) if len(sys.argv) > 1 else 4000
    threads = int(sys.argv[2]) if len(sys.argv) > 2 else 4
    with tempfile.TemporaryDirectory() as tmp:
        instance = Path(tmp)
        uri = f"sqlite:///{instance / 'bench.db'}"
        build_database(instance, uri)
        port = free_port()
        env = {
            **os.environ,
            "CAC_NEWS_SECRET_KEY": "bench",
            "CAC_NEWS_INSTANCE_PATH": str(instance),
            "CAC_NEWS_SQLALCHEMY_DATABASE_URI": uri,
        }
        gunicorn = [sys.executable, "-m", "gunicorn", "--bind", f"{HOST}:{port}",
                    "--workers", "2", "--worker-class", "gthread", "--threads", "4",
                    "--keep-alive", "30", "--log-level", "warning", "app:app"]  # fmt: skip
        server = subprocess.Popen(gunicorn, cwd=ROOT, env=env)  # noqa: S603
        try:
            wait_until_up(port, time.monotonic() + 30)
            pages = {"archive copy /archives/1/": "/archives/1/",
                     "static file /static/css/app.css": "/static/css/app.css"}  # fmt: skip
            for path in pages.values():
                load(port, path, 200, threads)  # warm-up: workers, caches, connections
            # Alternate the two URLs over several rounds and keep each one's median, so
            # that a burst of other work on the machine does not favour either.
            runs: dict[str, list[float]] = {label: [] for label in pages}
            sizes = {}
            for _round in range(ROUNDS):
                for label, path in pages.items():
                    rate, sizes[label] = load(port, path, requests // ROUNDS, threads)
                    runs[label].append(rate)
            rates = {label: statistics.median(values) for label, values in runs.items()}
            for label, rate in rates.items():
                spread = ", ".join(f"{r:.0f}" for r in runs[label])
                print(f"{label:34} {rate:6.0f} req/s median ({spread}); {sizes[label]} B")
        finally:
            server.terminate()
            server.wait(timeout=15)
    page, static = rates.values()
    print(f"{requests} requests per URL in {ROUNDS} alternating rounds, {threads} client threads")
    print("gunicorn: 2 gthread workers x 4 threads, keep-alive; loopback only")
    print(f"ratio page / static: {page / static:.2f} (goal >= 0.80)")


if __name__ == "__main__":
    main()
