"""Operations commands: `check` (deployment checklist), `backup` and `restore`."""

from __future__ import annotations

import os

import click
from flask import current_app

from cac_news.selfcheck import Level, run_checks


@click.command("check")
@click.option(
    "--web-processes",
    type=int,
    default=lambda: int(os.environ.get("WEB_CONCURRENCY") or 1),
    help="Web processes that will run (default: WEB_CONCURRENCY, else 1).",
)
@click.option("--no-dns", is_flag=True, help="Skip the SPF, DKIM and DMARC lookups.")
def check_command(web_processes: int, no_dns: bool) -> None:
    """Check the configuration and what it reaches; exit 1 on a fatal problem."""
    findings = run_checks(current_app, web_processes=web_processes, dns=not no_dns)
    for finding in findings:
        click.echo(f"[{finding.level.value:>7}] {finding.name}: {finding.message}")
    fatal = [f for f in findings if f.level is Level.FATAL]
    if fatal:
        click.echo(f"{len(fatal)} fatal problem(s).", err=True)
        raise SystemExit(1)
    click.echo("No fatal problem.")


def register(app) -> None:
    """Attach the operations commands to the app."""
    app.cli.add_command(check_command)
