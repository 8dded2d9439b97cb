"""Rules of the code's structure that keep plans and reviews correct: the workflow owns every state rule, the plans,
reviews and language domains do not import each other in a circle, and kept parts of pages never carry one person's
page to another."""
from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from flask_login import login_user
from markupsafe import Markup

from app import fragments
from app.db import db
from app.memo import SizedStore, by_text
from app.plans.states import PlanState
from tests.conftest import login
from tests.plan_helpers import World

APP = Path(__file__).resolve().parent.parent / "app"
STATE_HOME = {APP / "plans" / "states.py", APP / "plans" / "workflow.py"}
STATE_VALUES = {state.value for state in PlanState}


def _python_files():
    return sorted(path for path in APP.rglob("*.py") if "translations" not in path.parts)


def _member(node: ast.AST) -> bool:
    """`PlanState.draft`, `S.draft` or `PlanState.draft.value`."""
    if isinstance(node, ast.Attribute) and node.attr == "value":
        node = node.value
    return isinstance(node, ast.Attribute) and node.attr in STATE_VALUES


def _value(node: ast.AST) -> bool:
    """The string "submitted", "in_review", …"""
    return isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value in STATE_VALUES


def _state_knowledge(tree: ast.AST) -> list[int]:
    """Lines with a set of states (two or more in a tuple, list or set) or a mapping keyed by states (by members,
    or by three or more of their names: a dict with a "draft" key alone is a plan's text, not a state rule)."""
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
            if sum(_member(element) or _value(element) for element in node.elts) >= 2:
                lines.append(node.lineno)
        elif isinstance(node, ast.Dict):
            keys = [key for key in node.keys if key is not None]
            if any(_member(key) for key in keys) or sum(_value(key) for key in keys) >= 3:
                lines.append(node.lineno)
    return lines


def test_state_sets_and_labels_are_defined_only_beside_the_workflow():
    """What a state means (editable, open for review, its label) is said once, in app/plans/states.py (and the
    transitions in workflow.py); anything else asks there. A copy elsewhere would drift when a state changes."""
    found = []
    for path in _python_files():
        if path in STATE_HOME:
            continue
        for line in _state_knowledge(ast.parse(path.read_text(), str(path))):
            found.append(f"{path.relative_to(APP.parent)}:{line}")
    assert not found, "state sets or labels outside app/plans/states.py: " + ", ".join(found)


def test_the_check_for_state_knowledge_finds_a_copy():
    """The check above is not empty: the kinds of copy it looks for are found."""
    assert _state_knowledge(ast.parse("OPEN = (PlanState.submitted, PlanState.in_review)"))
    assert _state_knowledge(ast.parse("OPEN = {PlanState.submitted.value, PlanState.in_review.value}"))
    assert _state_knowledge(ast.parse("LABELS = {PlanState.returned: 'Returned'}"))
    assert _state_knowledge(ast.parse("x = plan.state in ('returned', 'completed')"))
    assert not _state_knowledge(ast.parse("x = plan.state == PlanState.returned"))


TEMPLATE_STATE_TEST = re.compile(r"state(\.value)?\s*(==|!=|in|not in)\s*[\(\[\"']")


def test_templates_ask_what_a_state_means_instead_of_naming_states():
    """Templates show or hide things by what a state allows (`plan_can`, `state.has_feedback`, …), never by
    comparing a plan's state with names of states."""
    found = [f"{path.relative_to(APP.parent)}:{number}"
             for path in sorted(APP.rglob("*.html"))
             for number, line in enumerate(path.read_text().splitlines(), 1)
             if TEMPLATE_STATE_TEST.search(line) and "filters.state" not in line]
    assert not found, "templates comparing states: " + ", ".join(found)


# --- imports ----------------------------------------------------------------------------------------------

DOMAINS = ("plans", "reviews", "language")


def _imports(path: Path) -> set[str]:
    """Every module a file imports, at the top or inside a function."""
    names = set()
    module = ".".join(path.relative_to(APP.parent).with_suffix("").parts)
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(module.split(".")[:-node.level] + ([base] if base else []))
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names)
    return names


def _graph(of: callable) -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for path in _python_files():
        source = of(".".join(path.relative_to(APP.parent).with_suffix("").parts))
        if source is None:
            continue
        for name in _imports(path):
            target = of(name)
            if target is not None and target != source:
                graph.setdefault(source, set()).add(target)
    return graph


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    visiting, done = [], set()

    def visit(node):
        if node in visiting:
            return visiting[visiting.index(node):] + [node]
        if node in done:
            return None
        visiting.append(node)
        for target in sorted(graph.get(node, ())):
            found = visit(target)
            if found:
                return found
        visiting.pop()
        done.add(node)
        return None

    for node in sorted(graph):
        found = visit(node)
        if found:
            return found
    return None


def _domain(name: str) -> str | None:
    parts = name.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == "app" and parts[1] in DOMAINS else None


def test_plans_reviews_and_language_do_not_import_each_other_in_a_circle():
    """Language and reviews build on plans; plans knows neither (they hear of submitted plans through signals)."""
    graph = _graph(_domain)
    assert _cycle(graph) is None, f"import cycle: {' → '.join(_cycle(graph))}"
    assert "reviews" not in graph.get("plans", set()) and "language" not in graph.get("plans", set())


def test_no_module_of_plans_imports_another_in_a_circle():
    """In particular the plan's models and its workflow: the models know the states, the workflow the models."""
    def module(name: str) -> str | None:
        return name if name.startswith("app.plans.") and (APP / "plans" / f"{name.split('.')[2]}.py").exists() \
            else None

    graph = _graph(module)
    assert _cycle(graph) is None, f"import cycle: {' → '.join(_cycle(graph))}"
    assert "app.plans.workflow" not in graph.get("app.plans.models", set())


