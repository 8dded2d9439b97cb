"""Quality on the labelled evaluation sets: recall on terms that should be marked, and the share of
clean sentences that are wrongly marked, per language."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from app.language.core import CATEGORIES, check_text

EVALUATION_DIR = Path(__file__).with_name("evaluation")


def load(lang: str) -> list[dict]:
    with (EVALUATION_DIR / f"{lang}.yaml").open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def score(lang: str) -> tuple[float, float, list[str]]:
    """(recall, share of clean sentences marked, the misses and false marks for the message)."""
    found = total = clean = clean_marked = 0
    problems = []
    for item in load(lang):
        text = item["text"]
        findings = check_text(text, lang)
        if not item["flags"]:
            clean += 1
            if findings:
                clean_marked += 1
                problems.append(f"marked a clean sentence: {text!r} {[f.text for f in findings]}")
            continue
        for flag in item["flags"]:
            total += 1
            start = text.index(flag["term"])
            end = start + len(flag["term"])
            if any(f.category == flag["category"] and f.start < end and f.end > start for f in findings):
                found += 1
            else:
                problems.append(f"missed {flag['term']!r} ({flag['category']}) in {text!r}")
    return found / total, clean_marked / clean, problems


@pytest.mark.parametrize("lang", ["en", "nb"])
def test_the_set_is_well_formed(lang):
    items = load(lang)
    for item in items:
        assert set(item) == {"text", "flags"}, item
        for flag in item["flags"]:
            assert flag["term"] in item["text"], item
            assert flag["category"] in CATEGORIES, item


def test_the_sets_are_large_and_hold_enough_clean_sentences():
    items = load("en") + load("nb")
    assert len(items) >= 300
    assert min(len(load("en")), len(load("nb"))) >= 150
    clean = sum(1 for item in items if not item["flags"])
    assert clean / len(items) >= 0.40
    assert len({item["text"] for item in items}) == len(items), "duplicate sentences"


@pytest.mark.parametrize("lang", ["en", "nb"])
def test_recall_and_false_marks(lang):
    recall, clean_marked, problems = score(lang)
    assert recall >= 0.95, "\n".join(problems)
    assert clean_marked <= 0.03, "\n".join(problems)
