"""Plans read as rendered, sanitised Markdown wherever people read them, and comments on passages stay on the words
a reviewer selected in the rendered text."""
from __future__ import annotations

import copy
import random
from html.parser import HTMLParser

import pytest

from app.db import db
from app.plans import services as plan_services
from app.plans.states import PlanState
from app.reviews import services
from app.reviews.anchors import anchor_texts, highlight_markdown, locate, make_anchor, shown
from app.reviews.models import AnchoredComment
from tests.conftest import csrf_token, login
from tests.plan_helpers import GOOD_CONTENT, World

WHAT_MATTERS = ("It is **very important to me** to have a home of my own.\n\n"
                "- a flat near *my sister*\n- a job in a [kitchen](https://example.org/kitchens) again\n\n"
                "Tom &amp; Jerry <script>alert('owned')</script> again.")
NETWORK = "My sister **Hilde** and\n\n1. my friend Kari\n2. my [neighbour](javascript:alert(1))"


def content():
    written = copy.deepcopy(GOOD_CONTENT)
    written["sections"]["what_matters"] = WHAT_MATTERS
    written["sections"]["network"] = NETWORK
    return written


class Passage(HTMLParser):
    """The visible text of one passage of the marked plan, and the words inside its highlights by comment."""

    def __init__(self, key: str):
        super().__init__(convert_charrefs=True)
        self.key, self.depth, self.text = key, 0, ""
        self.marked: dict[str, str] = {}
        self.mark: str | None = None
        self.in_ref = False
        self.between = ""

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if self.depth:
            if tag not in ("br", "hr"):
                self.depth += 1
            if tag == "mark":
                self.mark = attrs["data-comments"]
            if tag == "sup":
                self.in_ref = True
        elif attrs.get("data-anchor-key") == self.key:
            self.depth = 1

    def handle_endtag(self, tag):
        if not self.depth:
            return
        self.depth -= 1
        if tag == "mark":
            self.mark = None
        if tag == "sup":
            self.in_ref = False

    def handle_data(self, data):
        if self.depth and not self.in_ref:
            self.text += data
            if self.mark:
                # the line break between two highlighted list items or paragraphs belongs to the words highlighted
                between = self.between if self.mark in self.marked else ""
                self.marked[self.mark] = self.marked.get(self.mark, "") + between + data
                self.between = ""
            else:
                self.between = data if not data.strip() else ""


def passage(page: str, key: str) -> Passage:
    parser = Passage(key)
    parser.feed(page)
    return parser


@pytest.fixture()
def reviewing(app, make_client):
    world = World()
    world.write(content())
    plan = world.to_state(PlanState.submitted)
    plan.reviewer_id = world.reviewer.id
    db.session.commit()
    reviewer = make_client()
    login(reviewer, world.reviewer.email)
    return world, plan, reviewer


def add(client, plan, key, quote, start=None, body="A comment"):
    answer = client.post(f"/plans/{plan.id}/review/comments", json={"key": key, "quote": quote, "start": start,
                                                                     "body": body},
                         headers={"X-CSRFToken": csrf_token(client)})
    assert answer.status_code == 201, answer.get_json()
    return answer


def test_the_review_page_shows_the_plan_rendered_and_sanitised(reviewing):
    world, plan, reviewer = reviewing
    page = reviewer.get(f"/plans/{plan.id}/review").get_data(as_text=True)
    assert "<strong>very important to me</strong>" in page and "**very" not in page
    assert "<li>a flat near <em>my sister</em></li>" in page and "- a flat" not in page
    assert 'href="https://example.org/kitchens"' in page and "](https" not in page
    assert "<script>alert" not in page and "&lt;script&gt;" not in page  # never active, nor shown as code
    assert "<ol>\n<li>my friend Kari</li>" in page and "javascript:" not in page
    shown_text = passage(page, "what_matters").text
    assert "very important to me to have" in shown_text and "Tom & Jerry alert('owned') again." in shown_text


