"""`flask lists create|add-members|invite|deliver|serve|show`."""

from __future__ import annotations

import sys

import click
from flask.cli import AppGroup

from cac_news.errors import ValidationError

lists_cli = AppGroup("lists", help="Discussion lists: create, add members, receive mail.")
# sysexits.h: what a pipe transport (Postfix, Exim) understands.
EX_OK, EX_USAGE, EX_DATAERR, EX_NOUSER, EX_SOFTWARE, EX_TEMPFAIL = 0, 64, 65, 67, 70, 75


def _list(name: str):
    from cac_news.lists import manage

    mailing_list = manage.find(name)
    if mailing_list is None:
        raise click.ClickException(f"no list is named {name}")
    return mailing_list


@lists_cli.command("create")
@click.argument("name")
@click.option("--address", required=True, help="Local part (gt) or gt@<the site's mail domain>.")
@click.option("--segment", default=None, help="The segment the list is for (invitations).")
@click.option("--mode", "modes", multiple=True, help="A participation mode the list is for.")
@click.option(
    "--policy", type=click.Choice(["members", "moderated", "announce"]), default="members"
)
@click.option("--reply", type=click.Choice(["list", "author"]), default="list")
@click.option("--archive", type=click.Choice(["public", "members", "off"]), default="members")
@click.option("--prefix", default=None, help='Subject prefix (default: "[NAME]").')
@click.option("--description", default="")
def create_command(name, address, segment, modes, policy, reply, archive, prefix, description):
    """Create a discussion list on the site's mail domain."""
    from cac_news.lists import manage

    data = manage.ListData(
        name=name,
        address=address,
        description=description,
        posting_policy=policy,
        reply_policy=reply,
        subject_prefix=prefix,
        archive=archive,
        segment_name=segment,
        mode_slugs=list(modes),
    )
    try:
        mailing_list = manage.save_list(data)
    except ValidationError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"List {mailing_list.name} created: {manage.address_of(mailing_list)}.")


@lists_cli.command("add-members")
@click.argument("name")
@click.argument("emails", nargs=-1)
@click.option("--segment", default=None, help="Every active subscriber of this segment.")
@click.option("--mode", "modes", multiple=True, help="Every active subscriber with this mode.")
@click.option("--consent", required=True, help="Where and when these people agreed to join.")
def add_members_command(name, emails, segment, modes, consent):
    """Add active subscribers on asserted consent (recorded with its source)."""
    from cac_news.audience.segments import get_by_name
    from cac_news.lists import members

    mailing_list = _list(name)
    if not (emails or segment or modes):
        raise click.UsageError("give --segment, --mode or addresses")
    chosen_segment = None
    if segment:
        chosen_segment = get_by_name(segment)
        if chosen_segment is None:
            raise click.ClickException(f"no segment is named {segment}")
    try:
        people = members.chosen(chosen_segment, modes, emails)
        added = members.add_with_consent(mailing_list, people, consent)
    except ValidationError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(
        f"{added} members added to {mailing_list.name} ({len(people) - added} already members, "
        "or who left the list themselves: invite them instead)."
    )


@lists_cli.command("invite")
@click.argument("name")
def invite_command(name):
    """Mail an invitation (double opt-in) to the list's segment and modes."""
    from cac_news.lists import members

    mailing_list = _list(name)
    people = members.chosen(mailing_list.segment, mailing_list.mode_slugs.split())
    click.echo(f"{members.invite(mailing_list, people)} invitations queued.")


@lists_cli.command("deliver")
@click.option("--recipient", required=True, help="The envelope recipient (the list address).")
@click.option("--sender", default=None, help="The envelope sender ('' for a bounce).")
def deliver_command(recipient, sender):
    """Read one message on standard input (an MTA's pipe); exit codes are sysexits."""
    from cac_news.lists.receiving import deliver_one

    raw = sys.stdin.buffer.read()
    code, text = deliver_one(recipient, raw, sender)
    if code != EX_OK:
        click.echo(text, err=True)
    sys.exit(code)


@lists_cli.command("serve")
@click.option("--port", type=int, required=True)
@click.option("--host", default="127.0.0.1", show_default=True)
def serve_command(port, host):
    """Run the LMTP server the MTA hands list mail to (until SIGTERM)."""
    from cac_news.lists.lmtp import serve_forever

    serve_forever(host, port)
