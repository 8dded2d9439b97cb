"""The reviewer's page in a real browser: the plan beside the rubric on a laptop's screen, each scrolling on its
own, the case one tab away, a jump bar to the criteria; one column on a narrow screen; last version's levels and
comments beside each criterion; and two tabs writing the same review, with scripts and without."""
from __future__ import annotations

import re

import pytest

from app.db import db
from app.plans import services as plan_services
from app.reviews import services as review_services
from tests.a11y import assert_no_serious_violations
from tests.browser import sign_in
from tests.plan_helpers import GOOD_CONTENT
from tests.test_browser_review_work import review_of, reviewed_plan

pytestmark = pytest.mark.browser

SAVED = re.compile(r"Saved \d\d:\d\d")


def reviewer_page(browser, live_server, world, width=1280, height=800, javascript=True, context=None):
    """The reviewer signed in, in a browser window of the given size (a new tab of `context` if given)."""
    if context is None:
        context = browser.new_context(base_url=live_server, locale="en-GB", viewport={"width": width, "height": height},
                                      java_script_enabled=javascript)
        page = signed_in(context, world)
    else:
        page = context.new_page()
        page.set_default_timeout(10_000)
    page.goto(f"/plans/{world.plan.id}/review")
    return page


def signed_in(context, world):
    """A new tab of `context` with the reviewer signed in."""
    page = context.new_page()
    page.set_default_timeout(10_000)
    sign_in(page, world.reviewer.email)
    return page


def box(page, selector):
    return page.locator(selector).bounding_box()


def test_on_a_laptop_the_plan_and_the_feedback_stand_side_by_side_each_scrolling_on_its_own(browser, live_server,
                                                                                             app):
    from playwright.sync_api import expect

    world = reviewed_plan()
    page = reviewer_page(browser, live_server, world)
    plan_column = page.get_by_role("region", name="The plan and the case")
    feedback_column = page.get_by_role("region", name="Your feedback")

    # side by side, both whole in the window, and the page itself hardly scrolls (it used to be ~7,000 px)
    plan_box, feedback_box = plan_column.bounding_box(), feedback_column.bounding_box()
    assert plan_box["x"] + plan_box["width"] <= feedback_box["x"]
    assert abs(plan_box["y"] - feedback_box["y"]) < 2
    for column in (plan_box, feedback_box):
        assert column["y"] + column["height"] <= 800 and column["height"] > 400
    assert page.evaluate("document.documentElement.scrollHeight") < 1100
    assert plan_column.get_attribute("tabindex") == "0" and feedback_column.get_attribute("tabindex") == "0"

    # the feedback column scrolls by keyboard while the plan stays where it was, and the page does not move
    feedback_column.focus()
    for _ in range(4):
        page.keyboard.press("PageDown")
    expect(feedback_column).not_to_have_js_property("scrollTop", 0)
    page.wait_for_function("""() => new Promise(done => {  // Page Down scrolls smoothly: let it come to rest
      const column = document.getElementById("feedback-column"), at = column.scrollTop;
      setTimeout(() => done(column.scrollTop === at), 300);
    })""")
    assert plan_column.evaluate("el => el.scrollTop") == 0 and page.evaluate("window.scrollY") == 0
    assert page.get_by_role("heading", name="What matters to me").is_visible()

    # the jump bar brings a criterion into view beside the plan, under the save status
    page.get_by_role("navigation", name="Jump to a criterion").get_by_role("link", name="Life beyond health").click()
    criterion = page.locator("#criterion-determinants")
    expect(criterion).to_be_focused()
    legend = criterion.locator("legend").bounding_box()
    status = box(page, "#review-save-status")
    assert status["y"] + status["height"] <= legend["y"] <= 800 - legend["height"]
    assert page.get_by_role("heading", name="What matters to me").is_visible()
    assert page.evaluate("window.scrollY") == 0

    # the case is one tab away, by keyboard too (arrow keys move between the tabs)
    tab_plan, tab_case = page.get_by_role("tab", name="The plan"), page.get_by_role("tab", name="The case")
    expect(tab_plan).to_have_attribute("aria-selected", "true")
    assert tab_case.get_attribute("tabindex") == "-1"
    tab_plan.focus()
    page.keyboard.press("ArrowRight")
    expect(tab_case).to_be_focused()
    expect(tab_case).to_have_attribute("aria-selected", "true")
    expect(page.get_by_role("tabpanel", name="The case")).to_be_visible()
    expect(page.locator("#panel-plan")).to_be_hidden()
    expect(page.locator("#panel-case details.doc").first).to_have_attribute("open", "")
    assert_no_serious_violations(page)
    page.keyboard.press("ArrowLeft")
    expect(tab_plan).to_be_focused()
    expect(page.get_by_role("tabpanel", name="The plan")).to_be_visible()
    expect(page.locator("#panel-case")).to_be_hidden()
    assert_no_serious_violations(page)
    page.context.close()


