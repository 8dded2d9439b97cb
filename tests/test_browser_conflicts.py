"""Two tabs of one student change different parts of the plan: the conflict view pairs each part with the same part
(a section by its key, a goal or a measure by its id, never by position), and nothing either tab typed is lost.
Both ways there: the editor's script (an autosave meets the newer save) and the plain form (conflict.html)."""
from __future__ import annotations

import copy
import os
import re

import pytest

from app.db import db
from app.plans.models import Plan
from tests.a11y import assert_no_serious_violations
from tests.browser import sign_in
from tests.plan_helpers import GOOD_CONTENT, World

pytestmark = pytest.mark.browser

SHOTS = os.environ.get("SHOTS_DIR", "/tmp/shots-student")

TWO_GOALS = copy.deepcopy(GOOD_CONTENT)
TWO_GOALS["goals"].append({"id": "g2", "text": "I want to cook again", "timeframe": "within six months"})
TWO_GOALS["measures"].append({"id": "m2", "what": "Kitchen mornings", "service": "Peer support",
                              "role": "Peer worker", "due": "1 July", "goal_id": "g2"})


def shot(page, name):
    os.makedirs(SHOTS, exist_ok=True)
    page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


def assert_passes_axe(browser, live_server, html):
    """axe needs script in the page: the page as a browser without script got it, in one with script."""
    context = browser.new_context(base_url=live_server, locale="en-GB")
    checker = context.new_page()
    checker.route("**/as-shown", lambda route: route.fulfill(body=html, content_type="text/html"))
    checker.goto("/as-shown")
    assert_no_serious_violations(checker)
    context.close()


def pair(where, part):
    """The two texts shown for one part of the plan: (your text, the newer text)."""
    group = where.get_by_role("group", name=part, exact=True)
    return (group.locator("[data-side=mine] .conflict-text").inner_text().strip(),
            group.locator("[data-side=theirs] .conflict-text").inner_text().strip())


def kept(where, part):
    """Which side is chosen for a part: "mine" or "theirs"."""
    group = where.get_by_role("group", name=part, exact=True)
    return "mine" if group.locator("[data-side=mine] input[type=radio]").is_checked() else "theirs"


def draft(plan_id):
    db.session.expire_all()
    return db.session.get(Plan, plan_id).draft


def assert_nothing_lost(content, *, goal_order):
    """Tab A's strengths, goal text and measure date, and tab B's evaluation, goal order and new row, together."""
    assert content["sections"]["strengths"] == "I cook well and I mend bikes."
    assert content["sections"]["evaluation"] == "Every month, with Anna and Hilde."
    assert content["sections"]["what_matters"] == GOOD_CONTENT["sections"]["what_matters"]
    goals = {goal["id"]: goal["text"] for goal in content["goals"]}
    assert goals["g1"] == "I want a flat of my own near Hilde" and goals["g2"] == "I want to cook again"
    assert [goal["id"] for goal in content["goals"] if goal["id"] in ("g1", "g2")] == goal_order
    measures = {measure["id"]: measure for measure in content["measures"]}
    assert measures["m1"]["due"] == "by 15 June" and measures["m1"]["goal_id"] == "g1"
    assert measures["m2"]["what"] == "Kitchen mornings"
    assert any(m["what"] == "Meeting at the bank" for m in content["measures"])


