"""In a real browser: a student opens, with the keyboard, what their plan became as a shared digital plan, on the
version's page and on the plan's page, downloads both files, and both pages pass axe with the section open."""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from app.db import db
from app.demo.plans import FULL_PLAN
from app.plans.states import PlanState
from app.plans.structured import fhir_problems, sip_problems
from tests.a11y import assert_no_serious_violations
from tests.browser import sign_in
from tests.plan_helpers import World

pytestmark = pytest.mark.browser

SHOTS = Path(os.environ.get("SHOTS_DIR", "/tmp/shots-fhir"))


def _open_with_keyboard(page, name: str):
    summary = page.locator("details.structured-summary summary")
    assert page.locator("details.structured-summary").get_attribute("open") is None
    summary.focus()
    page.keyboard.press("Enter")
    assert page.locator("details.structured-summary").get_attribute("open") is not None
    assert page.get_by_role("heading", name=name).is_visible()


def test_a_student_reads_what_their_version_became_and_downloads_it(page, app):
    world = World()
    content = json.loads(json.dumps(FULL_PLAN))
    content["measures"][2]["due"] = "twice a week"
    content["measures"].append({"id": "m5", "what": "Find a dog sitter", "service": "", "role": "", "due": "",
                                "goal_id": ""})
    world.write(content)
    plan = world.to_state(PlanState.submitted)
    sign_in(page, world.owner.email)
    page.goto(f"/plans/{plan.id}/versions/1")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "version-page-closed.png"))
    _open_with_keyboard(page, "Version 1 as a shared digital plan")
    section = page.locator("details.structured-summary")
    text = section.inner_text()
    assert "3 of 5 have a responsible service or role and a date" in text
    assert "Measure 3: “twice a week” is not a date the shared plan can schedule" in text
    assert "Measure 5 has no date and would reach the shared plan without a period." in text
    assert "The care team has a coordinator: the one responsible for measure 4 (Coordinator, Addiction counselling)." in text
    assert_no_serious_violations(page)
    section.screenshot(path=str(SHOTS / "version-structured.png"))

    with page.expect_download() as fhir:
        section.get_by_role("link", name="Download version 1 as FHIR (JSON)").click()
    assert fhir.value.suggested_filename == f"care-plan-anna-{plan.id}-v1.fhir.json"
    assert fhir_problems(json.loads(Path(fhir.value.path()).read_text(encoding="utf-8"))) == []
    with page.expect_download() as sip:
        page.get_by_role("link", name="SIP (JSON)", exact=True).click()
    assert sip.value.suggested_filename == f"care-plan-anna-{plan.id}-v1.sip.json"
    assert sip_problems(json.loads(Path(sip.value.path()).read_text(encoding="utf-8"))) == []


def test_the_editor_explains_the_saved_draft_in_norwegian(page, app):
    world = World()
    world.write(FULL_PLAN)
    world.to_state(PlanState.returned)
    world.owner.locale = "nb"
    db.session.commit()
    sign_in(page, world.owner.email)
    page.goto(f"/plans/{world.plan.id}")
    _open_with_keyboard(page, "Det lagrede utkastet ditt som delt digital plan")
    section = page.locator("details.structured-summary")
    assert "Nedlastingene gjelder den siste versjonen du leverte (versjon 1)" in section.inner_text()
    assert_no_serious_violations(page)
    section.screenshot(path=str(SHOTS / "editor-structured-nb.png"))
