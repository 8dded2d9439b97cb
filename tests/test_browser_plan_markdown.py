"""In a real browser: a reviewer reads the plan rendered from Markdown, selects words in bold text and in lists,
comments on them, and the highlight lands on exactly those words; the student reads the feedback rendered too."""
from __future__ import annotations

import copy

import pytest

from app.db import db
from app.plans.states import PlanState
from app.reviews import services
from tests.a11y import assert_no_serious_violations
from tests.plan_helpers import GOOD_CONTENT, World
from tests.test_browser_reviews import sign_in

pytestmark = pytest.mark.browser

CONTENT = copy.deepcopy(GOOD_CONTENT)
CONTENT["sections"]["what_matters"] = (
    "It is **very important to me** to have a home of my own.\n\n"
    "- a flat near *my sister*\n- a job in a [kitchen](https://example.org/kitchens) again")
CONTENT["sections"]["network"] = "My sister **Hilde** and my friend Kari <script>document.title='owned'</script>."

TEXT = {"en": {"added": "Comment added to the passage.", "feedback": "Comments on passages"},
        "nb": {"added": "Kommentaren er lagt til tekststykket.", "feedback": "Kommentarer til tekststykker"}}

# Selects `words` as they read in a passage, wherever elements begin and end inside them (the text of every text
# node, without the comment numbers, as a reader sees it).
SELECT_READ_WORDS = """([key, words]) => {
  const box = document.querySelector(`.anchor-text[data-anchor-key="${key}"]`);
  const walker = document.createTreeWalker(box, NodeFilter.SHOW_TEXT, { acceptNode: (n) =>
    n.parentElement.closest(".anchor-ref") ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT });
  const nodes = [];
  let node;
  while ((node = walker.nextNode())) { nodes.push(node); }
  const at = nodes.map((n) => n.textContent).join("").indexOf(words);
  if (at < 0) { return false; }
  const point = (offset, isEnd) => {
    let total = 0;
    for (const n of nodes) {
      const length = n.textContent.length;
      if (offset < total + length || (isEnd && offset === total + length)) { return [n, offset - total]; }
      total += length;
    }
  };
  const range = document.createRange();
  range.setStart(...point(at, false));
  range.setEnd(...point(at + words.length, true));
  const selection = window.getSelection();
  selection.removeAllRanges();
  selection.addRange(range);
  return true;
}"""

# The words inside the highlights of one comment, as they read (line breaks between list items as one space).
HIGHLIGHTED = """([key, number]) => {
  const box = document.querySelector(`.anchor-text[data-anchor-key="${key}"]`);
  const marks = [...box.querySelectorAll(`mark.anchor[data-comments~="${number}"]`)];
  return marks.map((m) => [...m.childNodes].filter((c) => !(c.classList && c.classList.contains("anchor-ref")))
    .map((c) => c.textContent).join("")).join("|");
}"""


def add_comment(page, body, added):
    page.locator("#anchor-body").fill(body)
    page.locator('button[name="then"][value="comment"]').click()
    page.locator("#comment-list li", has_text=body).wait_for()
    page.locator("#comment-status", has_text=added).wait_for()


