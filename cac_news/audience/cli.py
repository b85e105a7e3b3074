"""`flask subscribers import|export`: CSV in and out from the command line."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import AppGroup

from cac_news.audience.import_formats import FORMATS
from cac_news.errors import ValidationError

subscribers_cli = AppGroup("subscribers", help="Import and export subscribers.")


def print_report(report) -> None:
    """Print an import report: counts, then each rejected line."""
    prefix = "[dry run] " if report.dry_run else ""
    click.echo(
        f"{prefix}created {report.created}, updated {report.updated}, "
        f"unchanged {report.unchanged}, invalid {report.invalid}, "
        f"suppressed {report.suppressed}, merged duplicates {report.merged}, "
        f"left in the source {report.departed} (format: {report.format})"
    )
    for line, reason in sorted(report.errors):
        click.echo(f"line {line}: {reason}", err=True)
    if report.unlisted_errors:
        click.echo(f"... and {report.unlisted_errors} more rejected lines", err=True)


@subscribers_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--mode", "modes", multiple=True, help="Mode slug given to every row (repeatable).")
@click.option("--territory", help="Territory of rows that have none (code, name or postcode).")
@click.option("--status", type=click.Choice(["active", "pending"]), default="active")
@click.option("--dry-run", is_flag=True, help="Check and report; write nothing.")
@click.option("--pilot", "pilot_email", help="Email of the pilot who asserts consent.")
@click.option(
    "--from",
    "source_format",
    type=click.Choice(FORMATS),
    help="The tool that wrote the file (default: recognised from its header).",
)
def import_command(file, modes, territory, status, dry_run, pilot_email, source_format) -> None:
    """Import subscribers from a CSV export (Mailchimp, Brevo, listmonk, Mailman, Google
    Contacts or a spreadsheet), committed batch by batch: run again after an interruption,
    it ends as if run once."""
    from flask import current_app
    from sqlalchemy import select

    from cac_news.audience import outbox
    from cac_news.audience.importer import ImportOptions, import_csv
    from cac_news.extensions import db
    from cac_news.models import Pilot

    actor = None
    if pilot_email:
        actor = db.session.scalar(select(Pilot).where(Pilot.email == pilot_email.lower()))
        if actor is None:
            raise click.ClickException(f"no pilot with address {pilot_email}")
    options = ImportOptions(
        mode_slugs=list(modes),
        territory=territory,
        status=status,
        dry_run=dry_run,
        source_name=file.name,
        actor=actor,
        source_format=source_format,
    )
    size = file.stat().st_size
    with click.progressbar(length=size, label="Importing", file=sys.stderr) as bar:
        done = [0]

        def progress(position: int, _total: int) -> None:
            bar.update(max(0, position - done[0]))
            done[0] = max(done[0], position)

        try:
            report = import_csv(file, options, progress)
        except ValidationError as exc:
            raise click.ClickException(str(exc)) from exc
    print_report(report)
    if report.queued:
        sent = 0
        while handled := outbox.send_due(current_app.config):
            sent += handled
        click.echo(f"confirmation emails: {report.queued} queued, {sent} handled")


@subscribers_cli.command("export")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--segment", "segment_name", help="Only this segment's subscribers.")
def export_command(file, segment_name) -> None:
    """Export subscribers to CSV (UTF-8 with BOM)."""
    from cac_news.audience.exporter import write_csv
    from cac_news.audience.segments import get_by_name

    segment = None
    if segment_name:
        segment = get_by_name(segment_name)
        if segment is None:
            raise click.ClickException(f"no segment named {segment_name!r}")
    with file.open("w", encoding="utf-8-sig", newline="") as out:
        count = write_csv(out, segment)
    click.echo(f"{count} subscribers exported to {file}")
