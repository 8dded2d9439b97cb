"""A conflict between two saves, part by part: each section, goal and measure beside the same one (by key and id,
whatever the order of keys or rows), the side chosen from what each tab changed, and the merged text saved."""
from __future__ import annotations

import copy
import json

import pytest

from app.db import db
from app.plans import conflicts
from app.plans.content import normalise
from tests.conftest import csrf_token, login, post
from tests.plan_helpers import GOOD_CONTENT, World

BASE = copy.deepcopy(GOOD_CONTENT)
BASE["goals"].append({"id": "g2", "text": "I want to cook again", "timeframe": "within six months"})


def changed(**changes):
    content = copy.deepcopy(BASE)
    for key, value in changes.items():
        if key in ("goals", "measures"):
            content[key] = value
        else:
            content["sections"][key] = value
    return normalise(content)


def by_key(found):
    return {part.key: part for part in found}


def test_each_section_is_paired_with_the_same_section_whatever_the_order_of_the_keys(app):
    mine = changed(strengths="I cook and I mend bikes.")
    theirs = changed(evaluation="Every month.")
    theirs["sections"] = dict(sorted(theirs["sections"].items()))  # as a JSON answer with sorted keys has it
    found = by_key(conflicts.parts(mine, theirs, conflicts.fingerprints(normalise(BASE))))
    assert list(found) == ["section:strengths", "section:evaluation"]
    assert (found["section:strengths"].mine, found["section:strengths"].theirs) == ("I cook and I mend bikes.",
                                                                                    "I cook well.")
    assert (found["section:evaluation"].mine, found["section:evaluation"].theirs) == ("Every three months.",
                                                                                      "Every month.")
    assert found["section:strengths"].choice == "mine" and found["section:evaluation"].choice == "theirs"


def test_goals_and_measures_are_paired_by_id_not_by_position(app):
    base = normalise(BASE)
    mine = changed(goals=[{"id": "g1", "text": "I want a flat near Hilde", "timeframe": "by 1 October"},
                          BASE["goals"][1]])
    theirs = changed(goals=[BASE["goals"][1], BASE["goals"][0]],  # moved up in the other tab
                     measures=BASE["measures"] + [{"id": "m9", "what": "Bank meeting", "service": "NAV"}])
    found = by_key(conflicts.parts(mine, theirs, conflicts.fingerprints(base)))
    assert set(found) == {"order:goal", "goal:g1", "measure:m9"}
    assert found["goal:g1"].mine.startswith("I want a flat near Hilde")
    assert found["goal:g1"].theirs.startswith("I want my own flat") and found["goal:g1"].label == "Goal 1"
    assert found["measure:m9"].mine is None and found["measure:m9"].label == "Measure 2 in the newer text"
    assert [found[key].choice for key in ("goal:g1", "order:goal", "measure:m9")] == ["mine", "theirs", "theirs"]
    merged = conflicts.merge(mine, theirs, {key: part.choice for key, part in found.items()})
    assert [(goal["id"], goal["text"]) for goal in merged["goals"]] == [
        ("g2", "I want to cook again"), ("g1", "I want a flat near Hilde")]
    assert [measure["id"] for measure in merged["measures"]] == ["m1", "m9"]
    # without a base every part starts on the student's side
    assert {part.choice for part in conflicts.parts(mine, theirs)} == {"mine"}


def test_a_row_one_side_removed_and_a_row_added_in_between(app):
    base = normalise(BASE)
    mine = changed(goals=[BASE["goals"][0]])  # removed the second goal here
    theirs = changed(goals=[BASE["goals"][0], {"id": "g5", "text": "I want to walk Luna", "timeframe": ""},
                            BASE["goals"][1]])
    found = by_key(conflicts.parts(mine, theirs, conflicts.fingerprints(base)))
    assert found["goal:g2"].mine is None and found["goal:g2"].choice == "mine"  # removed here: stays removed
    assert found["goal:g5"].choice == "theirs"
    merged = conflicts.merge(mine, theirs, {key: part.choice for key, part in found.items()})
    assert [goal["id"] for goal in merged["goals"]] == ["g1", "g5"]
    everything_newer = conflicts.merge(mine, theirs, {key: "theirs" for key in found})
    assert [goal["id"] for goal in everything_newer["goals"]] == ["g1", "g5", "g2"]


def test_the_editors_base_is_kept_by_the_text_and_changes_with_it(app):
    """The base an editor page sends is the fingerprints of exactly the text it shows: kept for a text opened again,
    never another text's."""
    from app.fragments import fingerprint

    first = normalise(GOOD_CONTENT)
    second = copy.deepcopy(first)
    second["sections"]["what_matters"] = "Something else matters now."
    assert conflicts.base_of(first, fingerprint(first)) == conflicts.fingerprints(first)
    assert conflicts.base_of(second, fingerprint(second)) == conflicts.fingerprints(second)
    assert conflicts.base_of(first, fingerprint(first)) is conflicts.base_of(copy.deepcopy(first), fingerprint(first))
    assert conflicts.base_of(first, fingerprint(first)) != conflicts.base_of(second, fingerprint(second))


