"""The `flask` command groups: pilots, newsletters, demo."""

from __future__ import annotations

import sys

import click
from flask import Flask
from flask.cli import AppGroup

from cac_news.errors import ValidationError

pilots_cli = AppGroup("pilots", help="Manage pilot accounts.")
newsletters_cli = AppGroup("newsletters", help="Compose and send newsletters.")


def read_new_password() -> str:
    """Read a password twice: from the terminal's prompt, or two lines of standard input."""
    if sys.stdin.isatty():
        return click.prompt("Password", hide_input=True, confirmation_prompt=True)
    first = sys.stdin.readline().rstrip("\r\n")
    second = sys.stdin.readline().rstrip("\r\n")
    if first != second:
        raise click.ClickException("the two passwords differ")
    return first


@pilots_cli.command("create")
@click.argument("email")
@click.option("--name", required=True, help="The pilot's full name.")
@click.option("--role", type=click.Choice(["admin", "editor"]), default="editor", show_default=True)
def create_pilot_command(email: str, name: str, role: str) -> None:
    """Create a pilot; the password is read twice from the prompt or standard input."""
    from cac_news.pilots import PilotData, create_pilot

    password = read_new_password()
    try:
        pilot = create_pilot(PilotData(email=email, name=name, role=role), password)
    except ValidationError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Pilot {pilot.email} created ({pilot.role}).")


@pilots_cli.command("list")
def list_pilots_command() -> None:
    """List pilot accounts."""
    from sqlalchemy import select

    from cac_news.extensions import db
    from cac_news.models import Pilot

    for pilot in db.session.scalars(select(Pilot).order_by(Pilot.email)):
        state = "active" if pilot.active else "inactive"
        click.echo(f"{pilot.email}\t{pilot.name}\t{pilot.role}\t{state}")


@pilots_cli.command("reset-2fa")
@click.argument("email")
def reset_two_factor_command(email: str) -> None:
    """Turn a pilot's two-factor login off (the last admin lost their phone)."""
    from sqlalchemy import select

    from cac_news.accounts import audit, two_factor
    from cac_news.extensions import db
    from cac_news.models import Pilot
    from cac_news.pilots import login_key

    pilot = db.session.scalar(select(Pilot).where(Pilot.email == login_key(email)))
    if pilot is None:
        raise click.ClickException(f"No pilot with the address {email}.")
    two_factor.disable(pilot)
    audit.record("two_factor.reset", pilot)
    click.echo(f"Two-factor login of {pilot.email} reset: the password alone opens it now.")


@newsletters_cli.command("create")
@click.option("--subject", required=True, help="The subject line.")
@click.option(
    "--body",
    "body_file",
    default=None,
    type=click.File("r", encoding="utf-8"),
    help="A Markdown file: the body of the letter ('-' reads standard input).",
)
@click.option(
    "--from-changes",
    "from_changes",
    is_flag=True,
    help="Sections from what changed, as the composer proposes them (instead of --body).",
)
@click.option(
    "--since",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="With --from-changes: what changed since this date (default: the last letter sent).",
)
@click.option("--segment", default=None, help="Target segment (default: every active subscriber).")
def create_newsletter_command(
    subject: str, body_file, from_changes: bool, since, segment: str | None
) -> None:
    """Make a draft newsletter from a Markdown file, or from what changed; print only its
    id on standard output."""
    from cac_news.audience.segments import get_by_name
    from cac_news.compose.changes import create_from_changes
    from cac_news.compose.newsletters import NewsletterData, create_newsletter

    if (body_file is None) == (not from_changes):
        raise click.UsageError("give either --body FILE or --from-changes")
    if since is not None and not from_changes:
        raise click.UsageError("--since goes with --from-changes")
    segment_id = None
    if segment is not None:
        found = get_by_name(segment)
        if found is None:
            raise click.ClickException(f"segment: no segment is named {segment!r}")
        segment_id = found.id
    try:
        if from_changes:
            newsletter, warnings = create_from_changes(
                subject, since.date() if since else None, segment_id
            )
        else:
            newsletter, warnings = create_newsletter(
                NewsletterData(subject=subject, intro_md=body_file.read(), segment_id=segment_id)
            )
    except ValidationError as exc:
        raise click.ClickException(str(exc)) from exc
    for warning in warnings:
        click.echo(f"Warning: {warning}", err=True)
    click.echo(newsletter.id)


@click.command("demo")
@click.option("--if-empty", is_flag=True, help="Do nothing when subscribers already exist.")
def demo_command(if_empty: bool) -> None:
    """Seed demo data (a demo pilot, about 50 subscribers) into an empty database."""
    from cac_news.demo import DemoRefused, seed_demo

    try:
        login = seed_demo()
    except DemoRefused as exc:
        if if_empty:
            click.echo(f"Demo data not added: {exc}")
            return
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Demo data added. Log in at /login as {login.email} with password {login.password}")


def register(app: Flask) -> None:
    """Attach the command groups to the app."""
    app.cli.add_command(pilots_cli)
    app.cli.add_command(newsletters_cli)
    app.cli.add_command(demo_command)
    from cac_news.audience.cli import subscribers_cli

    app.cli.add_command(subscribers_cli)
    from cac_news.mailing.bounces.cli import bounces_cli

    app.cli.add_command(bounces_cli)
    from cac_news.mailing.cli import register_newsletter_commands, worker_command

    register_newsletter_commands(newsletters_cli)
    app.cli.add_command(worker_command)
    from cac_news.integrations.cli import webhooks_cli

    app.cli.add_command(webhooks_cli)
    from cac_news.api.cli import tokens_cli

    app.cli.add_command(tokens_cli)
    from cac_news import ops_cli

    ops_cli.register(app)
    from cac_news.search.cli import search_cli

    app.cli.add_command(search_cli)
    from cac_news.lists.cli import lists_cli

    app.cli.add_command(lists_cli)
    from cac_news.agenda.cli import events_cli

    app.cli.add_command(events_cli)
