"""Autosave latency over HTTP against a running server (gunicorn), on a plan of about 3,000 words.

    .venv/bin/python benchmarks/autosave.py [--saves N] [--postgres | --database-url URL]

Prints p50 / p95 / max over the saves; the last line is one JSON object with the figures."""
from __future__ import annotations

import json
import sys
import time

from _server import Server, Session, database_url, fresh_app, percentile

WORDS = ("Anna wants a safe home of her own with Luna, structure in her days, and more control over "
         "her drinking; her sister Hilde and the Tuesday peer group help her keep going. ").split()


def plan_of(words: int, round_: int) -> dict:
    text = " ".join(WORDS[i % len(WORDS)] for i in range(words // 8))
    sections = {key: f"{text} ({round_})" for key in ("what_matters", "strengths", "network", "coordinator",
                                                       "crisis_plan", "evaluation", "consent")}
    goals = [{"id": f"g{i}", "text": f"I want goal number {i} in my own words", "timeframe": "by autumn"}
             for i in range(1, 6)]
    measures = [{"id": f"m{i}", "what": f"Measure {i}: " + text[:300], "service": "NAV", "role": "Adviser",
                 "due": "1 June", "goal_id": f"g{1 + i % 5}"} for i in range(1, 9)]
    return {"sections": sections, "goals": goals, "measures": measures}


def main(argv: list[str]) -> None:
    saves = int(argv[argv.index("--saves") + 1]) if "--saves" in argv else 600
    url = database_url(argv)
    app = fresh_app(url)
    with app.app_context():
        from app.cohorts.models import Role
        from app.db import db
        from app.plans import services as plans
        from tests.factories import AssignmentFactory, member

        assignment = AssignmentFactory()
        student = member(assignment.cohort, Role.student, email="bench@example.org")
        student.set_password("a benchmark password")
        plan = plans.start_plan(assignment, student)
        db.session.commit()
        plan_id = plan.id
        from app.plans.content import word_count

        words = word_count(plan_of(3000, 0))
        db.session.remove()
        db.engine.dispose()

    server = Server(url, workers=2)
    try:
        session = Session(server.port)
        session.login("bench@example.org", "a benchmark password")
        session.get(f"/plans/{plan_id}")
        token, timings, errors = 0, [], 0
        for i in range(saves + 20):
            payload = {"save_token": token, "content": plan_of(3000, i)}
            started = time.perf_counter()
            status, body = session.post_json(f"/plans/{plan_id}/draft", payload)
            elapsed = (time.perf_counter() - started) * 1000
            if status != 200:
                errors += 1
                continue
            token = json.loads(body)["save_token"]
            if i >= 20:  # warm-up first
                timings.append(elapsed)
    finally:
        server.stop()
    figures = {
        "benchmark": "autosave", "database": url.split(":", 1)[0], "plan_words": words, "saves": len(timings),
        "errors": errors, "p50_ms": round(percentile(timings, 0.50), 2), "p95_ms": round(percentile(timings, 0.95), 2),
        "max_ms": round(max(timings), 2) if timings else 0, "target_p95_ms": 30,
    }
    print(f"Autosave of a {words}-word plan over HTTP ({figures['database']}), {len(timings)} saves:")
    print(f"  p50 {figures['p50_ms']} ms · p95 {figures['p95_ms']} ms · max {figures['max_ms']} ms · errors {errors}")
    print(json.dumps(figures))


if __name__ == "__main__":
    main(sys.argv[1:])
