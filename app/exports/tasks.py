"""An export made by a worker from start to end, when a job queue is configured (app/exports/services.py)."""
from __future__ import annotations

from app.exports import services
from app.jobs import task


@task(name=services.BUILD_TASK)
def run_to_end(export_id: int) -> None:
    services.run_to_end(export_id, by_worker=True)
