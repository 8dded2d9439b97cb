"""Every lexicon entry proves itself: its own examples are marked by that entry with its category,
and its not-examples (harmless uses) are not marked at all."""
from __future__ import annotations

import re

import pytest

from app.language.core import CATEGORIES, check_text, lexicon_entries

ENTRIES = [(lang, entry) for lang in ("en", "nb") for entry in lexicon_entries(lang)]
IDS = [entry["id"] for _, entry in ENTRIES]

EXAMPLES = [(lang, entry["id"], entry["category"], example)
            for lang, entry in ENTRIES for example in entry.get("examples") or []]
NOT_EXAMPLES = [(lang, entry["id"], text) for lang, entry in ENTRIES for text in entry.get("not_examples") or []]


def test_lexicons_are_broad():
    assert len(lexicon_entries("en")) >= 150
    assert len(lexicon_entries("nb")) >= 120


def test_ids_are_unique_and_name_language_and_category():
    assert len(IDS) == len(set(IDS))
    for lang, entry in ENTRIES:
        assert entry["id"].startswith(f"{lang}.{entry['category']}."), entry["id"]
        assert entry["category"] in CATEGORIES


def test_every_category_is_covered_in_both_languages():
    for lang in ("en", "nb"):
        assert {e["category"] for e in lexicon_entries(lang)} == set(CATEGORIES)


@pytest.mark.parametrize("lang, entry", ENTRIES, ids=IDS)
def test_entry_has_examples_a_one_sentence_message_and_a_suggestion(lang, entry):
    assert entry.get("examples"), "every entry needs examples"
    assert entry.get("not_examples"), "every entry needs harmless not_examples"
    message = entry["message"].strip()
    assert message.endswith((".", "!", "?")), message
    # one sentence: no sentence end followed by a new capitalised sentence inside the message
    assert not re.search(r"[.!?]\s+[\"«“]?[A-ZÆØÅ]", message[:-1]), message
    assert entry["suggestion"].strip()


@pytest.mark.parametrize("lang, entry", ENTRIES, ids=IDS)
def test_message_is_in_the_language_of_the_lexicon(lang, entry):
    words = set(re.findall(r"[a-zæøå]+", f"{entry['message']} {entry['suggestion']}".lower()))
    english = {"the", "a", "is", "of", "to", "and", "as", "or", "her", "she", "it", "than", "for", "with", "not", "what"}
    norwegian = {"og", "er", "som", "en", "på", "ikke", "det", "til", "av", "at", "med", "i", "hun", "henne", "hva", "om", "for", "eller"}
    if lang == "en":
        assert words & english, entry["message"]
        assert len(words & (norwegian - english - {"i"})) <= 1, entry["message"]
    else:
        assert words & norwegian, entry["message"]
        assert not words & {"the", "and", "is", "of", "what"}, entry["message"]


@pytest.mark.parametrize("lang, rule, category, example", EXAMPLES, ids=[f"{r}:{i}" for i, (_, r, _, _) in enumerate(EXAMPLES)])
def test_examples_are_marked_by_their_entry(lang, rule, category, example):
    findings = check_text(example, lang)
    mine = [f for f in findings if f.rule == rule]
    assert mine, f"{rule} did not mark {example!r}; got {[(f.rule, f.text) for f in findings]}"
    assert all(f.category == category for f in mine)


@pytest.mark.parametrize("lang, rule, text", NOT_EXAMPLES, ids=[f"{r}:{i}" for i, (_, r, _) in enumerate(NOT_EXAMPLES)])
def test_not_examples_are_not_marked(lang, rule, text):
    assert check_text(text, lang) == [], f"{text!r} was marked"
