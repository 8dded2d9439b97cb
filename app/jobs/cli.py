from __future__ import annotations

import click
from flask.cli import AppGroup

from app import jobs
from app.jobs.schedule import SCHEDULE

jobs_cli = AppGroup("jobs", help="The job queue: the schedule, and running one of its tasks by hand.")


@jobs_cli.command("schedule")
def schedule() -> None:
    """Lists what Celery beat starts, and when."""
    for name, entry in SCHEDULE.items():
        click.echo(f"{name}: {entry['task']} ({entry['schedule']})")


@jobs_cli.command("run")
@click.argument("name")
def run(name: str) -> None:
    """Starts the scheduled entry NAME (see `flask jobs schedule`) now: handed to the broker when one is set, else
    run here. For a deployment without a broker, from cron."""
    entry = SCHEDULE.get(name)
    if entry is None:
        raise click.UsageError(f"No scheduled entry {name!r}; there are: {', '.join(SCHEDULE)}")
    jobs.start(entry["task"])
    click.echo(f"{name}: {entry['task']} {'ran' if jobs.eager() else 'handed to the broker'}.")
