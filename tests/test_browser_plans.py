"""In a real browser: write a plan with goals and measures, autosave, reload, submit; the editor passes axe."""
from __future__ import annotations

import re

import pytest

from tests.a11y import assert_no_serious_violations
from tests.browser import sign_in
from tests.plan_helpers import World

pytestmark = pytest.mark.browser


def wait_saved(page):
    page.locator("#save-status.is-saved").wait_for()


def test_write_autosave_reload_submit(page, app):
    world = World()
    sign_in(page, world.owner.email)
    page.goto(f"/plans/{world.plan.id}")
    page.get_by_label("What matters to me").fill("I want a safe place to live, with Luna.")
    page.locator("#goal-0-text").fill("I want my own flat")
    page.locator("#goal-0-timeframe").fill("by 1 October")
    page.get_by_role("button", name="Add a goal").click()
    focused = page.evaluate("document.activeElement.id")
    assert focused == "goal-1-text"  # the new row takes the focus
    page.keyboard.type("I want to cook again")
    page.locator("#goal-1-timeframe").fill("within six months")
    measures = [("Housing application", "Housing office", "Case worker", "15 June", "0"),
                ("Income papers", "NAV", "Adviser", "10 June", "0"),
                ("Kitchen mornings", "Peer support", "Peer worker", "1 July", "1")]
    for index, (what, service, role, due, goal) in enumerate(measures):
        if index > 0:
            page.get_by_role("button", name="Add a measure").click()
        page.locator(f"#measure-{index}-what").fill(what)
        page.locator(f"#measure-{index}-service").fill(service)
        page.locator(f"#measure-{index}-role").fill(role)
        page.locator(f"#measure-{index}-due").fill(due)
        page.locator(f"#measure-{index}-goal_id").select_option(index=int(goal) + 1)
    wait_saved(page)
    assert re.match(r"Saved \d\d:\d\d", page.locator("#save-status").inner_text())

    # reorder with the keyboard: move the second goal up
    page.locator("[data-rows=goal] [data-row]").nth(1).get_by_role("button", name=re.compile("Move up")).focus()
    page.keyboard.press("Enter")
    assert page.locator("#goal-0-text").input_value() == "I want to cook again"
    wait_saved(page)

    page.reload()
    assert page.get_by_label("What matters to me").input_value() == "I want a safe place to live, with Luna."
    assert page.locator("#goal-0-text").input_value() == "I want to cook again"
    assert page.locator("#goal-1-text").input_value() == "I want my own flat"
    assert page.locator("#measure-2-what").input_value() == "Kitchen mornings"
    selected = page.locator("#measure-2-goal_id option:checked").inner_text()
    assert "I want to cook again" in selected  # the measure still serves the same goal after reordering

    page.get_by_role("button", name="Save and submit…").click()
    page.get_by_role("button", name="Submit version 1").click()
    page.get_by_role("heading", name=re.compile("History")).wait_for()
    assert page.get_by_role("link", name="Version 1", exact=True).is_visible()
    assert page.get_by_text("Version 1 is submitted.").is_visible()


def test_conflict_between_two_tabs_keeps_both_texts(browser, live_server, app):
    world = World()
    context = browser.new_context(base_url=live_server)
    tab_a, tab_b = context.new_page(), context.new_page()
    sign_in(tab_a, world.owner.email)
    tab_a.goto(f"/plans/{world.plan.id}")
    tab_b.goto(f"/plans/{world.plan.id}")
    tab_a.get_by_label("What matters to me").fill("Text from the first tab")
    wait_saved(tab_a)
    tab_b.get_by_label("What matters to me").fill("Text from the second tab")
    panel = tab_b.locator("#conflict-panel")
    panel.wait_for(state="visible")
    assert "Text from the first tab" in panel.inner_text() and "Text from the second tab" in panel.inner_text()
    assert "changed elsewhere" in tab_b.locator("#save-status").inner_text()
    tab_b.get_by_role("button", name="Keep my text").click()
    wait_saved(tab_b)
    tab_a.reload()
    assert tab_a.get_by_label("What matters to me").input_value() == "Text from the second tab"
    context.close()


def test_editor_passes_axe(page, app):
    world = World()
    world.write()
    sign_in(page, world.owner.email)
    page.goto(f"/plans/{world.plan.id}")
    assert_no_serious_violations(page)
    world_submitted = world.to_state(__import__("app.plans.workflow", fromlist=["PlanState"]).PlanState.submitted)
    page.goto(f"/plans/{world_submitted.id}/history")
    assert_no_serious_violations(page)


@pytest.mark.parametrize("who, state", [("owner", "draft"), ("reviewer", "in_review"), ("leader", "submitted")])
def test_the_home_page_leads_each_role_to_their_next_step(page, app, who, state):
    from app.plans.states import PlanState

    world = World(title="Plan for Anna")
    world.to_state(PlanState(state))
    sign_in(page, getattr(world, who).email)
    page.goto("/")
    assert_no_serious_violations(page)
    if who == "owner":
        page.get_by_role("link", name="Open plan").click()
        page.wait_for_url(f"**/plans/{world.plan.id}")
    elif who == "reviewer":
        assert "You have 1 plan to review." in page.inner_text("main")
        page.get_by_role("link", name="Open the review queue").click()
        page.wait_for_url("**/reviews")
    else:
        page.get_by_role("link", name="Allocate reviewers — Plan for Anna").click()
        page.wait_for_url(f"**/assignments/{world.assignment.id}/allocation")


def test_submitting_an_empty_plan_is_stopped_on_the_confirmation_page(page, app):
    world = World()
    sign_in(page, world.owner.email)
    page.goto(f"/plans/{world.plan.id}/submit")
    assert "The plan is empty" in page.locator("#submit-problems").inner_text()
    assert page.locator("input[name=confirmed]").count() == 0
    page.screenshot(path="/tmp/shots-confirm/submit-empty.png", full_page=True)
    assert_no_serious_violations(page)
    page.get_by_role("link", name="Back to the editor").click()
    page.wait_for_url(re.compile(rf"/plans/{world.plan.id}$"))


def test_the_instructions_are_shown_on_the_home_card_the_plan_and_the_case(page, app):
    from app.db import db

    world = World(instructions="Write **with Anna**, not about her.\n\n- Use her words\n- Name who does what")
    db.session.commit()
    sign_in(page, world.owner.email)
    for url, name in (("/", "home"), (f"/plans/{world.plan.id}", "editor"),
                      (f"/assignments/{world.assignment.id}/case", "case")):
        page.goto(url)
        section = page.locator("details.instructions")
        if name != "case":
            assert not section.evaluate("d => d.open")  # closed where space is tight
            section.locator("summary").click()
        assert section.locator("strong").inner_text() == "with Anna"
        page.screenshot(path=f"/tmp/shots-confirm/instructions-{name}.png", full_page=name == "home")
        assert_no_serious_violations(page)
