"""The whole worker against a raw smtplib loop, side by side, and its peak memory.

Builds a SQLite database in a temporary folder (migrations, N active subscribers by Core
executemany, one frozen newsletter of N recipients per round), starts an aiosmtpd sink in
another process, then alternates, round after round (the order swapped each round so that
drift favours neither): a raw smtplib loop sending the worker's own rendered messages over
the same number of connections, and `flask worker --until-idle` delivering one newsletter
(claims, personalisation, recording included). The worker's send rate is counted from its
first to its last recorded `sent_at` (process start-up, ~1.5 s of imports, is printed apart);
its peak memory is the child's VmHWM read from /proc. Targets: ratio worker/raw >= 0.9,
peak <= 150 MB for 100,000 recipients.

    python bench/send_engine.py [--recipients 20000] [--rounds 3] [--connections 4]
    python bench/send_engine.py --recipients 100000 --rounds 2    # the memory target
"""

from __future__ import annotations

import argparse
import itertools
import multiprocessing
import os
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from send import free_port, raw_loop, serve  # noqa: E402  (the sink and raw loop of send.py)

RAW_SAMPLE = 500  # distinct rendered messages the raw loop cycles through


def peak_kb(pid: int) -> int:
    """VmHWM of a live process (its own peak RSS; unlike ru_maxrss, not inherited)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def run_child(args: list[str], env: dict) -> tuple[float, float, str]:
    """Run a child process; return (seconds, peak RSS in MB, output)."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        args, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    chunks: list[str] = []
    reader = threading.Thread(target=lambda: chunks.append(proc.stdout.read()))
    reader.start()
    peak = 0
    while proc.poll() is None:
        peak = max(peak, peak_kb(proc.pid))
        time.sleep(0.05)
    reader.join()
    if proc.returncode:
        sys.exit(f"{' '.join(args)} failed:\n{''.join(chunks)}")
    return time.perf_counter() - start, peak / 1024, "".join(chunks)


def populate(env: dict, recipients: int, rounds: int) -> list[int]:
    """Migrate, add the subscribers, one frozen newsletter per round; return their ids."""
    for key, value in env.items():
        if key.startswith("CAC_NEWS_"):
            os.environ[key] = value
    from flask_migrate import upgrade
    from sqlalchemy import insert

    from cac_news import create_app
    from cac_news.compose.newsletters import NewsletterData, SectionData, create_newsletter
    from cac_news.extensions import db
    from cac_news.mailing.sending import start_send
    from cac_news.models import Subscriber
    from cac_news.timeutil import utcnow

    app = create_app()
    with app.app_context():
        upgrade()
        now = utcnow()
        rows = (
            {
                "email": f"abonne{i:06d}@example.org",
                "first_name": "Camille",
                "last_name": f"Martin {i}",
                "organisation": "",
                "language": "fr",
                "status": "active",
                "search_text": "",
                "mode_mask": 0,
                "created_at": now,
                "updated_at": now,
                "status_changed_at": now,
            }
            for i in range(recipients)
        )
        batch: list[dict] = []
        for row in rows:
            batch.append(row)
            if len(batch) == 10_000:
                db.session.execute(insert(Subscriber), batch)
                batch = []
        if batch:
            db.session.execute(insert(Subscriber), batch)
        db.session.commit()
        body = "La financiarisation de l'action sociale, état des lieux. " * 40
        sections = [SectionData(kind="text", title=f"Point {i}", body_md=body) for i in range(3)]
        ids = []
        for number in range(rounds):
            data = NewsletterData(subject=f"Lettre n°{number + 1}", sections=sections)
            newsletter, _ = create_newsletter(data)
            start = time.perf_counter()
            count = start_send(newsletter)
            print(f"start_send: {count} recipients frozen in {time.perf_counter() - start:.2f} s")
            ids.append(newsletter.id)
        db.engine.dispose()
    return ids


def rendered_sample(env: dict, newsletter_id: int) -> list[bytes]:
    """RAW_SAMPLE messages rendered by the worker's own mailer (the same bytes it sends)."""
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(1) as pool:
        return pool.apply(_rendered, (env, newsletter_id))


def _rendered(env: dict, newsletter_id: int) -> list[bytes]:
    for key, value in env.items():
        if key.startswith("CAC_NEWS_"):
            os.environ[key] = value
    from cac_news import create_app
    from cac_news.extensions import db
    from cac_news.mailing.mailer import NewsletterMailer
    from cac_news.models import Newsletter

    app = create_app()
    with app.app_context():
        mailer = NewsletterMailer(db.session.get(Newsletter, newsletter_id), app.config)
        return [
            mailer.render(i, i, f"abonne{i:06d}@example.org", f"Camille Martin {i}", "Camille")[1]
            for i in range(1, RAW_SAMPLE + 1)
        ]


def set_status(database: Path, newsletter_id: int, status: str) -> None:
    """Pause or resume a newsletter directly (no process start-up in the measure)."""
    with sqlite3.connect(database) as conn:
        conn.execute("UPDATE newsletter SET status = ? WHERE id = ?", (status, newsletter_id))


