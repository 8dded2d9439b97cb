from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from app.content.services import ContentInvalid, import_content
from app.db import db

content_cli = AppGroup("content", help="Cases and rubrics.")


@content_cli.command("import")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--dry-run", is_flag=True, help="Show what would be created, updated or left unchanged; write nothing.")
def import_command(paths: tuple[Path, ...], dry_run: bool) -> None:
    """Import cases/ and rubrics/ (or the given PATHs). A bad file imports nothing."""
    root = Path(current_app.config["CONTENT_DIR"])
    try:
        outcomes = import_content(list(paths), root)
    except ContentInvalid as invalid:
        db.session.rollback()
        for error in invalid.errors:
            click.echo(str(error), err=True)
        count = len(invalid.errors)
        raise click.ClickException(f"{count} problem{'s' if count != 1 else ''} found; nothing was imported.") from None
    if dry_run:
        db.session.rollback()
    else:
        db.session.commit()
    if not outcomes:
        click.echo("No cases or rubrics found.")
    for outcome in outcomes:
        click.echo(("(dry run) " if dry_run else "") + str(outcome))
    counts = {action: sum(1 for o in outcomes if o.action == action) for action in ("created", "updated", "unchanged")}
    summary = ", ".join(f"{n} {action}" for action, n in counts.items())
    click.echo(f"{'Would import' if dry_run else 'Imported'}: {summary}.")
