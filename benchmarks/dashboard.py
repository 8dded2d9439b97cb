"""The progress dashboard of a large cohort: render time and SQL queries of the page and of its CSV export.

    .venv/bin/python benchmarks/dashboard.py [--students 300] [--versions 4] [--runs 60]
                                             [--database-url URL | --postgres] [--reset] [--gc-freeze]

Builds its own database: by default a SQLite file in a temporary directory; or the database named by
`--database-url` (or the DATABASE_URL environment variable), which must be empty unless `--reset` is given
(then it is wiped); `--postgres` uses (and creates) the local database `dashboard_bench`. The schema comes from
the migrations. It fills one cohort with the students, each with the given number of submitted versions,
released reviews with rubric levels, and language hints, then requests the dashboard page and its CSV export
through the Flask test client as the course leader, after a warm-up. Prints p50 / p95 in milliseconds and the
SQL queries per request; the last line is one JSON object with every figure. Target: p95 ≤ 150 ms.

The slowest requests are those during which Python runs a full garbage collection over every object of the
process; `--gc-freeze` shows the figures of a server that calls gc.freeze() once it has started."""
from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TARGET_P95_MS = 150
CRITERIA = ("language", "voice", "resources", "measures", "coordination", "determinants")
LEVELS = ("not_yet", "emerging", "solid", "exemplary")
TERMS = [("addict", "label"), ("clean", "moral"), ("denies", "doubt"), ("non-compliant", "deficit"),
         ("Pt", "jargon"), ("must attend", "coercion"), ("was placed", "passive"), ("relapse", "moral"),
         ("rusmisbruker", "label"), ("benekter", "doubt")]
SECTION_TEXT = ("Anna wants a safe home of her own with Luna, structure in her days and more say over her "
                "drinking. Her sister Hilde and the Tuesday peer group help her keep going. ")


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--students", type=int, default=300)
    parser.add_argument("--versions", type=int, default=4)
    parser.add_argument("--runs", type=int, default=60)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"))
    parser.add_argument("--postgres", action="store_true", help="use the local database dashboard_bench")
    parser.add_argument("--reset", action="store_true", help="wipe a database that is not empty")
    parser.add_argument("--gc-freeze", action="store_true",
                        help="after the warm-up, move every object alive into the permanent generation (gc.freeze()), "
                             "as a server does when it freezes after start-up; full collections then stay short")
    return parser.parse_args(argv)


def database_url(args) -> str:
    if args.postgres:
        import psycopg

        with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as conn:
            if not conn.execute("SELECT 1 FROM pg_database WHERE datname = 'dashboard_bench'").fetchone():
                conn.execute('CREATE DATABASE "dashboard_bench"')
        args.reset = True  # the benchmark's own database
        return "postgresql+psycopg://postgres@127.0.0.1:5432/dashboard_bench"
    if args.database_url:
        return args.database_url
    return f"sqlite:///{tempfile.mkdtemp(prefix='careplan-dashboard-')}/bench.db"


def fresh_app(url: str, reset: bool):
    """An app on an empty database whose schema is built by the migrations."""
    from flask_migrate import upgrade
    from sqlalchemy import inspect, text

    from app import create_app
    from app.db import db

    app = create_app("testing", SQLALCHEMY_DATABASE_URI=url, RATELIMIT_ENABLED=False, WTF_CSRF_ENABLED=False,
                     SERVER_NAME=None)
    with app.app_context():
        if inspect(db.engine).get_table_names():
            if not reset:
                raise SystemExit(f"The database {url} is not empty; pass --reset to wipe it, or choose another.")
            if url.startswith("postgresql"):
                with db.engine.begin() as conn:
                    conn.execute(text("DROP SCHEMA public CASCADE"))
                    conn.execute(text("CREATE SCHEMA public"))
            else:
                db.reflect()
                db.drop_all()
                with db.engine.begin() as conn:
                    conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
        upgrade()
    return app


def content(version: int) -> dict:
    text = SECTION_TEXT * (3 + version)
    return {
        "sections": {key: text for key in ("what_matters", "strengths", "network", "coordinator", "crisis_plan",
                                            "evaluation", "consent")},
        "goals": [{"id": f"g{i}", "text": f"I want goal {i} in my own words", "timeframe": "by autumn"}
                  for i in range(1, 4)],
        "measures": [{"id": f"m{i}", "what": f"Measure {i}", "service": "NAV", "role": "Adviser",
                      "due": "1 June", "goal_id": f"g{1 + i % 3}"} for i in range(1, 6)],
    }


