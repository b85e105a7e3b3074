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
    for address in summary.unverified:
        click.echo(f"{address}: unverified (no VERP token or Message-ID of ours), unchanged")
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
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="One JSON object per message on stdout (file, kind, recipients, status, reason, "
    "matched, action).",
)
@click.argument("stdin", required=False, metavar="[-]")
def process_command(
    maildir: str | None, mbox: str | None, stdin: str | None, dry_run: bool, as_json: bool
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
            summary = process(messages)
            if as_json:
                from .audit import previewed

                for item in summary.items:
                    click.echo(previewed(item.ref, item.report, current_app.config))
                return
            print_dry_run(summary)
            return
        summary = run(messages, config=current_app.config, as_json=as_json)
    except NotADirectoryError as exc:  # raised on first iteration of a non-Maildir
        raise click.ClickException(str(exc)) from exc
    if as_json:
        for line in summary.lines:
            click.echo(line)
        for note in summary.notes:
            if ": error: " in note:
                click.echo(note, err=True)
        return
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
