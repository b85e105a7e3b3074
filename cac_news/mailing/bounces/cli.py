"""`flask bounces process|fetch`: read bounce messages and apply them to subscribers."""

from __future__ import annotations

import contextlib
import imaplib
import sys

import click
from flask import current_app
from flask.cli import AppGroup

bounces_cli = AppGroup("bounces", help="Process bounces and complaints.")


def print_summary(summary) -> None:
    """Print the counts, the status changes, then one line per message left alone."""
    click.echo(", ".join(f"{name} {value}" for name, value in summary.counts().items()))
    for change in summary.changes:
        click.echo(f"{change.email}: {change.old_status} -> {change.new_status} ({change.reason})")
    for note in summary.notes:
        click.echo(note, err=True)


@bounces_cli.command("process")
@click.option("--maildir", type=click.Path(exists=True, file_okay=False), help="A Maildir folder.")
@click.option("--mbox", type=click.Path(exists=True, dir_okay=False), help="An mbox file.")
@click.option(
    "--dry-run",
    is_flag=True,
    help="Only classify and count: change no subscriber, mark no message.",
)
@click.argument("stdin", required=False, metavar="[-]")
def process_command(
    maildir: str | None, mbox: str | None, stdin: str | None, dry_run: bool
) -> None:
    """Process bounces from a Maildir, an mbox file, or one message on standard input (-)."""
    from .process import process
    from .run import run
    from .sources import iter_maildir, iter_mbox, iter_stream

    chosen = [x for x in (maildir, mbox, stdin) if x]
    if len(chosen) != 1 or (stdin is not None and stdin != "-"):
        raise click.UsageError("give exactly one of --maildir DIR, --mbox FILE or -")
    if maildir:
        try:
            messages = iter_maildir(maildir)
        except NotADirectoryError as exc:
            raise click.ClickException(str(exc)) from exc
    elif mbox:
        messages = iter_mbox(mbox)
    else:
        messages = iter_stream(sys.stdin.buffer)
    try:
        if dry_run:
            print_dry_run(process(messages))
            return
        summary = run(messages, config=current_app.config)
    except NotADirectoryError as exc:  # raised on first iteration of a non-Maildir
        raise click.ClickException(str(exc)) from exc
    print_summary(summary)


def print_dry_run(summary) -> None:
    """The classification of every message, without matching or changing anything."""
    click.echo(
        f"processed {summary.processed}, hard {summary.hard}, soft {summary.soft}, "
        f"complaints {summary.complaints}, not a bounce {summary.not_bounce}, "
        f"malformed {summary.malformed} (dry run: nothing changed)"
    )
    for item in summary.items:
        recipients = ", ".join(item.report.recipients) or "-"
        click.echo(f"{item.ref}: {item.report.kind} {item.report.status or ''} {recipients}")


@bounces_cli.command("fetch")
def fetch_command() -> None:
    """Process the unseen messages of the IMAP bounce mailbox (BOUNCE_IMAP_* settings)."""
    from .imap import ImapError, connect, iter_imap
    from .run import run

    config = current_app.config
    try:
        conn = connect(config)
    except ImapError as exc:
        raise click.ClickException(str(exc)) from exc
    try:
        summary = run(iter_imap(conn, config), config=config)
    except ImapError as exc:
        raise click.ClickException(str(exc)) from exc
    finally:
        with contextlib.suppress(OSError, imaplib.IMAP4.error):  # the link may be gone
            conn.logout()
    print_summary(summary)
