"""In a real browser: the header of every page — the language changes only when asked, the menu fits one line."""
from __future__ import annotations

import pytest

from tests.a11y import assert_no_serious_violations
from tests.browser import sign_in

pytestmark = pytest.mark.browser


def test_choosing_a_language_changes_nothing_until_the_button_is_pressed(page, app):
    page.goto("/login")
    assert page.get_attribute("html", "lang") == "en"
    page.locator("#locale-select").select_option("nb")
    page.wait_for_timeout(500)
    assert page.get_attribute("html", "lang") == "en" and "/login" in page.url
    button = page.get_by_role("button", name="Change language")
    assert button.is_visible()
    page.locator("#locale-select").focus()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Change language"
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.get_attribute("html", "lang") == "nb"
    assert page.locator("#locale-select").input_value() == "nb"
    assert_no_serious_violations(page)


def _middles(page, selector: str) -> list[float]:
    """The vertical middle of each element: on one line they are (about) the same."""
    return page.evaluate(f"[...document.querySelectorAll({selector!r})]"
                         ".map(e => {{ const r = e.getBoundingClientRect(); return r.top + r.height / 2; }})")


@pytest.mark.parametrize("who", ["owner", "reviewer", "leader", "admin"])
def test_the_menu_fits_one_line_at_1280_pixels_for_every_role(page, app, who):
    from app.plans.states import PlanState
    from tests.factories import UserFactory
    from tests.plan_helpers import World

    world = World(title="Plan for Anna")
    world.to_state(PlanState.in_review)
    if who == "admin":
        from app.db import db

        person = UserFactory(is_admin=True)
        db.session.commit()
    else:
        person = getattr(world, who)
    page.set_viewport_size({"width": 1280, "height": 800})
    sign_in(page, person.email)
    for path in ("/", "/cohorts/"):
        page.goto(path)
        items = _middles(page, ".main-nav li")
        assert len(items) >= 5 and max(items) - min(items) < 2, f"the menu wraps on {path}: {items}"
        tools = _middles(page, ".header-tools select, .header-tools button")
        assert max(tools) - min(tools) < 8, f"the language and sign-out controls wrap on {path}: {tools}"
    page.screenshot(path=f"/tmp/shots-pages/menu-{who}.png")
