"""The review page's parts that do not change from one review to the next: the rubric version as read-only data,
kept by its id and fingerprint, and each criterion's levels with one of them chosen, kept per rubric version,
language and chosen level. Each reviewer still sees only their own choices."""
from __future__ import annotations

import re

import pytest

from app import fragments
from app.db import db
from app.plans.states import PlanState
from app.rubrics.queries import rubric_for_reading
from tests.conftest import QueryCounter, login, post
from tests.plan_helpers import GOOD_CONTENT, World


def checked_levels(page: str) -> dict[str, str]:
    return dict(re.findall(r'name="level-([a-z_]+)" value="([a-z_]+)" checked', page))


def test_two_reviewers_each_see_the_levels_they_chose_though_the_levels_are_kept(make_client, app):
    for store in fragments.STORES.values():
        store.clear()
    first, second = World(), World()
    pages = {}
    for world, level, words in ((first, "solid", "Ask Anna first"), (second, "emerging", "Name who does what")):
        plan = world.to_state(PlanState.in_review)
        client = make_client()
        login(client, world.reviewer.email)
        assert post(client, f"/plans/{plan.id}/review", {"level-language": level, "level-voice": "exemplary",
                                                         "comment-language": words}).status_code == 302
        pages[level] = client.get(f"/plans/{plan.id}/review").get_data(as_text=True)
    assert checked_levels(pages["solid"]) == {"language": "solid", "voice": "exemplary"}
    assert checked_levels(pages["emerging"]) == {"language": "emerging", "voice": "exemplary"}
    assert "Ask Anna first" in pages["solid"] and "Ask Anna first" not in pages["emerging"]
    assert "Name who does what" in pages["emerging"] and "Name who does what" not in pages["solid"]
    # Both plans share a rubric version: the levels chosen alike ("voice", and every criterion left open) were
    # rendered once and shared; the kept parts hold nobody's words.
    kept_levels = [key for key in fragments.STORES["content"].keys() if "rubric levels" in key]
    assert len([key for key in kept_levels if "voice" in key]) == 1
    assert len([key for key in kept_levels if "language" in key]) == 2
    kept_html = [str(html) for html in fragments.STORES["content"].values()]
    assert all("Ask Anna" not in html and "Name who does" not in html for html in kept_html)


def test_a_level_the_rubric_does_not_have_is_kept_as_none_chosen(make_client, app):
    """A form sent with a made-up level is refused with what was typed still there; the made-up value does not
    become a kept part of its own (nor is it shown as chosen)."""
    for store in fragments.STORES.values():
        store.clear()
    world = World()
    plan = world.to_state(PlanState.in_review)
    client = make_client()
    login(client, world.reviewer.email)
    for n in range(3):
        page = post(client, f"/plans/{plan.id}/review", {"level-language": f"made-up-{n}", "overall": "Kept text"})
        assert page.status_code == 400 and "Kept text" in page.get_data(as_text=True)
        assert "language" not in checked_levels(page.get_data(as_text=True))
    keys = [key for key in fragments.STORES["content"].keys() if "rubric levels" in key]
    assert not any("made-up" in str(part) for key in keys for part in key)
    assert len([key for key in keys if "language" in key]) == 1


def test_the_rubric_is_read_once_and_no_page_can_change_it_for_the_next(app):
    world = World()
    version = world.plan.rubric_version
    rubric_for_reading(version.id, version.fingerprint)
    with QueryCounter() as counter:
        rubric = rubric_for_reading(version.id, version.fingerprint)
    assert counter.statements == []
    assert rubric.criterion_keys() == version.criterion_keys() and rubric.level_keys() == version.level_keys()
    assert rubric.level_title("solid", "nb") == version.level_title("solid", "nb")
    with pytest.raises(TypeError):
        rubric.criteria[0]["title"]["en"] = "Changed by one page"
    with pytest.raises(AttributeError):
        rubric.criteria.append({"key": "extra"})
    assert rubric_for_reading(version.id, version.fingerprint).criteria[0]["title"]["en"] == \
        version.criteria[0]["title"]["en"]
    # Another fingerprint (a version replaced in the database) is read afresh, not taken from the kept one.
    version.fingerprint = "f" * 64
    db.session.commit()
    version_id = version.id
    with QueryCounter() as counter:
        assert rubric_for_reading(version_id, "f" * 64).fingerprint == "f" * 64
    assert len(counter.statements) == 1


