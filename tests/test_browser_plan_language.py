"""In a real browser: a plan is written in its own language, chosen when it starts and changed while writing; the
hints follow the plan's language, the pages keep the interface language, and nothing typed is lost on the way."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from app.cohorts.models import Role
from app.db import db
from app.plans.models import Plan
from app.plans.states import PlanState
from app.reviews import services as review_services
from tests.a11y import assert_no_serious_violations
from tests.browser import sign_in
from tests.factories import AssignmentFactory, member
from tests.plan_helpers import GOOD_CONTENT, World

pytestmark = pytest.mark.browser

SHOTS = "/tmp/plang-shots"


def plan_of(student) -> Plan:
    db.session.expire_all()
    return db.session.scalar(db.select(Plan).where(Plan.student_id == student.id))


def hint_terms(page, section: str) -> list[str]:
    return [term.lower() for term in page.locator(f"#hints-{section} mark.hint-term").all_inner_texts()]


def test_an_english_interface_over_a_norwegian_plan_gets_norwegian_hints(page, app):
    assignment = AssignmentFactory()
    student = member(assignment.cohort, Role.student)
    sign_in(page, student.email)
    page.goto("/")
    choice = page.get_by_label("I write the plan in")
    expect(choice).to_have_value("en")  # the interface language, until the student chooses another
    choice.select_option("nb")
    assert_no_serious_violations(page)
    page.screenshot(path=f"{SHOTS}/start-choice-en-interface.png", full_page=True)
    page.get_by_role("button", name="Start my plan").click()
    page.wait_for_url(re.compile(r"/plans/\d+$"))
    assert plan_of(student).language == "nb"

    assert page.locator("html").get_attribute("lang") == "en"
    field = page.get_by_label("What matters to me")  # the page speaks English…
    assert field.get_attribute("lang") == "nb"      # …the plan Norwegian
    expect(page.get_by_label("Language of the plan")).to_have_value("nb")
    field.click()
    page.keyboard.type("Pas. benekter rusbruk og er en kjent rusmisbruker. Pt denies drinking.")
    hints = page.locator("#hints-what_matters")
    hints.locator(".hint-item").first.wait_for()
    expect(hints.locator("mark.hint-term", has_text="benekter")).to_have_count(1)
    terms = hint_terms(page, "what_matters")
    assert any("rusmisbruker" in term for term in terms)
    assert "denies" not in terms  # an English word is no hint in a Norwegian plan
    assert hints.locator(".hint-message").first.get_attribute("lang") == "nb"
    assert "Doubting verb" in hints.inner_text()  # the hint's kind is named in the interface language
    page.locator("#save-status.is-saved").wait_for()
    page.screenshot(path=f"{SHOTS}/editor-en-interface-nb-plan.png", full_page=True)
    assert_no_serious_violations(page)


def test_a_norwegian_interface_over_an_english_plan_gets_english_hints(page, app):
    assignment = AssignmentFactory()
    student = member(assignment.cohort, Role.student, locale="nb")
    sign_in(page, student.email)
    page.goto("/")
    assert page.locator("html").get_attribute("lang") == "nb"
    choice = page.get_by_label("Jeg skriver planen på")
    expect(choice).to_have_value("nb")
    choice.select_option("en")
    page.screenshot(path=f"{SHOTS}/start-choice-nb-interface.png", full_page=True)
    page.get_by_role("button", name="Begynn på planen").click()
    page.wait_for_url(re.compile(r"/plans/\d+$"))
    assert plan_of(student).language == "en"

    field = page.locator("#section-what_matters")
    assert field.get_attribute("lang") == "en"
    field.click()
    page.keyboard.type("Pt denies drinking. She is an addict. Hun benekter rusbruk.")
    hints = page.locator("#hints-what_matters")
    expect(hints.locator("mark.hint-term", has_text="denies")).to_have_count(1)
    terms = hint_terms(page, "what_matters")
    assert "addict" in terms and "benekter" not in terms
    assert hints.locator(".hint-message").first.get_attribute("lang") == "en"
    assert "Tvilende verb" in hints.inner_text()  # the kind of hint in the interface language
    page.locator("#save-status.is-saved").wait_for()
    page.screenshot(path=f"{SHOTS}/editor-nb-interface-en-plan.png", full_page=True)
    assert_no_serious_violations(page)


def test_changing_the_plans_language_mid_draft_keeps_the_text_typed(page, app):
    world = World()
    sign_in(page, world.owner.email)
    page.goto(f"/plans/{world.plan.id}")
    field = page.get_by_label("What matters to me")
    assert field.get_attribute("lang") == "en"
    field.click()
    page.keyboard.type("Jeg vil ha min egen leilighet. Hun benekter rusbruk.")
    goal = page.locator("#goal-0-text")
    goal.click()
    page.keyboard.type("Egen leilighet med Luna")
    # no hint for a Norwegian word while the plan is in English
    page.wait_for_timeout(900)
    assert "benekter" not in hint_terms(page, "what_matters")

    # straight away, before the autosave: the language changes and every word typed stays
    page.get_by_label("Language of the plan").select_option("nb")
    page.get_by_role("button", name="Change the plan's language").click()
    page.wait_for_url(re.compile(rf"/plans/{world.plan.id}$"))
    expect(page.locator(".flash-success", has_text="Language hints and plan checks are now in Norwegian Bokmål.")) \
        .to_be_visible()
    field = page.get_by_label("What matters to me")
    expect(field).to_have_value("Jeg vil ha min egen leilighet. Hun benekter rusbruk.")
    expect(page.locator("#goal-0-text")).to_have_value("Egen leilighet med Luna")
    assert field.get_attribute("lang") == "nb" and page.locator("#goal-0-text").get_attribute("lang") == "nb"
    assert page.locator("html").get_attribute("lang") == "en"  # the interface stays English
    expect(page.locator("#hints-what_matters mark.hint-term", has_text="benekter")).to_have_count(1)
    page.screenshot(path=f"{SHOTS}/editor-after-change.png", full_page=True)
    assert_no_serious_violations(page)

    # the same again while an autosave is on its way (it reached the server, its answer is held back): the change
    # waits for that answer and its save token, and nothing is refused as a conflict or lost
    held = []

    def hold(route):
        held.append((route, route.fetch()))

    page.route(f"**/plans/{world.plan.id}/draft", hold)
    field.click()
    page.keyboard.press("End")
    page.keyboard.type(" Pt denies drinking.")
    page.keyboard.press("Control+s")
    while not held:
        page.wait_for_timeout(50)
    page.get_by_label("Language of the plan").select_option("en")
    page.get_by_role("button", name="Change the plan's language").click()
    page.wait_for_timeout(300)
    route, response = held.pop()
    route.fulfill(response=response)
    expect(page.locator(".flash-success", has_text="now in English")).to_be_visible()
    expect(page.get_by_label("What matters to me")).to_have_value(
        "Jeg vil ha min egen leilighet. Hun benekter rusbruk. Pt denies drinking.")
    expect(page.locator("#hints-what_matters mark.hint-term", has_text="denies")).to_have_count(1)
    assert "benekter" not in hint_terms(page, "what_matters")
    plan = plan_of(world.owner)
    assert plan.language == "en" and plan.draft["goals"][0]["text"] == "Egen leilighet med Luna"


def test_the_reviewer_reads_a_norwegian_plan_and_its_hints_marked_as_norwegian_on_an_english_page(page, app):
    world = World()
    world.plan.language = "nb"
    db.session.commit()
    content = {**GOOD_CONTENT, "sections": {**GOOD_CONTENT["sections"],
                                            "what_matters": "Pas. benekter rusbruk. Jeg vil ha et hjem med Luna."}}
    world.write(content)
    world.to_state(PlanState.in_review)
    sign_in(page, world.reviewer.email)
    page.goto(f"/plans/{world.plan.id}/review")
    assert page.locator("html").get_attribute("lang") == "en"
    passage = page.locator('[data-anchor-key="what_matters"]')
    assert passage.get_attribute("lang") == "nb"
    hints = page.locator("#hints-title").locator("xpath=..")
    expect(hints.locator("mark.hint-term", has_text="benekter")).to_have_count(1)
    assert hints.locator(".hint-message").first.get_attribute("lang") == "nb"
    page.screenshot(path=f"{SHOTS}/review-nb-plan.png", full_page=True)
    assert_no_serious_violations(page)
    page.goto(f"/plans/{world.plan.id}/print")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator(".prose").first.get_attribute("lang") == "nb"
    page.screenshot(path=f"{SHOTS}/print-nb-plan.png", full_page=True)
    assert_no_serious_violations(page)

    # the student reads the feedback under a Norwegian interface: the plan and the quoted words stay Norwegian
    review_services.add_comment(world.plan, world.reviewer, key="what_matters", quote="benekter", start=None,
                                body="Who says so?")
    review_services.save_review(world.plan, world.reviewer, scores={}, overall="Thank you.")
    review_services.release(world.plan, world.reviewer)
    world.owner.locale = "nb"
    db.session.commit()
    page.context.clear_cookies()
    sign_in(page, world.owner.email)
    page.goto(f"/plans/{world.plan.id}/feedback")
    assert page.locator("html").get_attribute("lang") == "nb"
    assert page.locator('[data-anchor-key="what_matters"]').get_attribute("lang") == "nb"
    expect(page.locator('q[lang="nb"]', has_text="benekter")).to_have_count(1)
    page.screenshot(path=f"{SHOTS}/feedback-nb-plan.png", full_page=True)
    assert_no_serious_violations(page)
