from __future__ import annotations

import click
from flask.cli import AppGroup

from app.db import db
from app.exports import services

exports_cli = AppGroup("exports", help="A cohort's plans exported as one zip.")


@exports_cli.command("forget-expired")
def forget_expired() -> None:
    """Deletes the files of exports past their expiry (also done whenever a new export is started)."""
    count = services.forget_expired()
    db.session.commit()
    click.echo(f"{count} expired export{'' if count == 1 else 's'} deleted.")
