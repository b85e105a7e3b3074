"""`cac-news`: every `flask` command of the app from any folder, plus `serve` (gunicorn).

The instance folder is CAC_NEWS_INSTANCE_PATH, else instance/ in the current folder for
an installed package (the checkout's instance/ when run from a checkout).
"""

from __future__ import annotations

import os
import sys

import click
from flask.cli import FlaskGroup

from cac_news import create_app


@click.command("serve")
@click.option("--bind", default="127.0.0.1:8000", show_default=True, help="host:port to listen on.")
@click.option(
    "--workers",
    type=int,
    default=None,
    help="Web processes (default: 2 × CPUs + 1, at most 8).",
)
@click.option("--timeout", type=int, default=60, show_default=True)
def serve_command(bind: str, workers: int | None, timeout: int) -> None:
    """Run the web app under gunicorn (put a reverse proxy in front of it)."""
    processes = workers or min(8, 2 * (os.cpu_count() or 1) + 1)
    arguments = [
        "gunicorn",
        "--bind",
        bind,
        "--workers",
        str(processes),
        "--timeout",
        str(timeout),
        "--access-logformat",
        # No query strings: confirm/unsubscribe tokens stay out of the access log.
        '%(h)s "%(m)s %(U)s" %(s)s %(B)s %(L)ss',
        "--access-logfile",
        "-",
        "cac_news.wsgi:app",
    ]
    os.execvp(sys.executable, [sys.executable, "-m", *arguments])  # noqa: S606


def build_cli() -> click.Group:
    """The `cac-news` group: the app's commands plus `serve`."""
    group = FlaskGroup(create_app=lambda: create_app(), set_debug_flag=False, load_dotenv=False)
    group.help = "cac_news: newsletter and mailing-list manager (every `flask` command)."
    group.add_command(serve_command)
    return group


def main() -> None:
    """Entry point of the `cac-news` console script."""
    build_cli().main(prog_name="cac-news")