@pytest.mark.parametrize("lang", ["en", "nb"])
def test_a_reviewer_comments_on_words_selected_in_rendered_text_and_the_student_reads_them(page, app, lang):
    world = World()
    world.write(CONTENT)
    world.to_state(PlanState.submitted)
    world.plan.reviewer_id = world.reviewer.id
    world.reviewer.locale = world.owner.locale = lang
    db.session.commit()
    plan_id = world.plan.id
    page.goto("/")
    reviewer = sign_in(page, world.reviewer.email)
    reviewer.goto(f"/plans/{plan_id}/review")
    passage = reviewer.locator('.anchor-text[data-anchor-key="what_matters"]')
    # rendered: bold, a list and a link, no Markdown signs; a script in the text is never run
    assert passage.locator("strong", has_text="very important to me").count() == 1
    assert passage.locator("li").count() == 2 and passage.locator("a", has_text="kitchen").count() == 1
    assert "**" not in passage.inner_text() and "- a flat" not in passage.inner_text()
    assert reviewer.title != "owned"

    # words selected from inside the bold part into plain text
    assert reviewer.evaluate(SELECT_READ_WORDS, ["what_matters", "important to me to have a home"])
    reviewer.locator("#selection-button").click()
    assert reviewer.locator("#anchor-quote").input_value() == "important to me to have a home"
    add_comment(reviewer, "Whose words are these?", TEXT[lang]["added"])
    assert reviewer.evaluate(HIGHLIGHTED, ["what_matters", "1"]) == "important to me| to have a home"

    # words selected from one list item into the link of the next
    assert reviewer.evaluate(SELECT_READ_WORDS, ["what_matters", "my sister\na job in a kitchen"])
    reviewer.locator("#selection-button").click()
    add_comment(reviewer, "Which kitchen?", TEXT[lang]["added"])
    assert reviewer.evaluate(HIGHLIGHTED, ["what_matters", "2"]) == "my sister|a job in a |kitchen"

    # a word chosen as people do, by double-clicking it in the bold name
    reviewer.locator('.anchor-text[data-anchor-key="network"] strong').dblclick()
    reviewer.locator("#selection-button").click()
    assert reviewer.locator("#anchor-quote").input_value() == "Hilde"
    add_comment(reviewer, "Does Hilde know?", TEXT[lang]["added"])
    assert reviewer.evaluate(HIGHLIGHTED, ["network", "3"]) == "Hilde"

    # the list of comments quotes the words as read, never the Markdown
    listed = reviewer.locator("#comment-list li").all_inner_texts()
    assert "important to me to have a home" in listed[0]
    assert "my sister a job in a kitchen" in listed[1] and "**" not in " ".join(listed)
    # the highlights stay where they are after a reload
    reviewer.reload()
    assert reviewer.evaluate(HIGHLIGHTED, ["what_matters", "1"]) == "important to me| to have a home"
    assert_no_serious_violations(reviewer)

    services.save_review(world.plan, world.reviewer, scores={}, overall="**Well done** — read my comments.")
    services.release(world.plan, world.reviewer)
    db.session.commit()
    student = sign_in(page, world.owner.email)
    student.goto(f"/plans/{plan_id}/feedback")
    assert student.locator(".overall strong", has_text="Well done").count() == 1
    mine = student.locator('.anchor-text[data-anchor-key="what_matters"]')
    assert mine.locator("strong").count() == 1 and "**" not in mine.inner_text()
    assert student.evaluate(HIGHLIGHTED, ["what_matters", "1"]) == "important to me| to have a home"
    assert student.evaluate(HIGHLIGHTED, ["network", "3"]) == "Hilde"
    comments = student.locator("#comments")
    assert comments.get_by_role("heading", name=TEXT[lang]["feedback"]).count() == 1
    assert comments.locator("q", has_text="my sister a job in a kitchen").count() == 1
    assert student.title != "owned"
    assert_no_serious_violations(student)


@pytest.mark.parametrize("lang", ["en", "nb"])
def test_the_compare_page_says_it_shows_the_markdown_as_written_and_reads_well(page, app, lang):
    world = World()
    world.write(CONTENT)
    world.to_state(PlanState.returned)
    changed = copy.deepcopy(CONTENT)
    changed["sections"]["what_matters"] += "\n- a **dog** called Luna"
    world.write(changed)
    world.to_state(PlanState.submitted)
    world.owner.locale = lang
    db.session.commit()
    page.goto("/")
    student = sign_in(page, world.owner.email)
    student.goto(f"/plans/{world.plan.id}/diff?from=1&to=2")
    note = {"en": "compared as the student wrote them, in Markdown",
            "nb": "sammenlignes slik studenten skrev dem, i Markdown"}[lang]
    assert note in student.locator("#diff-source-note").inner_text()
    assert "**dog**" in student.locator(".diff-block", has_text="dog").inner_text()
    assert student.locator(".diff-block.unchanged").count() >= 1  # unchanged parts, still easy to read
    assert_no_serious_violations(student)
