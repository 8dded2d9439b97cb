"""The printed plan: the page a version is printed and made into a PDF from, and the stored PDF of a frozen
version for whoever needs the file itself (the plan's PDF download, a cohort's zip export)."""
from __future__ import annotations

import time

from flask import current_app, render_template

from app.db import db
from app.plans import services
from app.plans.content import SECTIONS
from app.plans.models import Plan, PlanVersion
from app.plans.pdf import Bounds, RenderFailed, TooSlow, check_budget
from app.reading import reading_language

# How often a request waiting for a PDF that another request renders looks again (seconds).
WAIT_STEP = 0.5


def print_context(plan: Plan, shown: PlanVersion | None) -> dict:
    """The plan as printed: a version (the draft when there is none), with the feedback released so far (the
    template asks the reviews domain for it: `released_feedback`)."""
    content = shown.content if shown else plan.draft
    return dict(plan=plan, version=shown, content=content, sections=SECTIONS,
                person=plan.case_version.person_name, lang=reading_language(plan.rubric_version),
                plan_lang=shown.language if shown else services.plan_language(plan), rubric=plan.rubric_version)


def print_page(plan: Plan, version: PlanVersion | None, *, for_pdf: bool) -> str:
    return render_template("plans/print.html", for_pdf=for_pdf,
                           **print_context(plan, version))


def frozen_version_pdf(version: PlanVersion, bounds: Bounds | None = None) -> bytes:
    """The PDF of a frozen version as stored, rendered first if it is not yet, within the same bounds as the plan's
    PDF download. When another request is rendering it, waits for that (no longer than the rendering's own time
    bound). Raises `PdfRefused` (with its `reason`) when there is no PDF. A unit of work of its own: it commits, so
    no transaction stays open while a PDF is rendered."""
    bounds = bounds or Bounds.from_config()
    html = print_page(version.plan, version, for_pdf=True)
    check_budget(html, bounds)
    record, mine = services.claim_version_pdf(version, html, stale_after=bounds.timeout + 30,
                                              retry_after=current_app.config["PDF_RETRY_AFTER"])
    db.session.commit()
    if mine:
        record = services.render_version_pdf(record.id, bounds)
    deadline = time.monotonic() + bounds.timeout + 5
    while record.state == "rendering" and time.monotonic() < deadline:
        time.sleep(WAIT_STEP)
        db.session.commit()  # a fresh read of the row another request is writing
        db.session.refresh(record)
    if record.state == "rendering":
        raise TooSlow("rendered elsewhere, not finished in time")
    if record.state == "failed":
        failure = RenderFailed(record.error or "failed")
        failure.reason = record.error or "failed"
        raise failure
    return record.data or b""