def hints(rng: random.Random, version: int, words: int) -> dict:
    findings, counts = [], {}
    for _ in range(max(0, 14 - 3 * version + rng.randint(-2, 2))):
        term, category = rng.choice(TERMS)
        start = rng.randint(0, 400)
        findings.append({"start": start, "end": start + len(term), "text": term, "category": category,
                         "message": "Readers judge a person more harshly when this word is used.",
                         "suggestion": "Say what happened, in the person's own words.", "replacement": None,
                         "rule": f"en.{category}.{term}", "field": "what_matters", "dismissed": False})
        counts[category] = counts.get(category, 0) + 1
    return {"lang": "en", "words": words, "findings": findings, "counts": counts, "open_counts": counts,
            "plan_hints": []}


def fill(students: int, versions: int) -> tuple[int, str]:
    """The cohort, as the workflow would have left it; rows are written directly, in bulk, for speed."""
    from app.assignments.models import Assignment
    from app.auth.models import User
    from app.cases.models import Case
    from app.cohorts.models import Cohort, Membership, Role
    from app.content.services import import_content
    from app.db import db, utcnow
    from app.plans.models import Plan, PlanVersion
    from app.plans.workflow import PlanState
    from app.reviews.models import CriterionScore, Review
    from app.rubrics.models import Rubric

    rng = random.Random(8)
    import_content([], ROOT)
    case = db.session.scalar(db.select(Case).where(Case.slug == "anna")).latest
    rubric = db.session.scalar(db.select(Rubric).where(Rubric.slug == "ip-default")).latest
    now = utcnow()
    start = now - timedelta(days=7 * versions + 14)
    cohort = Cohort(name="Benchmark cohort", description="")
    db.session.add(cohort)
    db.session.flush()
    leader = User(email="leader@bench.example.org", name="Lise Leder")
    leader.set_password("benchmark password")
    instructors = [User(email=f"instructor{i}@bench.example.org", name=f"Instructor {i:02d}") for i in range(12)]
    people = [User(email=f"student{i}@bench.example.org", name=f"Student {i:03d}") for i in range(students)]
    db.session.add_all([leader, *instructors, *people])
    db.session.flush()
    db.session.add_all([Membership(cohort_id=cohort.id, user_id=leader.id, role=Role.leader)]
                       + [Membership(cohort_id=cohort.id, user_id=u.id, role=Role.instructor) for u in instructors]
                       + [Membership(cohort_id=cohort.id, user_id=u.id, role=Role.student) for u in people])
    assignment = Assignment(cohort_id=cohort.id, title="Individual plan for Anna", case_version_id=case.id,
                            rubric_version_id=rubric.id, opens_at=start, due_at=start + timedelta(days=10),
                            review_due_at=now - timedelta(days=2), allow_late=True, created_by_id=leader.id)
    db.session.add(assignment)
    db.session.flush()
    final_states = [PlanState.submitted, PlanState.in_review, PlanState.returned, PlanState.completed,
                    PlanState.draft]
    plans = []
    for index, student in enumerate(people):
        state = final_states[index % len(final_states)]
        reviewer = instructors[index % len(instructors)]
        unallocated = state == PlanState.submitted and index % 3 == 0
        plans.append(Plan(assignment_id=assignment.id, student_id=student.id, case_version_id=case.id,
                          rubric_version_id=rubric.id, state=state, draft=content(versions),
                          reviewer_id=None if unallocated else reviewer.id, save_token=versions * 3,
                          draft_saved_at=start + timedelta(days=7 * versions), updated_at=now - timedelta(hours=index)))
    db.session.add_all(plans)
    db.session.flush()
    all_versions = []
    for index, plan in enumerate(plans):
        for number in range(1, versions + 1):
            body = content(number)
            words = 60 * (3 + number)
            submitted = start + timedelta(days=7 * (number - 1) + rng.random() * 3)
            all_versions.append(PlanVersion(
                plan_id=plan.id, number=number, content=body, word_count=words, draft_token=number * 3,
                submitted_at=submitted, submitted_by_id=plan.student_id, late=number == 1 and index % 11 == 0,
                hints=hints(rng, number, words), language="en"))
    db.session.add_all(all_versions)
    db.session.flush()
    reviews = []
    for index, version in enumerate(all_versions):
        plan = plans[index // versions]
        last = version.number == versions
        if last and (plan.state == PlanState.submitted or plan.reviewer_id is None):
            continue
        released = not last or plan.state in (PlanState.returned, PlanState.completed, PlanState.draft)
        review = Review(plan_id=plan.id, plan_version_id=version.id, reviewer_id=plan.reviewer_id, overall="Good",
                        released_at=version.submitted_at + timedelta(hours=rng.uniform(6, 150)) if released else None)
        level = min(len(LEVELS) - 1, version.number - 1 + rng.randint(-1, 1))
        review.scores = [CriterionScore(criterion_key=key, level_key=LEVELS[max(0, level)]) for key in CRITERIA]
        reviews.append(review)
    db.session.add_all(reviews)
    db.session.commit()
    return assignment.id, leader.email


def measure(client, engine, url: str, runs: int, warmup: int, freeze: bool = False) -> dict:
    import gc

    from sqlalchemy import event

    for _ in range(warmup):
        assert client.get(url).status_code == 200, url
    if freeze:
        gc.freeze()
    timings, queries = [], []
    counter = {"n": 0}

    def count(*_args, **_kwargs):
        counter["n"] += 1

    event.listen(engine, "before_cursor_execute", count)
    try:
        for _ in range(runs):
            counter["n"] = 0
            started = time.perf_counter()
            response = client.get(url)
            response.get_data()
            timings.append((time.perf_counter() - started) * 1000)
            queries.append(counter["n"])
            assert response.status_code == 200, (url, response.status_code)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    timings.sort()
    return {"p50_ms": round(statistics.median(timings), 1),
            "p95_ms": round(timings[min(len(timings) - 1, round(0.95 * (len(timings) - 1)))], 1),
            "max_ms": round(timings[-1], 1), "queries": max(queries), "bytes": len(response.get_data())}


def main(argv: list[str]) -> None:
    args = parse_args(argv)
    url = database_url(args)
    app = fresh_app(url, args.reset)
    started = time.perf_counter()
    with app.app_context():
        from app.db import db

        assignment_id, leader = fill(args.students, args.versions)
        db.session.remove()
        engine = db.engine
    fill_seconds = round(time.perf_counter() - started, 1)
    client = app.test_client()
    response = client.post("/login", data={"email": leader, "password": "benchmark password"})
    if response.status_code != 302:
        raise SystemExit(f"could not sign in as the course leader ({response.status_code})")
    page = measure(client, engine, f"/assignments/{assignment_id}/dashboard", args.runs, args.warmup, args.gc_freeze)
    export = measure(client, engine, f"/assignments/{assignment_id}/dashboard.csv?table=students", args.runs,
                     args.warmup, args.gc_freeze)
    database = url.split(":", 1)[0].split("+", 1)[0]
    figures = {
        "benchmark": "dashboard", "database": database, "students": args.students, "versions_each": args.versions,
        "runs": args.runs, "gc_freeze": args.gc_freeze, "fill_seconds": fill_seconds,
        "page_p50_ms": page["p50_ms"], "page_p95_ms": page["p95_ms"], "page_max_ms": page["max_ms"],
        "page_queries": page["queries"], "page_kb": round(page["bytes"] / 1024, 1),
        "csv_p50_ms": export["p50_ms"], "csv_p95_ms": export["p95_ms"], "csv_max_ms": export["max_ms"],
        "csv_queries": export["queries"], "target_p95_ms": TARGET_P95_MS,
        "within_target": page["p95_ms"] <= TARGET_P95_MS and export["p95_ms"] <= TARGET_P95_MS,
    }
    print(f"Progress dashboard, {args.students} students × {args.versions} versions with reviews and hints "
          f"({database}; filled in {fill_seconds} s{'; gc.freeze() after the warm-up' if args.gc_freeze else ''})")
    print(f"  page  p50 {page['p50_ms']:>6} ms · p95 {page['p95_ms']:>6} ms · max {page['max_ms']:>6} ms · "
          f"{page['queries']} SQL queries · {figures['page_kb']} kB")
    print(f"  CSV   p50 {export['p50_ms']:>6} ms · p95 {export['p95_ms']:>6} ms · max {export['max_ms']:>6} ms · "
          f"{export['queries']} SQL queries")
    print(f"  target p95 ≤ {TARGET_P95_MS} ms: {'met' if figures['within_target'] else 'NOT met'} "
          f"({args.runs} requests each after {args.warmup} to warm up)")
    print(json.dumps(figures))


if __name__ == "__main__":
    main(sys.argv[1:])