def test_words_selected_in_rendered_bold_text_are_highlighted_and_quoted_as_read(reviewing):
    world, plan, reviewer = reviewing
    before = reviewer.get(f"/plans/{plan.id}/review").get_data(as_text=True)
    visible = passage(before, "what_matters").text
    quote = "important to me to have a home"  # half in bold, half not
    add(reviewer, plan, "what_matters", quote, visible.index(quote), "Whose words?")
    page = reviewer.get(f"/plans/{plan.id}/review").get_data(as_text=True)
    assert passage(page, "what_matters").marked == {"1": quote}
    assert passage(page, "what_matters").text == visible  # nothing but the marks added
    assert f"<q lang=\"en\">{quote}</q> — Whose words?" in page


def test_words_selected_in_list_items_and_links_are_highlighted(reviewing):
    world, plan, reviewer = reviewing
    visible = passage(reviewer.get(f"/plans/{plan.id}/review").get_data(as_text=True), "what_matters").text
    across = "my sister\na job in a kitchen"  # from one list item into the link of the next
    add(reviewer, plan, "what_matters", across, visible.index(across))
    add(reviewer, plan, "what_matters", "again", visible.index("again"))
    network = passage(reviewer.get(f"/plans/{plan.id}/review").get_data(as_text=True), "network").text
    add(reviewer, plan, "network", "neighbour", network.index("neighbour"))
    page = reviewer.get(f"/plans/{plan.id}/review").get_data(as_text=True)
    assert passage(page, "what_matters").marked == {"1": across, "2": "again"}
    assert passage(page, "network").marked == {"3": "neighbour"}
    assert "<q lang=\"en\">my sister a job in a kitchen</q>" in page


def test_visible_words_typed_without_a_position_and_pasted_markdown_are_both_found(reviewing):
    world, plan, reviewer = reviewing
    add(reviewer, plan, "what_matters", "very important")  # typed as read
    add(reviewer, plan, "network", "**Hilde**")  # pasted from the Markdown
    page = reviewer.get(f"/plans/{plan.id}/review").get_data(as_text=True)
    assert passage(page, "what_matters").marked == {"1": "very important"}
    assert passage(page, "network").marked == {"2": "Hilde"}
    assert "<q lang=\"en\">very important</q>" in page and "<q lang=\"en\">Hilde</q>" in page and "<q lang=\"en\">**Hilde**</q>" not in page


def test_the_student_reads_feedback_and_print_rendered_with_the_highlight_on_the_same_words(reviewing, make_client):
    world, plan, reviewer = reviewing
    visible = passage(reviewer.get(f"/plans/{plan.id}/review").get_data(as_text=True), "what_matters").text
    add(reviewer, plan, "what_matters", "very important", visible.index("very important"), "Say why")
    services.save_review(plan, world.reviewer, scores={}, overall="**Well done** on\n\n- the goals")
    services.release(plan, world.reviewer)
    db.session.commit()
    student = make_client()
    login(student, world.owner.email)
    feedback = student.get(f"/plans/{plan.id}/feedback").get_data(as_text=True)
    assert passage(feedback, "what_matters").marked == {"1": "very important"}
    assert "<strong>Well done</strong>" in feedback and "<q lang=\"en\">very important</q>" in feedback
    assert "<script>alert" not in feedback and "**" not in feedback
    printed = student.get(f"/plans/{plan.id}/print").get_data(as_text=True)
    assert "<strong>very important to me</strong>" in printed and "<strong>Well done</strong>" in printed
    assert "«<span lang=\"en\">very important</span>» — Say why" in printed and "**" not in printed and "<script>alert" not in printed
    version = student.get(f"/plans/{plan.id}/versions/1").get_data(as_text=True)
    assert "<em>my sister</em>" in version and "<script>alert" not in version


