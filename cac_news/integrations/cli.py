"""`flask webhooks add|list|remove`: endpoints from the command line."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from cac_news.errors import ValidationError
from cac_news.extensions import db
from cac_news.integrations import endpoints, webhooks
from cac_news.models import WebhookEndpoint

webhooks_cli = AppGroup("webhooks", help="Outgoing webhooks: signed event notifications.")


@webhooks_cli.command("add")
@click.argument("url")
@click.option(
    "--event",
    "events",
    multiple=True,
    required=True,
    type=click.Choice(webhooks.EVENTS),
    help="An event to send (repeat the option for several).",
)
def add_command(url: str, events: tuple[str, ...]) -> None:
    """Register URL for the events; print the endpoint id and its secret (shown once)."""
    try:
        endpoint, secret = endpoints.create_endpoint(url, events, current_app.config)
    except ValidationError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"id: {endpoint.id}")
    click.echo(f"secret: {secret}")
    click.echo("Keep the secret: it is not shown again.", err=True)


@webhooks_cli.command("list")
def list_command() -> None:
    """One line per endpoint: id, state, URL, events (never the secret)."""
    for endpoint in endpoints.list_endpoints():
        state = "enabled" if endpoint.enabled else "disabled"
        click.echo(f"{endpoint.id}\t{state}\t{endpoint.url}\t{','.join(endpoint.event_list)}")


@webhooks_cli.command("remove")
@click.argument("endpoint_id", type=int)
def remove_command(endpoint_id: int) -> None:
    """Delete an endpoint and its delivery log."""
    endpoint = db.session.get(WebhookEndpoint, endpoint_id)
    if endpoint is None:
        raise click.ClickException(f"no webhook endpoint has the id {endpoint_id}")
    endpoints.remove_endpoint(endpoint)
    click.echo(f"Endpoint {endpoint_id} removed.")
