"""`flask newsletters send|status|pause|resume|cancel` and `flask worker`."""

from __future__ import annotations

import signal
import sys

import click

from cac_news.errors import ValidationError


def _newsletter(newsletter_id: int):
    """The newsletter with this id, or a click error."""
    from cac_news.extensions import db
    from cac_news.models import Newsletter

    newsletter = db.session.get(Newsletter, newsletter_id)
    if newsletter is None:
        raise click.ClickException(f"no newsletter has the id {newsletter_id}")
    return newsletter


def register_newsletter_commands(group: click.Group) -> None:
    """Add the sending commands to the `newsletters` group."""

    @group.command("send")
    @click.argument("newsletter_id", type=int)
    @click.option(
        "--at",
        "at",
        default=None,
        help='Schedule: "YYYY-MM-DD HH:MM" in the organisation\'s time zone (ahead, never past).',
    )
    def send_command(newsletter_id: int, at: str | None) -> None:
        """Freeze the recipients and queue the send (or schedule it with --at)."""
        from cac_news.mailing.sending import parse_local_datetime, start_send, to_local

        newsletter = _newsletter(newsletter_id)
        try:
            when = parse_local_datetime(at) if at else None
            count = start_send(newsletter, at=when)
        except ValidationError as exc:
            raise click.ClickException(str(exc)) from exc
        if newsletter.status == "scheduled":
            click.echo(
                f"Letter no. {newsletter.number}: {count} recipients, scheduled for "
                f"{to_local(newsletter.scheduled_at):%Y-%m-%d %H:%M %Z}."
            )
        else:
            click.echo(f"Letter no. {newsletter.number}: {count} recipients queued.")

    @group.command("status")
    @click.argument("newsletter_id", type=int)
    def status_command(newsletter_id: int) -> None:
        """Print the newsletter's status and its deliveries counted by status."""
        from cac_news.mailing.sending import delivery_counts

        newsletter = _newsletter(newsletter_id)
        click.echo(f"Letter no. {newsletter.number}: {newsletter.status}")
        if newsletter.pause_reason:
            click.echo(f"Paused because: {newsletter.pause_reason}")
        for status, count in delivery_counts(newsletter.id).items():
            click.echo(f"{status}\t{count}")

    for name, doc in (
        ("pause", "Pause a send (messages in flight finish)."),
        ("resume", "Resume a paused send."),
        ("cancel", "Cancel a send: the messages not yet sent are cancelled."),
    ):
        _action_command(group, name, doc)


def _action_command(group: click.Group, name: str, doc: str) -> None:
    @click.argument("newsletter_id", type=int)
    def command(newsletter_id: int) -> None:
        from cac_news.mailing import sending

        newsletter = _newsletter(newsletter_id)
        try:
            getattr(sending, name)(newsletter)
        except ValidationError as exc:
            raise click.ClickException(str(exc)) from exc
        click.echo(f"Letter no. {newsletter.number}: {newsletter.status}")

    command.__doc__ = doc
    group.command(name)(command)


@click.command("worker")
@click.option("--until-idle", is_flag=True, help="Exit once nothing is queued or due.")
def worker_command(until_idle: bool) -> None:
    """Deliver queued messages (SEND_CONCURRENCY connections, SEND_RATE per second)."""
    from cac_news.mailing.worker import Worker, WorkerRefused

    tty = sys.stdout.isatty()

    def progress(line: str) -> None:
        # A terminal gets one line rewritten in place; logs get a line per batch.
        click.echo(f"\r\033[K{line}" if tty else line, nl=not tty)

    from cac_news.mailing.pacing import DomainRatesError
    from cac_news.mailing.relays import RelayConfigError

    try:
        worker = Worker(progress=progress, totals=tty)
    except (RelayConfigError, DomainRatesError) as exc:
        raise click.ClickException(str(exc)) from exc
    previous = signal.signal(signal.SIGTERM, lambda *_: worker.stop())
    try:
        worker.run(until_idle=until_idle)
    except WorkerRefused as exc:
        raise click.ClickException(str(exc)) from exc
    except KeyboardInterrupt:
        worker.stop()
    finally:
        signal.signal(signal.SIGTERM, previous)
        if tty:
            click.echo()
