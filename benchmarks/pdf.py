"""The worst-case plan as PDF, and /healthz while PDFs are being made, under gunicorn.

    .venv/bin/python benchmarks/pdf.py [--postgres | --database-url URL] [--skip-before]

The worst case is the largest plan a student can save: seven sections of Markdown tables just under the size limit,
30 goals and 30 measures with every field just under its limit (`tests/plan_helpers.largest_content`). Also
measured: the largest plan still inside the PDF budget (about 1,000 table cells and 60,000 characters), which is
rendered. Figures:
- before: the worst case's page rendered without any bound, as every PDF request did (in this process; skipped
  with --skip-before, it takes minutes on a busy machine);
- after: the worst case's PDF request (refused by the budget), the largest accepted draft's PDF request (rendered
  each time), and a submitted version's first request (rendered and stored) and second (served as stored);
- /healthz p50 / p95 / max at rest, while three worst-case PDFs are requested at once (in a loop, for a few
  seconds), and while three of the largest accepted drafts' PDFs are requested at once.
gunicorn runs with the production worker count for this machine (2 × cores + 1) and its 30 s timeout. The last
line is one JSON object with the figures."""
from __future__ import annotations

import json
import multiprocessing
import sys
import threading
import time

from _server import Server, Session, database_url, fresh_app, percentile

PASSWORD = "a benchmark password"
TARGET_HEALTHZ_P95_MS = 50


def at_budget_content() -> dict:
    """The largest plan the PDF budget still accepts: tables of 25 rows in every section, 30 goals and 30 measures
    of about 300 characters a field (976 table cells and about 59,000 characters on the printed page)."""
    from tests.plan_helpers import largest_content, markdown_table

    content = largest_content(section_chars=1, field_chars=310)
    rows = "".join(markdown_table(10_000).splitlines(True)[:27])
    content["sections"] = {key: rows for key in content["sections"]}
    return content


def setup(url: str) -> dict:
    """Three students with a plan each: the worst case (a draft), the largest accepted (a draft) and the largest
    accepted again (submitted). Returns their ids, and the pages as printed for the worst case and the largest."""
    app = fresh_app(url)
    with app.app_context():
        from flask import render_template

        from app.cohorts.models import Role
        from app.db import db
        from app.plans import services as plans
        from app.plans.content import SECTIONS
        from app.plans.pdf import measure
        from tests.factories import AssignmentFactory, member
        from tests.plan_helpers import largest_content

        ids, pages = {}, {}
        for name, content, submit in (("worst", largest_content(), False), ("budget", at_budget_content(), False),
                                      ("version", at_budget_content(), True)):
            assignment = AssignmentFactory()
            student = member(assignment.cohort, Role.student, email=f"{name}@example.org")
            student.set_password(PASSWORD)
            plan = plans.start_plan(assignment, student)
            plans.save_draft(plan, student, plan.save_token, content)
            if submit:
                plans.submit(plan, student, plan.save_token)
            db.session.commit()
            ids[name] = plan.id
            if not submit:
                with app.test_request_context():
                    pages[name] = render_template(
                        "plans/print.html", for_pdf=True, plan=plan, version=None, content=plan.draft,
                        sections=SECTIONS, person=plan.case_version.person_name, lang="en", rubric=plan.rubric_version)
        sizes = {name: measure(page).__dict__ for name, page in pages.items()}
        db.session.remove()
        db.engine.dispose()
    return {"ids": ids, "pages": pages, "sizes": sizes, "static": app.static_folder}


def render_unbounded(page: str, static_folder: str) -> float:
    from app.plans.pdf import render_pdf

    started = time.perf_counter()
    render_pdf(page, static_folder)
    return time.perf_counter() - started


def timed(session: Session, path: str) -> tuple[int, float, int]:
    started = time.perf_counter()
    status, body = session.request("GET", path)
    return status, round((time.perf_counter() - started) * 1000, 1), len(body)


class HealthProbe:
    """Asks /healthz every 50 ms on its own connection while running; keeps the times in milliseconds."""

    def __init__(self, port: int):
        self.session = Session(port)
        self.times: list[float] = []
        self.errors = 0
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self.run)

    def run(self) -> None:
        while not self.stopping.is_set():
            started = time.perf_counter()
            try:
                status, _body = self.session.request("GET", "/healthz")
            except OSError:
                status = 0
                self.session = Session(self.session.conn.port)
            self.times.append((time.perf_counter() - started) * 1000)
            if status != 200:
                self.errors += 1
            time.sleep(0.05)

    def __enter__(self) -> HealthProbe:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stopping.set()
        self.thread.join()

    def figures(self) -> dict:
        return {"requests": len(self.times), "errors": self.errors,
                "p50_ms": round(percentile(self.times, 0.50), 1), "p95_ms": round(percentile(self.times, 0.95), 1),
                "max_ms": round(max(self.times), 1) if self.times else 0}


