"""Operations commands: `check` (deployment checklist), `backup` and `restore`."""

from __future__ import annotations

import os
from pathlib import Path

import click
from flask import current_app

from cac_news.backup import BackupError, create_backup, restore_backup
from cac_news.extensions import db
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


@click.command("backup")
@click.argument("directory", default=".", type=click.Path(file_okay=False, path_type=Path))
def backup_command(directory: Path) -> None:
    """Write a consistent snapshot (database, instance files) into DIRECTORY."""
    try:
        report = create_backup(db.engine, Path(current_app.instance_path), directory)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Database: {report.database}")
    click.echo(f"Instance files: {report.instance_files}")
    click.echo(f"Backup written to {report.path}")


@click.command("restore")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def restore_command(file: Path) -> None:
    """Restore a backup into this (empty) instance."""
    db.engine.dispose()  # the restore opens its own connections
    try:
        lines = restore_backup(
            file, current_app.config["SQLALCHEMY_DATABASE_URI"], Path(current_app.instance_path)
        )
    except BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    for line in lines:
        click.echo(line)


def register(app) -> None:
    """Attach the operations commands to the app."""
    for command in (check_command, backup_command, restore_command):
        app.cli.add_command(command)