def test_a_base_that_is_not_one_is_no_base(app):
    assert conflicts.read_base("not json") is None
    assert conflicts.read_base(json.dumps({"section:x": 3})) is None
    assert conflicts.read_base({"sections": "nope"}) is None
    prints = conflicts.fingerprints(normalise(BASE))
    assert conflicts.read_base(json.dumps(prints)) == prints
    assert conflicts.read_base(BASE) == prints


@pytest.fixture
def world(app):
    world = World()
    world.write(BASE)
    return world


def _json(client, url, payload):
    return client.post(url, json=payload, headers={"X-CSRFToken": csrf_token(client)})


def test_the_editor_asks_for_the_parts_and_saves_the_choice(make_client, world):
    tab_a, tab_b = make_client(), make_client()
    login(tab_a, world.owner.email)
    login(tab_b, world.owner.email)
    plan_id, token = world.plan.id, world.plan.save_token
    theirs = changed(evaluation="Every month.")
    assert _json(tab_b, f"/plans/{plan_id}/draft", {"save_token": token, "content": theirs}).status_code == 200
    mine = changed(strengths="I mend bikes.")
    conflict = _json(tab_a, f"/plans/{plan_id}/draft", {"save_token": token, "content": mine})
    assert conflict.status_code == 409
    body = conflict.get_json()
    shown = _json(tab_a, f"/plans/{plan_id}/conflict", {"mine": mine, "theirs": body["current"], "base": BASE})
    html = shown.get_json()["html"]
    assert shown.status_code == 200 and 'data-part="section:strengths"' in html and 'data-part="section:evaluation"' in html
    assert html.count('type="radio"') == 4 and html.count("checked") == 2
    # another save lands before the choice: the choice is refused with the newest text, and the chosen text
    other = changed(evaluation="Every month.", consent="Only the GP.")
    assert _json(tab_b, f"/plans/{plan_id}/draft", {"save_token": body["save_token"], "content": other}).status_code == 200
    choices = {"section:strengths": "mine", "section:evaluation": "theirs"}
    again = _json(tab_a, f"/plans/{plan_id}/resolve", {"save_token": body["save_token"], "mine": mine,
                                                       "theirs": body["current"], "use": "chosen", "choices": choices})
    assert again.status_code == 409
    again_body = again.get_json()
    assert again_body["mine"]["sections"]["strengths"] == "I mend bikes."
    assert again_body["mine"]["sections"]["evaluation"] == "Every month."
    assert again_body["current"]["sections"]["consent"] == "Only the GP."
    saved = _json(tab_a, f"/plans/{plan_id}/resolve", {
        "save_token": again_body["save_token"], "mine": again_body["mine"], "theirs": again_body["current"],
        "use": "chosen", "choices": {"section:consent": "theirs"}})
    assert saved.status_code == 200
    db.session.refresh(world.plan)
    sections = world.plan.draft["sections"]
    assert (sections["strengths"], sections["evaluation"], sections["consent"]) == (
        "I mend bikes.", "Every month.", "Only the GP.")
    assert saved.get_json()["content"] == world.plan.draft and saved.get_json()["save_token"] == world.plan.save_token


def test_the_conflict_page_without_javascript_saves_the_choice(client, world):
    login(client, world.owner.email)
    plan_id, token = world.plan.id, world.plan.save_token
    world.write(changed(evaluation="Every month."))
    form = {"save_token": str(token), "base": json.dumps(conflicts.fingerprints(normalise(BASE)))}
    mine = changed(strengths="I mend bikes.")
    form.update({f"section-{key}": value for key, value in mine["sections"].items()})
    for i, goal in enumerate(mine["goals"]):
        form.update({f"goal-{i}-{field}": value for field, value in goal.items()})
    page = post(client, f"/plans/{plan_id}", form)
    assert page.status_code == 409
    html = page.get_data(as_text=True)
    assert 'name="choice-section:strengths" value="mine"' in html and 'name="mine-section-strengths"' in html
    fields = {"save_token": str(world.plan.save_token), "use": "chosen", "choice-section:strengths": "mine",
              "choice-section:evaluation": "theirs"}
    for prefix, content in (("mine-", mine), ("theirs-", world.plan.draft)):
        fields.update({f"{prefix}section-{key}": value for key, value in content["sections"].items()})
        for i, goal in enumerate(content["goals"]):
            fields.update({f"{prefix}goal-{i}-{field}": value for field, value in goal.items()})
    saved = post(client, f"/plans/{plan_id}/resolve", fields)
    assert saved.status_code == 302 and saved.headers["Location"].endswith(f"/plans/{plan_id}")
    db.session.refresh(world.plan)
    assert world.plan.draft["sections"]["strengths"] == "I mend bikes."
    assert world.plan.draft["sections"]["evaluation"] == "Every month."