def three_at_once(port: int, email: str, path: str, seconds: float = 0.0) -> tuple[dict, list]:
    """Three people's sessions request the PDF together (again and again for `seconds`, or once); /healthz is
    probed meanwhile."""
    sessions = []
    for _n in range(3):
        session = Session(port)
        session.conn.timeout = 120
        session.login(email, PASSWORD)
        sessions.append(session)
    answers: list[tuple[int, float, int]] = []
    barrier = threading.Barrier(3)

    def ask(session: Session) -> None:
        barrier.wait()
        until = time.perf_counter() + seconds
        while True:
            answers.append(timed(session, path))
            if time.perf_counter() >= until:
                return

    with HealthProbe(port) as probe:
        time.sleep(0.5)
        threads = [threading.Thread(target=ask, args=(s,)) for s in sessions]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    return probe.figures(), answers


def main(argv: list[str]) -> None:
    url = database_url(argv)
    made = setup(url)
    ids = made["ids"]
    before = None
    if "--skip-before" not in argv:
        print("Rendering the worst case's page without bounds (as before)…", flush=True)
        before = round(render_unbounded(made["pages"]["worst"], made["static"]), 1)
    workers = 2 * multiprocessing.cpu_count() + 1
    server = Server(url, workers=workers, args=["--timeout", "30"])
    try:
        warm = Session(server.port)
        for _n in range(4 * workers):  # every worker has started and answered once
            warm.request("GET", "/healthz")
            warm = Session(server.port)
        with HealthProbe(server.port) as probe:
            time.sleep(3)
        at_rest = probe.figures()

        worst, budget, version = Session(server.port), Session(server.port), Session(server.port)
        for session, name in ((worst, "worst"), (budget, "budget"), (version, "version")):
            session.conn.timeout = 120
            session.login(f"{name}@example.org", PASSWORD)
        after = {
            "worst_case": timed(worst, f"/plans/{ids['worst']}/pdf"),
            "largest_accepted_draft": timed(budget, f"/plans/{ids['budget']}/pdf"),
            "version_first": timed(version, f"/plans/{ids['version']}/pdf"),
            "version_stored": timed(version, f"/plans/{ids['version']}/pdf"),
        }
        refused_load, refused_answers = three_at_once(server.port, "worst@example.org", f"/plans/{ids['worst']}/pdf",
                                                      seconds=5)
        render_load, render_answers = three_at_once(server.port, "budget@example.org",
                                                    f"/plans/{ids['budget']}/pdf")
    finally:
        server.stop()

    def statuses(answers: list) -> dict:
        counts: dict[str, int] = {}
        for status, _ms, _size in answers:
            counts[str(status)] = counts.get(str(status), 0) + 1
        return counts

    figures = {
        "benchmark": "pdf", "database": url.split(":", 1)[0], "workers": workers,
        "page_sizes": made["sizes"],
        "before_unbounded_render_s": before,
        "after": {name: {"status": status, "ms": ms, "bytes": size} for name, (status, ms, size) in after.items()},
        "healthz_at_rest": at_rest,
        "healthz_three_worst_case_pdfs": {**refused_load, "pdf_statuses": statuses(refused_answers),
                                           "pdf_p95_ms": percentile([a[1] for a in refused_answers], 0.95)},
        "healthz_three_largest_accepted_pdfs": {**render_load, "pdf_statuses": statuses(render_answers),
                                                "pdf_max_ms": max(a[1] for a in render_answers)},
        "target_healthz_p95_ms": TARGET_HEALTHZ_P95_MS,
    }
    print(f"PDF of the worst-case plan ({figures['database']}, gunicorn with {workers} workers):")
    sizes = made["sizes"]
    print(f"  worst case: {sizes['worst']['cells']} table cells, {sizes['worst']['chars']} characters; largest "
          f"accepted: {sizes['budget']['cells']} cells, {sizes['budget']['chars']} characters")
    if before is not None:
        print(f"  before: its page rendered without bounds in {before} s")
    for name, answer in figures["after"].items():
        print(f"  after: {name}: {answer['status']} in {answer['ms']} ms ({answer['bytes']} bytes)")
    for name in ("healthz_at_rest", "healthz_three_worst_case_pdfs", "healthz_three_largest_accepted_pdfs"):
        load = figures[name]
        print(f"  {name}: p50 {load['p50_ms']} ms · p95 {load['p95_ms']} ms · max {load['max_ms']} ms "
              f"over {load['requests']} requests, errors {load['errors']}"
              + (f" · PDFs {load['pdf_statuses']}" if "pdf_statuses" in load else ""))
    print(json.dumps(figures))


if __name__ == "__main__":
    main(sys.argv[1:])