def test_the_case_tab_says_when_its_text_could_not_be_loaded_and_tries_again_when_opened_again(browser, live_server,
                                                                                                 app):
    """The case comes from its own address. While it cannot be had, the tab says so and keeps the link to the
    case's own page; opening the tab again tries again. Without scripts, the tab is a link to that page."""
    from playwright.sync_api import expect

    world = reviewed_plan()
    context = browser.new_context(base_url=live_server, locale="en-GB", viewport={"width": 1280, "height": 800})
    refused = {"on": True}
    context.route(re.compile(r".*/review/case\?.*"),
                  lambda route: route.abort() if refused["on"] else route.continue_())
    page = signed_in(context, world)
    page.goto(f"/plans/{world.plan.id}/review")
    page.get_by_role("tab", name="The case").click()
    panel = page.get_by_role("tabpanel", name="The case")
    expect(panel).to_contain_text("The case could not be loaded here.")
    expect(panel.get_by_role("link", name="Read the case and its teaching notes")).to_be_visible()
    expect(panel).to_have_attribute("aria-busy", "false")
    page.screenshot(path="/tmp/review-case-failed.png")
    refused["on"] = False
    page.get_by_role("tab", name="The plan").click()
    page.get_by_role("tab", name="The case").click()
    expect(page.locator("#panel-case details.doc").first).to_have_attribute("open", "")
    expect(panel).not_to_contain_text("could not be loaded")
    assert_no_serious_violations(page)
    context.close()

    plain = reviewer_page(browser, live_server, world, javascript=False)
    link = plain.get_by_role("link", name="Read the case and its teaching notes")
    link.click()
    expect(plain.get_by_role("heading", level=1)).to_be_visible()
    assert f"/assignments/{world.plan.assignment_id}/case" in plain.url
    plain.context.close()


def test_on_a_narrow_screen_the_page_is_one_column(browser, live_server, app):
    world = reviewed_plan()
    page = reviewer_page(browser, live_server, world, width=800, height=900)
    plan_box = page.get_by_role("region", name="The plan and the case").bounding_box()
    feedback_box = page.get_by_role("region", name="Your feedback").bounding_box()
    assert feedback_box["y"] >= plan_box["y"] + plan_box["height"]  # the feedback under the plan
    assert plan_box["width"] > 700 and feedback_box["width"] > 700
    # the page scrolls, not the columns
    for column in ("#plan-column", "#feedback-column"):
        assert page.evaluate(f"(el => el.scrollHeight - el.clientHeight)(document.querySelector('{column}'))") <= 1
    page.get_by_role("tab", name="The case").click()
    assert page.locator("#panel-case").is_visible() and not page.locator("#panel-plan").is_visible()
    assert_no_serious_violations(page)
    page.context.close()