def test_the_cycle_check_finds_a_cycle():
    assert _cycle({"plans": {"reviews"}, "reviews": {"language"}, "language": {"plans"}}) == \
        ["language", "plans", "reviews", "language"]
    assert _cycle({"reviews": {"plans"}, "language": {"plans"}}) is None


# --- kept parts of pages ----------------------------------------------------------------------------------

def test_a_kept_part_cannot_reach_for_the_person_or_the_request(app):
    """A template that reads the signed-in person, the request, the session or the CSRF token inside a kept part
    fails at once, instead of keeping the first reader's page for everyone after them."""
    world = World()
    env = None
    with app.test_request_context("/somewhere?x=1"):
        login_user(world.owner)
        env = fragments._environment()
        for expression in ("current_user.name", "request.path", "session.get('x')", "g.user", "csrf_token()"):
            module = env.from_string("{% macro part() %}{{ " + expression + " }}{% endmacro %}").module
            with pytest.raises(fragments.KeptPartError):
                module.part()
        # What a kept part may use: links and the interface language's words.
        module = env.from_string("{% macro part() %}{{ url_for('plans.index') }} {{ _('Plan') }}{% endmacro %}").module
        assert module.part() == "/plans Plan"


def test_kept_parts_serve_neither_of_two_people_the_others_page(make_client, app):
    """Two students whose drafts are word for word the same share the kept editor rows, and the case panel beside
    them: each still sees only their own name, plan, links and CSRF token."""
    for store in fragments.STORES.values():
        store.clear()
    first, second = World(), World()
    first.owner.name, second.owner.name = "Aslaug First", "Bjarne Second"
    db.session.commit()
    pages = {}
    for world in (first, second):
        client = make_client()
        login(client, world.owner.email)
        page = client.get(f"/plans/{world.plan.id}").get_data(as_text=True)
        token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
        pages[world.owner.name] = (page, token, world.plan.id)
    (page_a, token_a, plan_a), (page_b, token_b, plan_b) = pages["Aslaug First"], pages["Bjarne Second"]
    assert token_a != token_b
    assert "Aslaug First" in page_a and "Bjarne Second" not in page_a and token_b not in page_a
    assert "Bjarne Second" in page_b and "Aslaug First" not in page_b and token_a not in page_b
    assert f"/plans/{plan_b}/" not in page_a and f"/plans/{plan_a}/" not in page_b
    # The rows were kept once and shared: both drafts are empty and alike.
    rows_kept = [key for key in fragments.STORES["plans"].keys() if "editor_sections" in key]
    assert len(rows_kept) == 1
    kept_html = [html for store in fragments.STORES.values() for html in store.values()]
    assert all("Aslaug" not in html and "Bjarne" not in html for html in kept_html)
    assert all(token_a not in html and token_b not in html for html in kept_html)


def test_kept_parts_are_bounded_in_bytes_not_only_in_number():
    """Someone pasting long texts cannot grow a worker without bound: the least recently used parts are let go,
    and a single part too large to be worth keeping is not kept at all."""
    store = SizedStore(max_bytes=64 * 1024)
    for n in range(200):
        store.put(("part", n), Markup("x" * 4000))
    assert store.size <= 64 * 1024 and len(store) < 200
    assert store.get(("part", 199)) is not None and store.get(("part", 0)) is None
    store.put(("huge",), Markup("y" * 20_000))
    assert store.get(("huge",)) is None and store.size <= 64 * 1024


def test_results_kept_by_text_are_bounded_in_bytes():
    """The Markdown, the language checks and the case documents are kept by their text: long pasted texts are let
    go before they add up, and one that is too long is not kept at all."""
    calls = []

    @by_text(256 * 1024)
    def shout(text: str) -> str:
        calls.append(text)
        return text.upper()

    texts = [f"{n} " + "words " * 2000 for n in range(100)]  # ≈12 KB each, ≈1.2 MB in all
    for text in texts:
        assert shout(text) == text.upper()
    assert shout.store.size <= 256 * 1024
    shout(texts[-1])
    assert len(calls) == 100  # the latest is still kept
    shout(texts[0])
    assert len(calls) == 101  # the first was let go
    long = "x" * 200_000
    shout(long)
    shout(long)
    assert calls[-2:] == [long, long]  # too long to keep: made each time


# --- macros many pages call -------------------------------------------------------------------------------

def test_shared_macros_are_called_by_name_and_never_imported(app):
    """The state badge, the plan's menu, the instructions and the answers to feedback are template globals: a page
    calls them without importing their template (an import costs every render of the page), and each renders as
    the macro itself does."""
    from app.macros import register_shared_macros

    shared = {name: fn for name, fn in app.jinja_env.globals.items() if getattr(fn, "__module__", "") == "app.macros"}
    assert {"state_badge", "plan_nav", "plan_content", "assignment_instructions", "answers", "answers_read",
            "anchor_options"} <= set(shared)
    templates = {fn.template for fn in shared.values()}
    assert "plans/_content.html" in templates
    importing = [f"{path}: {line.strip()}" for path in Path(app.root_path).rglob("*.html")
                 for line in path.read_text(encoding="utf-8").splitlines()
                 if re.match(r"\{%-?\s*(from|import)\s", line.strip()) and any(f'"{t}"' in line for t in templates)]
    assert importing == []
    with app.test_request_context("/"):
        badge = app.jinja_env.from_string("{{ state_badge('draft') }}").render()
        direct = app.jinja_env.get_template("plans/_content.html").module.state_badge("draft")
        assert badge == str(direct) and 'class="state state-draft"' in badge
    with pytest.raises(ValueError):
        register_shared_macros(app, "plans/_content.html", "state_badge")