def test_comments_on_passages_are_read_only_for_a_review_that_has_some(make_client, app):
    """A review with no comments on passages yet opens with one round trip less; once it has one, the page reads
    and shows it."""
    from app.plans.models import PlanVersion
    from app.reviews import services

    world = World()
    plan = world.to_state(PlanState.in_review)
    client = make_client()
    login(client, world.reviewer.email)
    assert post(client, f"/plans/{plan.id}/review", {"level-language": "solid"}).status_code == 302

    def opened() -> tuple[list[str], str]:
        with QueryCounter() as counter:
            page = client.get(f"/plans/{plan.id}/review")
        assert page.status_code == 200
        return counter.statements, page.get_data(as_text=True)

    opened()  # the parts kept per worker (the rubric, the case) are read once, whichever test ran before
    without, page = opened()
    assert not any(statement.lstrip().startswith("SELECT anchored_comments.") for statement in without)
    assert '<span class="count">(0)</span>' in page
    version = db.session.scalar(db.select(PlanVersion).where(PlanVersion.plan_id == plan.id))
    words = version.content["sections"]["what_matters"].split()[0]
    services.add_comment(plan, world.reviewer, key="what_matters", quote=words, start=None,
                         body="Whose words are these?")
    db.session.commit()
    with_comment, page = opened()
    assert len(with_comment) == len(without) + 1
    assert "Whose words are these?" in page and '<span class="count">(1)</span>' in page


def test_the_passages_labels_are_kept_per_text_and_language(make_client, app):
    """The labels of the plan's passages (the list to comment on, the comments) are kept by the text and the
    interface language: the same review read in English, then in Norwegian, names them in each language."""
    world = World()
    plan = world.to_state(PlanState.in_review)
    pages = {}
    for lang in ("en", "nb", "en"):
        world.reviewer.locale = lang
        db.session.commit()
        client = make_client()
        login(client, world.reviewer.email)
        pages[lang] = client.get(f"/plans/{plan.id}/review").get_data(as_text=True)
    assert re.search(r'<option value="goals\.g1\.text"[^>]*>Goal 1</option>', pages["en"])
    assert re.search(r'<option value="goals\.g1\.timeframe"[^>]*>Goal 1, time frame</option>', pages["en"])
    assert re.search(r'<option value="goals\.g1\.text"[^>]*>Mål 1</option>', pages["nb"])


def passage_options(page: str) -> list[tuple[str, bool]]:
    select = re.search(r'<select id="anchor-key"[^>]*>(.*?)</select>', page, re.S)
    assert select
    return [(key, bool(chosen)) for key, chosen in re.findall(r'<option value="([^"]+)"( selected)?', select.group(1))]


def test_each_plan_offers_its_own_passages_to_comment_on_though_the_options_are_kept(make_client, app):
    """The options of "Part of the plan" are kept per text, interface language and chosen passage: two plans with
    different texts each offer their own passages; a passage chosen on a refused comment stays chosen for that
    reviewer only; a made-up passage is kept as none chosen."""
    for store in fragments.STORES.values():
        store.clear()
    first, second = World(), World()
    second.write({**GOOD_CONTENT, "goals": [*GOOD_CONTENT["goals"],
                                            {"id": "g2", "text": "I want to see my daughter", "timeframe": "in May"}]})
    clients = {}
    for world in (first, second):
        plan = world.to_state(PlanState.in_review)
        clients[world] = (make_client(), plan)
        login(clients[world][0], world.reviewer.email)
    (one, first_plan), (two, second_plan) = clients[first], clients[second]
    keys_one = [key for key, _ in passage_options(one.get(f"/plans/{first_plan.id}/review").get_data(as_text=True))]
    keys_two = [key for key, _ in passage_options(two.get(f"/plans/{second_plan.id}/review").get_data(as_text=True))]
    assert "goal:g2" not in " ".join(keys_one) and any("g2" in key for key in keys_two)
    assert set(keys_one) < set(keys_two)
    # A comment whose words are not in the passage is refused; the passage chosen stays chosen, for that page only.
    refused = post(two, f"/plans/{second_plan.id}/review/comments",
                   {"key": keys_two[-1], "quote": "words that are not there", "body": "Say it in her words"})
    assert refused.status_code in (400, 422)
    assert [key for key, chosen in passage_options(refused.get_data(as_text=True)) if chosen] == [keys_two[-1]]
    again = two.get(f"/plans/{second_plan.id}/review").get_data(as_text=True)
    assert not any(chosen for _, chosen in passage_options(again))
    # In Norwegian the same plan's passages read in Norwegian, kept apart from the English ones.
    nb = two.get(f"/plans/{second_plan.id}/review", headers={"Accept-Language": "nb"}).get_data(as_text=True)
    assert [key for key, _ in passage_options(nb)] == keys_two
    labels = re.compile(r'<option value="[^"]+"[^>]*>([^<]+)</option>')
    assert labels.findall(nb) != labels.findall(again) and "Mål 2" in " ".join(labels.findall(nb))
    # A made-up passage is not kept as an entry of its own.
    before = len([key for key in fragments.STORES["content"].keys() if "passage options" in key])
    for n in range(3):
        post(two, f"/plans/{second_plan.id}/review/comments", {"key": f"made-up-{n}", "quote": "x", "body": "y"})
    after = len([key for key in fragments.STORES["content"].keys() if "passage options" in key])
    assert before == 4 and after == before  # per plan, language and chosen passage; nothing for made-up ones
