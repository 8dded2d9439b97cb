from __future__ import annotations

import sys

import click
from flask.cli import AppGroup

from app.auth import services
from app.db import db
from app.errors import ValidationError

users_cli = AppGroup("users", help="Manage accounts.")


@users_cli.command("create")
@click.option("--email", required=True, help="The e-mail address used to sign in.")
@click.option("--name", required=True, help="The person's name as shown in the app.")
@click.option("--admin", is_flag=True, help="Make the account a site administrator.")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input instead of asking.")
def create_user_command(email: str, name: str, admin: bool, password_stdin: bool) -> None:
    """Create an account (asks for the password)."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        user = services.create_user(email, name, password, is_admin=admin)
    except ValidationError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc.message)) from None
    db.session.commit()
    click.echo(f"Created {'administrator' if admin else 'account'} {user.email} ({user.name}).")