def test_the_editor_pairs_each_part_of_a_conflict_with_the_same_part(browser, live_server, app):
    world = World()
    world.write(TWO_GOALS)
    plan_id = world.plan.id
    context = browser.new_context(base_url=live_server, locale="en-GB")
    tab_a, tab_b = context.new_page(), context.new_page()
    for tab in (tab_a, tab_b):
        tab.set_default_timeout(10_000)
    sign_in(tab_a, world.owner.email)
    tab_a.goto(f"/plans/{plan_id}")
    tab_b.goto(f"/plans/{plan_id}")

    # tab B: the evaluation, the second goal moved up, a measure added
    tab_b.get_by_label("Evaluation").fill("Every month, with Anna and Hilde.")
    tab_b.locator("[data-rows=goal] [data-row]").nth(1).get_by_role("button", name=re.compile("Move up")).click()
    tab_b.locator("#measure-2-what").fill("Meeting at the bank")
    tab_b.locator("#measure-2-service").fill("NAV")
    tab_b.locator("#save-status.is-saved").wait_for()

    # tab A, loaded before: the strengths, the first goal's words, the first measure's date
    tab_a.get_by_label("My strengths and resources").fill("I cook well and I mend bikes.")
    tab_a.locator("#goal-0-text").fill("I want a flat of my own near Hilde")
    tab_a.locator("#measure-0-due").fill("by 15 June")
    panel = tab_a.locator("#conflict-panel")
    panel.wait_for(state="visible")
    panel.get_by_role("group").first.wait_for()
    panel.screenshot(path=f"{SHOTS}/conflict-editor-panel.png")

    assert pair(panel, "My strengths and resources") == ("I cook well and I mend bikes.", "I cook well.")
    assert pair(panel, "Evaluation") == ("Every three months.", "Every month, with Anna and Hilde.")
    mine, theirs = pair(panel, "Goal 1")
    assert "I want a flat of my own near Hilde" in mine and "I want my own flat" in theirs
    mine, theirs = pair(panel, "Order of the goals")
    assert mine.index("near Hilde") < mine.index("cook again") and theirs.index("cook again") < theirs.index("my own flat")
    mine, theirs = pair(panel, "Measure 1")
    assert "by 15 June" in mine and "15 June" in theirs and "by 15 June" not in theirs
    mine, theirs = pair(panel, "Measure 3 in the newer text")
    assert mine == "Not in this text" and "Meeting at the bank" in theirs
    # parts the same in both texts are not shown
    assert panel.get_by_role("group", name="What matters to me").count() == 0
    assert panel.get_by_role("group", name="Goal 2").count() == 0
    # what each tab changed is chosen already: this tab's parts, and the other tab's
    assert [kept(panel, part) for part in ("My strengths and resources", "Goal 1", "Measure 1")] == ["mine"] * 3
    assert [kept(panel, part) for part in ("Evaluation", "Order of the goals", "Measure 3 in the newer text")] == ["theirs"] * 3
    assert_no_serious_violations(tab_a)

    panel.get_by_role("button", name="Save the chosen text").click()
    tab_a.locator("#save-status.is-saved").wait_for()
    assert panel.is_hidden()
    assert tab_a.get_by_label("Evaluation").input_value() == "Every month, with Anna and Hilde."
    assert tab_a.get_by_label("My strengths and resources").input_value() == "I cook well and I mend bikes."
    assert tab_a.locator("#goal-0-text").input_value() == "I want to cook again"
    assert tab_a.locator("#goal-1-text").input_value() == "I want a flat of my own near Hilde"
    assert_nothing_lost(draft(plan_id), goal_order=["g2", "g1"])

    # the tab goes on saving over what it just saved
    tab_a.get_by_label("Consent and sharing").fill("GP, NAV and Hilde may share.")
    tab_a.locator("#save-status.is-saved").wait_for()
    assert draft(plan_id)["sections"]["consent"] == "GP, NAV and Hilde may share."
    tab_b.reload()
    assert tab_b.get_by_label("My strengths and resources").input_value() == "I cook well and I mend bikes."
    context.close()


def test_the_form_without_javascript_pairs_each_part_of_a_conflict_with_the_same_part(browser, live_server, app):
    world = World()
    world.write(TWO_GOALS)
    plan_id = world.plan.id
    context = browser.new_context(base_url=live_server, locale="en-GB", java_script_enabled=False)
    tab_a, tab_b = context.new_page(), context.new_page()
    for tab in (tab_a, tab_b):
        tab.set_default_timeout(10_000)
    sign_in(tab_a, world.owner.email)
    tab_a.goto(f"/plans/{plan_id}")
    tab_b.goto(f"/plans/{plan_id}")

    tab_b.get_by_label("Evaluation").fill("Every month, with Anna and Hilde.")
    tab_b.locator("#measure-2-what").fill("Meeting at the bank")
    tab_b.get_by_role("button", name="Save", exact=True).first.click()
    tab_b.get_by_text("Saved at").wait_for()

    tab_a.get_by_label("My strengths and resources").fill("I cook well and I mend bikes.")
    tab_a.locator("#goal-0-text").fill("I want a flat of my own near Hilde")
    tab_a.locator("#measure-0-due").fill("by 15 June")
    tab_a.get_by_role("button", name="Save", exact=True).first.click()
    tab_a.get_by_role("heading", name="This plan was changed somewhere else").wait_for()
    shot(tab_a, "conflict-form")

    main = tab_a.locator("main")
    assert pair(main, "My strengths and resources") == ("I cook well and I mend bikes.", "I cook well.")
    assert pair(main, "Evaluation") == ("Every three months.", "Every month, with Anna and Hilde.")
    mine, theirs = pair(main, "Goal 1")
    assert "I want a flat of my own near Hilde" in mine and "I want my own flat" in theirs
    mine, theirs = pair(main, "Measure 1")
    assert "by 15 June" in mine and "by 15 June" not in theirs
    mine, theirs = pair(main, "Measure 3 in the newer text")
    assert mine == "Not in this text" and "Meeting at the bank" in theirs
    assert main.get_by_role("group", name="What matters to me").count() == 0
    assert [kept(main, part) for part in ("My strengths and resources", "Goal 1", "Measure 1")] == ["mine"] * 3
    assert [kept(main, part) for part in ("Evaluation", "Measure 3 in the newer text")] == ["theirs"] * 2
    assert_passes_axe(browser, live_server, tab_a.content())

    tab_a.get_by_role("button", name="Save the chosen text").click()
    tab_a.get_by_text("Saved at").wait_for()
    assert tab_a.get_by_label("Evaluation").input_value() == "Every month, with Anna and Hilde."
    assert tab_a.get_by_label("My strengths and resources").input_value() == "I cook well and I mend bikes."
    assert_nothing_lost(draft(plan_id), goal_order=["g1", "g2"])
    context.close()