def test_on_a_second_version_last_versions_levels_and_comments_stand_beside_each_criterion(browser, live_server,
                                                                                             app):
    world = reviewed_plan()
    review_services.save_review(world.plan, world.reviewer, overall="Good start.", scores={
        "language": {"level": "solid", "comment": "Warm and plain."}, "voice": {"level": "emerging", "comment": ""}})
    review_services.release(world.plan, world.reviewer)
    db.session.commit()
    changed = {**GOOD_CONTENT, "sections": {**GOOD_CONTENT["sections"], "strengths": "I cook well. Hilde helps."}}
    plan_services.save_draft(world.plan, world.owner, world.plan.save_token, changed)
    plan_services.submit(world.plan, world.owner, world.plan.save_token)
    db.session.commit()

    page = reviewer_page(browser, live_server, world)
    language = page.locator("#criterion-language")
    assert language.locator(".last-time").inner_text() == "Last time (version 1): Solid — Warm and plain."
    assert page.locator("#criterion-voice .last-time").inner_text() == "Last time (version 1): On the way"
    assert page.locator("#criterion-resources .last-time").count() == 0  # not scored last time
    assert language.get_by_role("radio", checked=True).count() == 0  # this version's review starts empty
    assert_no_serious_violations(page, context="#criterion-language")
    page.context.close()

    # in Norwegian too
    context = browser.new_context(base_url=live_server, locale="nb-NO", viewport={"width": 1280, "height": 800})
    page = signed_in(context, world)
    page.goto(f"/plans/{world.plan.id}/review")
    text = page.locator("#criterion-language .last-time").inner_text()
    assert text.startswith("Forrige gang (versjon 1):"), text
    context.close()


def test_the_save_status_says_saved_after_the_first_autosave_and_after_a_first_comment(browser, live_server, app):
    from playwright.sync_api import expect

    world = reviewed_plan()
    page = reviewer_page(browser, live_server, world)
    status = page.locator("#review-save-status")
    expect(status).to_have_text("Not saved yet")
    # a comment on a passage starts the review: the status says it is saved
    page.get_by_label("Part of the plan").select_option(label="What matters to me")
    page.get_by_label("The exact words").fill("home of my own")
    page.locator("#anchor-body").fill("Her own words.")
    page.get_by_role("button", name="Add comment").click()
    page.get_by_text("Comment added to the passage.").wait_for()
    expect(status).to_have_text(SAVED)
    expect(status).to_have_class(re.compile("is-saved"))
    page.context.close()

    other = reviewed_plan()
    page = reviewer_page(browser, live_server, other)
    status = page.locator("#review-save-status")
    page.get_by_label("Overall message to the student").fill("First words.")
    expect(status).to_have_text(SAVED)
    expect(status).to_have_class(re.compile("is-saved"))
    assert review_of(other).overall == "First words."
    page.context.close()


def test_two_tabs_writing_the_same_review_are_told_and_choose_which_text_to_keep(browser, live_server, app):
    from playwright.sync_api import expect

    world = reviewed_plan()
    tab_a = reviewer_page(browser, live_server, world)
    tab_b = reviewer_page(browser, live_server, world, context=tab_a.context)
    overall_a = tab_a.locator("#overall")
    overall_b = tab_b.locator("#overall")

    overall_a.fill("Written in tab A.")
    expect(tab_a.locator("#review-save-status")).to_have_text(SAVED)
    tab_b.locator("#comment-language").fill("Tab B's comment on language.")
    overall_b.fill("Written in tab B.")
    alert = tab_b.get_by_role("alert").filter(has_text="This review was saved in another tab or window")
    expect(alert).to_be_visible()
    expect(tab_b.locator("#review-save-status")).to_have_class(re.compile("is-error"))
    assert review_of(world).overall == "Written in tab A."  # nothing overwritten unseen
    assert overall_b.input_value() == "Written in tab B."  # and nothing typed thrown away
    assert_no_serious_violations(tab_b)

    # "Load the newer version": A's text in the form, B's text kept beside it to copy from
    alert.get_by_role("button", name="Load the newer version").click()
    expect(overall_b).to_have_value("Written in tab A.")
    assert tab_b.locator("#comment-language").input_value() == ""
    kept = tab_b.get_by_role("region", name="What you had typed")
    expect(kept).to_be_visible()
    assert kept.get_by_label("Overall message to the student").input_value() == "Written in tab B."
    assert kept.get_by_label("Respectful, plain language: your comment").input_value() == "Tab B's comment on language."
    expect(alert).to_be_hidden()
    expect(tab_b.locator("#review-save-status")).to_have_text(SAVED)
    assert_no_serious_violations(tab_b)

    # B writes on from the newer version: it saves, as A's own later changes then conflict in A
    overall_b.fill("Written in tab A. And in B.")
    expect(tab_b.locator("#review-save-status")).to_have_text(SAVED)
    assert review_of(world).overall == "Written in tab A. And in B."
    overall_a.fill("Tab A goes on.")
    alert_a = tab_a.get_by_role("alert").filter(has_text="This review was saved in another tab or window")
    expect(alert_a).to_be_visible()

    # "Keep mine and save it over": A's text stays and is saved over B's
    alert_a.get_by_role("button", name="Keep mine and save it over").click()
    expect(tab_a.locator("#review-save-status")).to_have_text(SAVED)
    expect(alert_a).to_be_hidden()
    assert overall_a.input_value() == "Tab A goes on."
    assert review_of(world).overall == "Tab A goes on."
    tab_a.context.close()


