"""Peak RSS of `flask worker` delivering one newsletter to N recipients.

Builds a SQLite database in a temporary folder (migrations, N active subscribers by Core
executemany, one newsletter frozen with start_send), starts an aiosmtpd sink in another
process, then runs `flask worker --until-idle` as a child process and reads its peak RSS
with os.wait4. Baselines measured in the same run: a bare `flask --app app --help`, and the
same worker on an empty queue. Target: at most 150 MB for 100,000 recipients; the default
(40,000, under 2 minutes) shows the same flat figure, since recipients are streamed in
batches of SEND_BATCH_SIZE and memory does not grow with the list.

    python bench/send_engine.py [--recipients 40000] [--connections 4]
    python bench/send_engine.py --recipients 100000     # the target figure, ~4 minutes
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from send import (  # noqa: E402  (the aiosmtpd sink and raw loop of bench/send.py)
    build_template,
    free_port,
    raw_loop,
    render,
    serve,
)

RAW_SAMPLE = 10_000  # pre-built messages for the raw smtplib baseline


def run_child(args: list[str], env: dict) -> tuple[float, float, str]:
    """Run a child process; return (seconds, peak RSS in MB, output)."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        args, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    output = proc.stdout.read()
    _pid, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        sys.exit(f"{' '.join(args)} failed:\n{output}")
    return time.perf_counter() - start, usage.ru_maxrss / 1024, output


def populate(env: dict, recipients: int) -> int:
    """Migrate, add the subscribers and a newsletter, freeze the send; return its id."""
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
        newsletter, _ = create_newsletter(NewsletterData(subject="Lettre n°1", sections=sections))
        start = time.perf_counter()
        count = start_send(newsletter)
        print(f"start_send: {count} recipients frozen in {time.perf_counter() - start:.2f} s")
        newsletter_id = newsletter.id
        db.engine.dispose()
    return newsletter_id


def message_size(env: dict, newsletter_id: int) -> int:
    """The size of one rendered message of the benchmark newsletter."""
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(1) as pool:
        return pool.apply(_message_size, (env, newsletter_id))


def _message_size(env: dict, newsletter_id: int) -> int:
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
        return len(mailer.render(1, 1, "abonne000001@example.org", "Camille Martin", "Camille")[1])


def main() -> None:
    """Measure and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recipients", type=int, default=40_000)
    parser.add_argument("--connections", type=int, default=4)
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="cac-bench-engine-"))
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("CAC_NEWS_")}
    env.update(
        {
            "CAC_NEWS_SECRET_KEY": "bench-secret",
            "CAC_NEWS_INSTANCE_PATH": str(folder),
            "CAC_NEWS_SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'bench.db'}",
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
    _, bare_rss, _ = run_child([*flask, "--help"], env)
    # The population runs in a child process too, so that this process stays small and
    # its own memory never mixes with the figures.
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(1) as pool:
        newsletter_id = pool.apply(populate, (env, args.recipients))
    # The idle worker: same process, nothing to send (the newsletter is paused meanwhile).
    run_child([*flask, "newsletters", "pause", str(newsletter_id)], env)
    _, idle_rss, _ = run_child([*flask, "worker", "--until-idle"], env)
    run_child([*flask, "newsletters", "resume", str(newsletter_id)], env)

    ready, stop = ctx.Event(), ctx.Event()
    server = ctx.Process(target=serve, args=(port, ready, stop), daemon=True)
    server.start()
    if not ready.wait(30):
        sys.exit("SMTP sink did not start")
    try:
        seconds, worker_rss, _ = run_child([*flask, "worker", "--until-idle"], env)
        # Baseline on the same sink, same connections: smtplib sending pre-built bytes.
        template = build_template()
        sample = [render(template, i) for i in range(min(RAW_SAMPLE, args.recipients))]
        smtp = {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": port, "MAIL_TIMEOUT": 30}
        raw_rate, _cpu = raw_loop(smtp, sample, args.connections)
    finally:
        stop.set()
        server.join(10)
    _, _, status = run_child([*flask, "newsletters", "status", str(newsletter_id)], env)
    print(status.strip().replace("\n", "; "))
    print(f"message size ~{message_size(env, newsletter_id) / 1024:.0f} KB")
    rate = args.recipients / seconds
    print(f"worker: {args.recipients} messages in {seconds:.1f} s "
          f"({rate:.0f} msg/s, {args.connections} connections, database claims and results "
          f"included, process start-up too)")  # fmt: skip
    print(f"raw smtplib loop, same sink and connections, {len(sample)} pre-built messages: "
          f"{raw_rate:.0f} msg/s; ratio worker/raw: {rate / raw_rate:.2f}")  # fmt: skip
    print(f"peak RSS: bare `flask --help` {bare_rss:.1f} MB, idle worker {idle_rss:.1f} MB, "
          f"worker sending {worker_rss:.1f} MB")  # fmt: skip
    print(f"ratio sending/idle worker: {worker_rss / idle_rss:.2f}; "
          f"sending/bare: {worker_rss / bare_rss:.2f}; target <= 150 MB: "
          f"{'met' if worker_rss <= 150 else 'MISSED'}")  # fmt: skip


if __name__ == "__main__":
    main()
