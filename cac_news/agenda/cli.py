"""`flask events create`: add an event from the command line (times in the site's zone)."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from cac_news.errors import ValidationError

# The option that carries each field of EventData, to name it in error messages.
OPTIONS = {
    "title": "--title",
    "start": "--start",
    "end": "--end",
    "kind_id": "--kind",
    "place": "--place",
    "online_url": "--online",
    "territory_code": "--territory",
}


@click.group("events")
def events_cli() -> None:
    """The agenda's events."""


@events_cli.command("create")
@click.option("--title", required=True, help="The event's title.")
@click.option("--start", required=True, help='"YYYY-MM-DD HH:MM" (TIMEZONE); "YYYY-MM-DD" all day.')
@click.option("--end", default="", help="Same form as --start; optional.")
@click.option("--place", default="", help="The address.")
@click.option("--online", "online_url", default="", help="An https:// link (videoconference).")
@click.option("--territory", default="FR", show_default=True, help="Département, région or FR.")
@click.option("--kind", default=None, help="Slug of a kind of event (default: the first one).")
@click.option("--description", default="", help="Markdown description.")
@click.option("--internal", is_flag=True, help="Only in the admin and in letters to segments.")
@click.option("--all-day", "all_day", is_flag=True, help="Dates only, no times.")
@with_appcontext
def create_event_command(
    title, start, end, place, online_url, territory, kind, description, internal, all_day
) -> None:
    """Create an event; print only its id on standard output."""
    from cac_news.agenda.events import EventData, save_event
    from cac_news.agenda.kinds import kind_by_slug, list_kinds

    kinds = list_kinds()
    found = kind_by_slug(kind) if kind else (kinds[0] if kinds else None)
    if found is None:
        known = ", ".join(k.slug for k in kinds)
        raise click.ClickException(f"--kind: no kind of event is named {kind!r} (known: {known})")
    data = EventData(
        title=title,
        start=start,
        end=end,
        kind_id=found.id,
        all_day=all_day,
        place=place,
        online_url=online_url,
        territory_code=territory,
        description_md=description,
        internal=internal,
    )
    try:
        event = save_event(data)
    except ValidationError as exc:
        lines = [
            f"{OPTIONS.get(field, field)}: {' '.join(messages)}"
            for field, messages in exc.errors.items()
        ]
        raise click.ClickException("\n".join(lines)) from exc
    click.echo(event.id)