def test_without_javascript_a_stale_save_answers_with_a_page_that_keeps_what_was_typed(browser, live_server, app):
    world = reviewed_plan()
    tab_a = reviewer_page(browser, live_server, world, javascript=False)
    tab_b = reviewer_page(browser, live_server, world, context=tab_a.context)
    tab_a.get_by_label("Overall message to the student").fill("Saved from tab A.")
    tab_a.get_by_role("button", name="Save draft review").click()
    tab_a.get_by_text("Review saved as a draft").wait_for()

    overall_b = tab_b.locator("#overall")
    tab_b.locator("#criterion-language").get_by_role("radio").nth(2).check()
    overall_b.fill("Typed in tab B.")
    with tab_b.expect_response(lambda r: r.request.method == "POST") as answer:
        tab_b.get_by_role("button", name="Save draft review").click()
    assert answer.value.status == 409
    alert = tab_b.get_by_role("alert").filter(has_text="This review was saved in another tab or window")
    assert alert.is_visible() and "Saved from tab A." in alert.inner_text()
    assert overall_b.input_value() == "Typed in tab B."
    assert tab_b.locator("#criterion-language").get_by_role("radio").nth(2).is_checked()
    assert review_of(world).overall == "Saved from tab A."
    checker = browser.new_context(base_url=live_server, locale="en-GB").new_page()  # axe needs JavaScript
    checker.goto("/login")
    checker.set_content(tab_b.content())
    assert_no_serious_violations(checker)
    checker.context.close()

    # "Load the newer version": A's text in the form, B's beside it
    alert.get_by_role("button", name="Load the newer version").click()
    assert overall_b.input_value() == "Saved from tab A."
    kept = tab_b.get_by_role("region", name="What you had typed")
    assert kept.get_by_label("Overall message to the student").input_value() == "Typed in tab B."
    assert review_of(world).overall == "Saved from tab A."

    # and from a stale page again, "Keep mine and save it over"
    tab_a.get_by_label("Overall message to the student").fill("Tab A once more.")
    tab_a.get_by_role("button", name="Save draft review").click()
    tab_a.get_by_text("Review saved as a draft").wait_for()
    overall_b.fill("Typed in tab B.")
    tab_b.get_by_role("button", name="Save draft review").click()
    alert.get_by_role("button", name="Keep mine and save it over").click()
    tab_b.get_by_text("Review saved as a draft").wait_for()
    assert overall_b.input_value() == "Typed in tab B."
    assert review_of(world).overall == "Typed in tab B."
    tab_a.context.close()


def test_a_button_pressed_while_the_review_saves_itself_is_no_conflict_with_itself(browser, live_server, app):
    world = reviewed_plan()
    page = reviewer_page(browser, live_server, world)
    held = []
    page.route("**/review/draft", lambda route: held.append(route))
    page.locator("#overall").fill("Saved as I press the button.")
    page.keyboard.press("Control+s")  # the autosave goes out now, and is held on its way
    for _ in range(50):
        if held:
            break
        page.wait_for_timeout(100)
    assert held
    page.get_by_role("button", name="Save draft review").click()
    page.wait_for_timeout(300)
    assert "Review saved as a draft" not in page.content()  # the form waits for the save's answer
    held[0].continue_()
    page.get_by_text("Review saved as a draft").wait_for()
    assert page.locator("#overall").input_value() == "Saved as I press the button."
    assert review_of(world).overall == "Saved as I press the button." and review_of(world).save_token == 2
    page.context.close()