def test_a_highlight_follows_its_words_into_the_next_version(reviewing, make_client):
    world, plan, reviewer = reviewing
    visible = passage(reviewer.get(f"/plans/{plan.id}/review").get_data(as_text=True), "what_matters").text
    add(reviewer, plan, "what_matters", "a home of my own", visible.index("a home of my own"))
    services.release(plan, world.reviewer)
    db.session.commit()
    changed = copy.deepcopy(plan.current_version.content)
    changed["sections"]["what_matters"] = "## Above all\n\n_Really_, " + WHAT_MATTERS
    plan_services.save_draft(plan, world.owner, plan.save_token, changed)
    plan_services.submit(plan, world.owner, plan.save_token)
    db.session.commit()
    comment = db.session.scalars(db.select(AnchoredComment)).one()
    texts = anchor_texts(plan.current_version.content)
    where = locate(comment.anchor_key, comment.quote, comment.start, comment.prefix, comment.suffix, texts)
    assert where is not None
    marked = Passage("x")
    marked.feed('<div data-anchor-key="x">' + str(highlight_markdown(texts["what_matters"], [(*where, 1)])) + "</div>")
    assert marked.marked == {"1": "a home of my own"} and "Above all" in marked.text
    page = reviewer.get(f"/plans/{plan.id}/review").get_data(as_text=True)
    assert "<q lang=\"en\">a home of my own</q>" in page  # among the earlier comments


@pytest.mark.parametrize("source, words", [
    ("**bold** then plain", "bold then"),
    ("1. one\n2. two three", "two three"),
    ("See [the *guide*](http://x.org/a_b) now", "guide now"),
    ("Tabs\there & there", "here & there"),
    ("# Title\n\nA line\nand the next", "line\nand"),
    ("> quoted words\n\nplain", "words"),
    ("`**not bold**` here", "**not bold** here"),
])
def test_visible_words_map_to_their_markdown_and_back(source, words):
    seen = shown(source)
    start = seen.text.index(words)
    anchor = make_anchor({"what_matters": source}, "what_matters", words, start)
    assert seen.visible_span(anchor.start, anchor.end) == (start, start + len(words))
    marked = Passage("x")
    marked.feed('<div data-anchor-key="x">' + str(highlight_markdown(source, [(anchor.start, anchor.end, 1)]))
                + "</div>")
    assert marked.marked == {"1": words} and marked.text == seen.text


def test_words_typed_across_list_items_are_found_whatever_the_spaces_between_them():
    source = "- a flat near *my sister*\n- a job in a [kitchen](https://example.org) again"
    anchor = make_anchor({"what_matters": source}, "what_matters", "my sister a job", None)
    assert source[anchor.start:anchor.end] == "my sister*\n- a job"


def _plan_like_markdown(rng: random.Random) -> str:
    """Text as students write it: paragraphs, bold and italic words, links, lists, headings, quotes, entities."""
    words = "I want a home of my own with Luna and Hilde to cook again at the café — 2 days a week; NAV (Sara)".split()

    def inline() -> str:
        chosen = rng.sample(words, rng.randint(1, 4))
        text = " ".join(chosen)
        return rng.choice([text, f"**{text}**", f"*{text}*", f"_{text}_", f"[{text}](https://example.org/{chosen[0]})",
                           f"{text} &amp; {text}", f"{text}.", f"***{text}***", "https://nav.no/x"])

    def block() -> str:
        kind = rng.random()
        if kind < 0.3:
            return "\n".join("- " + " ".join(inline() for _ in range(rng.randint(1, 3))) for _ in range(rng.randint(1, 4)))
        if kind < 0.4:
            return "\n".join(f"{n}. {inline()}" for n in range(1, 4))
        if kind < 0.45:
            return "## " + inline()
        if kind < 0.5:
            return "> " + inline()
        return " ".join(inline() for _ in range(rng.randint(2, 6))) + ("\n" + inline() if rng.random() < 0.3 else "")

    return "\n\n".join(block() for _ in range(rng.randint(1, 4)))


def test_any_words_selected_in_plan_like_markdown_are_highlighted_exactly():
    rng = random.Random(18)
    for _ in range(60):
        source = _plan_like_markdown(rng)
        seen = shown(source)
        for _ in range(8):
            start = rng.randrange(len(seen.text))
            words = seen.text[start:start + rng.randint(1, 40)].strip()
            if not words:
                continue
            start = seen.text.index(words, start)
            anchor = make_anchor({"what_matters": source}, "what_matters", words, start)
            assert seen.visible_span(anchor.start, anchor.end) == (start, start + len(words)), (source, words)
