"""`flask tokens create|list|revoke`: API tokens from the command line."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from cac_news.errors import ValidationError
from cac_news.models import API_SCOPES

tokens_cli = AppGroup("tokens", help="Manage API tokens.")


def _when(value) -> str:
    return value.strftime("%Y-%m-%d %H:%M UTC") if value else "-"


@tokens_cli.command("create")
@click.argument("name")
@click.option(
    "--scope",
    "scopes",
    multiple=True,
    required=True,
    type=click.Choice(API_SCOPES),
    help="read, write or import (repeat the option for several).",
)
@click.option("--expires", default=None, help="Last day of validity, YYYY-MM-DD.")
def create_token_command(name: str, scopes: tuple[str, ...], expires: str | None) -> None:
    """Create a token and print it: it is shown this once and stored only hashed."""
    from cac_news.api.tokens import create_token, parse_expiry

    try:
        created = create_token(name, list(scopes), parse_expiry(expires))
    except ValidationError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(
        f"Token {created.token.name} (id {created.token.id}, {created.token.scopes}) created; "
        "copy it now, it is not shown again:",
        err=True,
    )
    click.echo(created.secret)


@tokens_cli.command("list")
def list_tokens_command() -> None:
    """List tokens: id, name, scopes, expiry, last use, state (never the secrets)."""
    from cac_news.api.tokens import list_tokens

    for token in list_tokens():
        if token.revoked_at is not None:
            state = "revoked"
        elif token.is_expired():
            state = "expired"
        else:
            state = "active"
        click.echo(
            "\t".join(
                [
                    str(token.id),
                    token.name,
                    ",".join(token.scope_list),
                    f"expires {_when(token.expires_at)}",
                    f"last used {_when(token.last_used_at)}",
                    state,
                ]
            )
        )


@tokens_cli.command("revoke")
@click.argument("name_or_id")
def revoke_token_command(name_or_id: str) -> None:
    """Revoke a token by its name or id; calls with it get 401 from now on."""
    from cac_news.api.tokens import find_token, revoke_token

    token = find_token(name_or_id)
    if token is None:
        raise click.ClickException(f"no token is named or numbered {name_or_id!r}")
    if revoke_token(token):
        click.echo(f"Token {token.name} revoked.")
    else:
        click.echo(f"Token {token.name} was already revoked.")
