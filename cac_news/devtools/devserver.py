"""`make run`: the mail catcher, the delivery worker and the web app, stopped together.

A shell `trap` cannot do this reliably: background jobs of a non-interactive shell ignore
SIGINT, so Ctrl-C left the worker running. This supervisor starts the three processes,
and when it is interrupted (or any of them exits) it stops every one that is left.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time

STOP_GRACE_SECONDS = 10


def commands(args: argparse.Namespace) -> list[list[str]]:
    """The three processes, in start order."""
    flask = [sys.executable, "-m", "flask", "--app", "app"]
    return [
        [
            sys.executable,
            "-m",
            "cac_news.devtools.mailcatcher",
            "--host",
            args.host,
            "--port",
            str(args.smtp_port),
            "--outbox",
            args.outbox,
        ],
        [*flask, "worker"],
        [*flask, "run", "--host", args.host, "--port", str(args.port)],
    ]


def stop_all(processes: list[subprocess.Popen]) -> None:
    """SIGTERM every live process, then SIGKILL what is still there after a grace period."""
    for process in processes:
        if process.poll() is None:
            process.terminate()
    deadline = time.monotonic() + STOP_GRACE_SECONDS
    for process in processes:
        try:
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def main(argv: list[str] | None = None) -> int:
    """Run until Ctrl-C, SIGTERM, or the exit of one of the processes."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5000)
    parser.add_argument("--smtp-port", type=int, default=8025)
    parser.add_argument("--outbox", default="instance/outbox")
    args = parser.parse_args(argv)

    stopping = False

    def request_stop(_signum, _frame) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)
    env = {
        **os.environ,
        "CAC_NEWS_MAIL_SERVER": args.host,
        "CAC_NEWS_MAIL_PORT": str(args.smtp_port),
    }
    processes = [subprocess.Popen(command, env=env) for command in commands(args)]  # noqa: S603
    print(f"started: {' '.join(str(p.pid) for p in processes)}", flush=True)
    try:
        while not stopping and all(p.poll() is None for p in processes):
            time.sleep(0.2)
    finally:
        stop_all(processes)
    print("stopped: mail catcher, worker and web app", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