def sent_span(database: Path, newsletter_id: int) -> tuple[int, float]:
    """(messages sent, seconds from the first to the last recorded sent_at)."""
    with sqlite3.connect(database) as conn:
        count, first, last = conn.execute(
            "SELECT count(*), min(sent_at), max(sent_at) FROM delivery "
            "WHERE newsletter_id = ? AND status = 'sent'",
            (newsletter_id,),
        ).fetchone()
    span = (datetime.fromisoformat(last) - datetime.fromisoformat(first)).total_seconds()
    return count, span


def main() -> None:
    """Measure and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recipients", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=4)
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="cac-bench-engine-"))
    database = folder / "bench.db"
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("CAC_NEWS_")}
    env.update(
        {
            "CAC_NEWS_SECRET_KEY": "bench-secret",
            "CAC_NEWS_INSTANCE_PATH": str(folder),
            "CAC_NEWS_SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}",
            "CAC_NEWS_MAIL_SERVER": "127.0.0.1",
            "CAC_NEWS_MAIL_PORT": str(port),
            "CAC_NEWS_MAIL_FROM": "Lettre CAC <lettre@example.org>",
            "CAC_NEWS_SITE_URL": "https://lettre.example.org",
            "CAC_NEWS_SEND_CONCURRENCY": str(args.connections),
            "CAC_NEWS_SEND_RATE": "0",
            "CAC_NEWS_SEND_BATCH_SIZE": "500",
            "CAC_NEWS_WORKER_POLL_SECONDS": "0.2",
        }
    )
    flask = [sys.executable, "-m", "flask", "--app", "app"]
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(1) as pool:  # a child process: this one's memory never mixes in
        newsletter_ids = pool.apply(populate, (env, args.recipients, args.rounds))
    for newsletter_id in newsletter_ids:
        set_status(database, newsletter_id, "paused")
    _, idle_rss, _ = run_child([*flask, "worker", "--until-idle"], env)
    sample = rendered_sample(env, newsletter_ids[0])
    raw_messages = list(itertools.islice(itertools.cycle(sample), args.recipients))

    ready, stop = ctx.Event(), ctx.Event()
    server = ctx.Process(target=serve, args=(port, ready, stop), daemon=True)
    server.start()
    if not ready.wait(30):
        sys.exit("SMTP sink did not start")
    smtp = {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": port, "MAIL_TIMEOUT": 30}
    raw_rates, worker_rates, walls, peaks = [], [], [], []
    try:
        for number, newsletter_id in enumerate(newsletter_ids):
            order = ("raw", "worker") if number % 2 == 0 else ("worker", "raw")
            for side in order:
                if side == "raw":
                    raw_rates.append(raw_loop(smtp, raw_messages, args.connections)[0])
                    continue
                set_status(database, newsletter_id, "sending")
                wall, rss, _ = run_child([*flask, "worker", "--until-idle"], env)
                count, span = sent_span(database, newsletter_id)
                if count != args.recipients:
                    sys.exit(f"newsletter {newsletter_id}: {count} sent of {args.recipients}")
                worker_rates.append(count / span)
                walls.append(wall)
                peaks.append(rss)
            ratio = worker_rates[-1] / raw_rates[-1]
            print(f"round {number + 1} ({' then '.join(order)}): raw {raw_rates[-1]:.0f} msg/s, "
                  f"worker {worker_rates[-1]:.0f} msg/s (ratio {ratio:.2f}), "
                  f"worker wall {walls[-1]:.1f} s, peak {peaks[-1]:.1f} MB")  # fmt: skip
    finally:
        stop.set()
        server.join(10)
    raw, worker = sum(raw_rates) / len(raw_rates), sum(worker_rates) / len(worker_rates)
    size = sum(map(len, sample)) / len(sample) / 1024
    print(f"{args.rounds} rounds of {args.recipients} recipients, {args.connections} connections, "
          f"message ~{size:.0f} KB")  # fmt: skip
    print(f"raw smtplib loop (the worker's own rendered bytes): {raw:.0f} msg/s")
    print(f"whole worker (claims, personalisation, recording): {worker:.0f} msg/s "
          f"(first to last sent_at; with process start-up: "
          f"{args.recipients / (sum(walls) / len(walls)):.0f} msg/s)")  # fmt: skip
    print(f"ratio worker/raw: {worker / raw:.2f} (target >= 0.9: "
          f"{'met' if worker / raw >= 0.9 else 'MISSED'})")  # fmt: skip
    print(f"peak RSS (VmHWM): idle worker {idle_rss:.1f} MB, worker sending {max(peaks):.1f} MB "
          f"for {args.recipients} recipients (target <= 150 MB at 100,000: "
          f"{'met' if max(peaks) <= 150 else 'MISSED'})")  # fmt: skip


if __name__ == "__main__":
    main()
