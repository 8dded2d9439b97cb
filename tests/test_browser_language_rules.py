"""In a real browser: a Norwegian plan's hints read the verb before the person, keep to the sense they flag, agree in
number, and the plan checks ask who does a measure written in the passive, and by when."""
from __future__ import annotations

import os

import pytest
from playwright.sync_api import expect

from app.db import db
from tests.a11y import assert_no_serious_violations
from tests.browser import sign_in
from tests.plan_helpers import GOOD_CONTENT, World

pytestmark = pytest.mark.browser

SHOTS = "/tmp/rules-shots"


def test_a_norwegian_draft_gets_hints_for_inverted_orders_and_checks_for_passive_measures(page, app):
    os.makedirs(SHOTS, exist_ok=True)
    world = World()
    world.plan.language = "nb"
    db.session.commit()
    world.write(GOOD_CONTENT)
    sign_in(page, world.owner.email)
    page.goto(f"/plans/{world.plan.id}")

    field = page.get_by_label("My network")
    field.fill("")
    field.click()
    page.keyboard.type("Derfor må Anna levere urinprøve hver mandag. Alle urinprøvene var rene i april. "
                       "Hun tar Vival 5 mg 2 tbl. om kvelden. Hun vil ikke tilbake til de gamle vanene.")
    hints = page.locator("#hints-network")
    expect(hints.locator("mark.hint-term", has_text="må")).to_have_count(1)
    clean = hints.locator(".hint-item", has=page.locator("mark.hint-term", has_text="rene"))
    expect(clean.locator(".hint-suggestion")).to_contain_text("negativ")
    expect(clean.locator(".hint-suggestion")).not_to_contain_text("rusfri")
    tablets = hints.locator(".hint-item", has=page.locator("mark.hint-term", has_text="tbl."))
    expect(tablets.get_by_role("button", name="tabletter")).to_be_visible()
    expect(hints.locator("mark.hint-term", has_text="de gamle")).to_have_count(0)

    what = page.locator("#measure-0-what")
    what.fill("")
    what.click()
    page.keyboard.type("Søknad om kommunal bolig bør bli sendt.")
    page.locator("#measure-0-due").fill("")
    crisis = page.get_by_label("Crisis plan")
    crisis.fill("")
    crisis.click()
    page.keyboard.type("Ved tidlige tegn skal søsteren kontaktes. Ring 113 ved akutt fare.")
    page.locator("#save-status.is-saved").wait_for()
    checks = page.locator("#plan-hints")
    expect(checks).to_contain_text("Tiltak 1: «bør bli sendt» sier ikke hvem som gjør det")
    expect(checks).to_contain_text("Kriseplan: «skal søsteren kontaktes» sier ikke hvem som gjør det")
    expect(checks.locator("li", has_text="Kriseplan:")).to_have_attribute("lang", "nb")
    page.screenshot(path=f"{SHOTS}/browser-test-editor.png", full_page=True)
    assert_no_serious_violations(page)
