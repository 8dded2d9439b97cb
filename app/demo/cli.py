from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from app.db import db
from app.demo.services import DEMO_PASSWORD, load_demo

demo_cli = AppGroup("demo", help="Demo data for trying the app.")


@demo_cli.command("load")
@click.option("--reset", is_flag=True,
              help="Delete the demo cohort's plans (with their versions, reviews and notifications) and rebuild them.")
def load_command(reset: bool) -> None:
    """Create the demo accounts and cohort (safe to run again: nothing is duplicated)."""
    echo = current_app.config.get("MAIL_ECHO")
    current_app.config["MAIL_ECHO"] = False  # the demo's notification e-mails stay in the outbox table
    try:
        summary = load_demo(reset=reset)
    finally:
        current_app.config["MAIL_ECHO"] = echo
    db.session.commit()
    click.echo("Demo data is ready.")
    for line in summary:
        click.echo(f"  {line}")
    click.echo(f"All demo accounts use the password: {DEMO_PASSWORD}")
