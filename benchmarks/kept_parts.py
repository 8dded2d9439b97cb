"""Whether the kept parts of pages pay: each page with its kept parts, and with nothing kept (every part rendered).

    .venv/bin/python benchmarks/kept_parts.py [--runs 200] [--database-url URL | --postgres]

Builds the demo on a fresh database (schema by the migrations) and requests, through the Flask test client, in one
process: a student's plan page as they reopen it unchanged, the same page after each autosave (the text changed, so
the kept editor rows cannot be used, only the case beside them), an instructor's review page and the student's
feedback page. Each page is requested `--runs` times with the kept parts (after one warm-up) and as many times with
every kept store emptied before each request. Prints p50 / p95 in milliseconds and what keeping saves; the last
line is one JSON object with every figure. A kept part is worth its rules where it saves at least 1 ms at p50."""
from __future__ import annotations

import argparse
import copy
import json
import re
import statistics
import sys
import time

from _server import database_url, fresh_app

PASSWORD = "demo-password"
WORTH_MS = 1.0


def _login(client, email: str) -> None:
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    answer = client.post("/login", data={"email": email, "password": PASSWORD, "csrf_token": token})
    assert answer.status_code == 302, answer.status_code


def _timed(request, runs: int, before=None) -> list[float]:
    times = []
    for _ in range(runs):
        if before:
            before()
        start = time.perf_counter()
        response = request()
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, response.status_code
    return times


def _figures(times: list[float]) -> dict:
    ordered = sorted(times)
    return {"p50_ms": round(statistics.median(ordered), 2), "p95_ms": round(ordered[int(len(ordered) * 0.95) - 1], 2)}


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--database-url")
    parser.add_argument("--postgres", action="store_true")
    args = parser.parse_args(argv)

    from app import fragments
    from app.db import db
    from app.demo.services import load_demo
    from app.plans.models import Plan
    from app.plans.states import PlanState

    app = fresh_app(database_url(argv))
    app.config.update(WTF_CSRF_ENABLED=False)
    with app.app_context():
        from pathlib import Path

        from app.content.services import import_content

        import_content([], Path(app.config["CONTENT_DIR"]))
        load_demo()
        db.session.commit()
        draft = db.session.scalar(db.select(Plan).where(Plan.state == PlanState.draft).order_by(Plan.id))
        in_review = db.session.scalar(db.select(Plan).where(Plan.state == PlanState.in_review).order_by(Plan.id))
        returned = db.session.scalar(db.select(Plan).where(Plan.state == PlanState.returned).order_by(Plan.id))
        ids = {"draft": draft.id, "review": in_review.id, "returned": returned.id}
        owners = {"draft": draft.student.email, "returned": returned.student.email}
        reviewer = in_review.reviewer.email
        text = copy.deepcopy(draft.draft)
        token = draft.save_token

    student, instructor, reader = app.test_client(), app.test_client(), app.test_client()
    _login(student, owners["draft"])
    _login(instructor, reviewer)
    _login(reader, owners["returned"])

    state = {"token": token, "n": 0}

    def save_then_open():
        state["n"] += 1
        content = copy.deepcopy(text)
        content["sections"]["what_matters"] = f"{content['sections']['what_matters']} Saved {state['n']}."
        saved = student.post(f"/plans/{ids['draft']}/draft", json={"save_token": state["token"], "content": content})
        assert saved.status_code == 200, saved.get_data(as_text=True)
        state["token"] = saved.get_json()["save_token"]

    pages = {
        "plan page, reopened unchanged": (lambda: student.get(f"/plans/{ids['draft']}"), None),
        "plan page after a save": (lambda: student.get(f"/plans/{ids['draft']}"), save_then_open),
        "review page": (lambda: instructor.get(f"/plans/{ids['review']}/review"), None),
        "feedback page": (lambda: reader.get(f"/plans/{ids['returned']}/feedback"), None),
    }

    def forget():
        for store in fragments.STORES.values():
            store.clear()

    results = {}
    for name, (request, before) in pages.items():
        request()  # warm-up: templates compiled, parts kept
        kept = _timed(request, args.runs, before)

        def nothing_kept(before=before):
            if before:
                before()
            forget()

        rendered = _timed(request, args.runs, nothing_kept)
        saves = round(statistics.median(rendered) - statistics.median(kept), 2)
        results[name] = {"kept": _figures(kept), "rendered": _figures(rendered), "saves_p50_ms": saves,
                         "pays": saves >= WORTH_MS}

    print(f"{'page':<32} {'kept p50':>9} {'kept p95':>9} {'none p50':>9} {'none p95':>9} {'saves':>7}")
    for name, row in results.items():
        print(f"{name:<32} {row['kept']['p50_ms']:>9} {row['kept']['p95_ms']:>9} {row['rendered']['p50_ms']:>9} "
              f"{row['rendered']['p95_ms']:>9} {row['saves_p50_ms']:>7}")
    print(json.dumps({"runs": args.runs, "worth_ms": WORTH_MS, "pages": results}))


if __name__ == "__main__":
    main(sys.argv[1:])
