"""Backups: `pg_dump -Fc` of a filled database, `pg_restore` into a fresh one, and everything is there."""
from __future__ import annotations

import copy
import glob
import re
import shutil
import subprocess
import uuid

import psycopg
import pytest
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from app import create_app
from app.cohorts.models import Role
from app.db import db
from app.plans import services as plan_services
from app.plans.models import Plan, PlanVersion
from app.plans.states import PlanState
from app.reviews import services as review_services
from app.reviews.models import AnchoredComment, Review
from tests.factories import PASSWORD, member
from tests.plan_helpers import GOOD_CONTENT, World

pytestmark = pytest.mark.postgres


def postgres_tool(name: str) -> str:
    """The newest client tool on the machine (it must not be older than the server)."""
    def version(path: str) -> int:
        match = re.search(r"/postgresql/(\d+)/", path)
        return int(match.group(1)) if match else 0

    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), key=version)
    found = candidates[-1] if candidates else shutil.which(name)
    assert found, f"{name} is needed (Debian: apt-get install postgresql-client)"
    return found


def libpq_url(url: str, database: str | None = None) -> str:
    parsed = make_url(url).set(drivername="postgresql")
    if database:
        parsed = parsed.set(database=database)
    return parsed.render_as_string(hide_password=False)


def fill() -> dict:
    """Plans in every state, two versions of one, a released review with scores and anchored comments, a
    reflection, notifications and their e-mails, the audit trail."""
    world = World()
    plan = world.to_state(PlanState.submitted)
    review_services.allocate(plan, world.reviewer, world.leader)
    text_ = plan.current_version.content["sections"]["what_matters"]
    review_services.save_review(plan, world.reviewer, scores={
        "language": {"level": "solid", "comment": "Warm and plain – «Anna» would say it so. Ærlig og varm."},
        "measures": {"level": "emerging", "comment": "Add a date to each measure."}}, overall="You listened to her.")
    review_services.add_comment(plan, world.reviewer, key="what_matters", quote="home",
                                start=text_.index("home"), body="Whose words are these? 🏠")
    review_services.release(plan, world.reviewer)
    review_services.save_reflection(plan, world.owner, plan.latest_version, "I will use her own words.")
    changed = copy.deepcopy(GOOD_CONTENT)
    changed["sections"]["what_matters"] = "Above all: " + text_
    plan_services.save_draft(plan, world.owner, plan.save_token, changed)
    plan_services.submit(plan, world.owner, plan.save_token)
    db.session.commit()
    other = plan_services.start_plan(world.assignment, world.other_student)
    db.session.flush()
    plan_services.save_draft(other, world.other_student, other.save_token, GOOD_CONTENT)
    db.session.commit()
    third = member(world.cohort, Role.student, name="Tora Third")
    draft = plan_services.start_plan(world.assignment, third)
    db.session.commit()
    return {"world": world, "resubmitted": plan.id, "draft": other.id, "empty": draft.id}


def table_rows(engine) -> dict[str, list[tuple]]:
    """Every row of every table, in primary-key order."""
    rows = {}
    with engine.connect() as conn:
        inspector = inspect(conn)
        for table in inspector.get_table_names():
            key = inspector.get_pk_constraint(table)["constrained_columns"] or [
                c["name"] for c in inspector.get_columns(table)]
            order = ", ".join(f'"{column}"' for column in key)
            rows[table] = [tuple(row) for row in conn.execute(text(f'SELECT * FROM "{table}" ORDER BY {order}'))]
    return rows


@pytest.fixture
def restored_database(app, tmp_path):
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    name = f"{make_url(url).database}_restored_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(libpq_url(url, "postgres"), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield make_url(url).set(database=name).render_as_string(hide_password=False)
    with psycopg.connect(libpq_url(url, "postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_a_dump_restored_into_a_fresh_database_has_every_plan_version_and_review(app, tmp_path, restored_database):
    filled = fill()
    source_url = app.config["SQLALCHEMY_DATABASE_URI"]
    db.session.remove()
    dump = tmp_path / "careplan.dump"
    subprocess.run([postgres_tool("pg_dump"), "-Fc", "-f", str(dump), libpq_url(source_url)], check=True,
                   capture_output=True, timeout=120)
    subprocess.run([postgres_tool("pg_restore"), "--exit-on-error", "-d", libpq_url(restored_database), str(dump)],
                   check=True, capture_output=True, timeout=120)

    restored_engine = create_engine(restored_database)
    try:
        before, after = table_rows(db.engine), table_rows(restored_engine)
    finally:
        restored_engine.dispose()
    assert set(after) == set(before) and "alembic_version" in after, "every table, the schema version too"
    for table in ("plans", "plan_versions", "reviews", "criterion_scores", "anchored_comments", "reflections",
                  "notifications", "outbox", "audit_entries", "users", "memberships", "case_documents"):
        assert table in before and before[table], f"the filled database has rows in {table}"
    for table in before:
        assert after[table] == before[table], f"{table} differs after the restore"
    assert len(before["plan_versions"]) == 2 and len(before["plans"]) == 3

    # The app runs on the restored database as it did before: the student reads the feedback on its passage.
    restored = create_app("testing", SQLALCHEMY_DATABASE_URI=restored_database)
    try:
        with restored.app_context():
            plan = db.session.get(Plan, filled["resubmitted"])
            assert plan.state == PlanState.submitted and [v.number for v in plan.versions] == [1, 2]
            assert plan.versions[0].content["sections"]["what_matters"] == GOOD_CONTENT["sections"]["what_matters"]
            assert plan.versions[1].content == plan.draft
            review = db.session.scalar(db.select(Review).join(PlanVersion).where(PlanVersion.number == 1))
            assert review.released_at is not None and review.overall == "You listened to her."
            comment = db.session.scalar(db.select(AnchoredComment))
            assert comment.body == "Whose words are these? 🏠"
            assert plan.versions[0].content["sections"]["what_matters"][comment.start:comment.end] == "home"
            owner_email = plan.student.email
        client = restored.test_client()
        html = client.get("/login").get_data(as_text=True)
        token = re.search(r'name="csrf-token" content="([^"]+)"', html).group(1)
        assert client.post("/login", data={"email": owner_email, "password": PASSWORD,
                                           "csrf_token": token}).status_code == 302
        feedback = client.get(f"/plans/{filled['resubmitted']}/feedback?version=1").get_data(as_text=True)
        assert "Whose words are these? 🏠" in feedback and '<mark class="anchor" data-comments="1">home' in feedback
        assert client.get("/healthz").get_json() == {"status": "ok", "database": "ok"}
    finally:
        with restored.app_context():
            db.session.remove()
            for engine in db.engines.values():
                engine.dispose()
