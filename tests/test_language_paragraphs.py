"""Quality on realistic care-plan paragraphs written apart from the assistant's rules
(tests/language/paragraphs): the share of marked spans the assistant finds, and clean paragraphs it
leaves alone, per language. The floors are the figures measured when the set was written; they are
raised as the rules improve and must never fall."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from app.language.core import CATEGORIES
from app.language.services import check_field

PARAGRAPHS_DIR = Path(__file__).parent / "language" / "paragraphs"

# share of marked spans found by a finding of the same category, at least
RECALL_FLOOR = {"en": 0.49, "nb": 0.39}
# share of clean paragraphs with any finding, at most
CLEAN_MARKED_CEILING = {"en": 0.0, "nb": 0.16}


def load(lang: str) -> list[dict]:
    with (PARAGRAPHS_DIR / f"{lang}.yaml").open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def score(lang: str) -> tuple[float, float, list[str], list[str]]:
    """(recall, share of clean paragraphs marked, the spans missed, the clean paragraphs marked)."""
    found = total = clean = 0
    missed, marked = [], []
    for item in load(lang):
        text = item["text"]
        findings = check_field(text, lang)
        if not item["flags"]:
            clean += 1
            if findings:
                marked.append(f"{item['id']}: {[f['text'] for f in findings]}")
            continue
        for flag in item["flags"]:
            total += 1
            start = text.index(flag["term"])
            end = start + len(flag["term"])
            if any(f["category"] == flag["category"] and f["start"] < end and f["end"] > start for f in findings):
                found += 1
            else:
                missed.append(f"{item['id']}: {flag['term']!r} ({flag['category']})")
    return found / total, len(marked) / clean, missed, marked


@pytest.mark.parametrize("lang", ["en", "nb"])
def test_the_paragraph_set_is_well_formed(lang):
    items = load(lang)
    assert len(items) >= 30
    assert sum(1 for item in items if not item["flags"]) * 3 >= len(items), "a third of the paragraphs are clean"
    assert len({item["id"] for item in items}) == len(items), "duplicate ids"
    assert len({item["text"] for item in items}) == len(items), "duplicate paragraphs"
    for item in items:
        assert set(item) == {"id", "text", "flags"}, item
        assert item["text"].count(". ") >= 1, f"{item['id']} is a paragraph, not one sentence"
        for flag in item["flags"]:
            assert flag["term"] in item["text"], item["id"]
            assert flag["category"] in CATEGORIES, item["id"]


@pytest.mark.parametrize("lang", ["en", "nb"])
def test_recall_on_the_paragraphs_does_not_fall(lang):
    recall, _, missed, _ = score(lang)
    assert recall >= RECALL_FLOOR[lang], f"recall {recall:.3f}; missed:\n" + "\n".join(missed)


@pytest.mark.parametrize("lang", ["en", "nb"])
def test_clean_paragraphs_stay_unmarked(lang):
    _, clean_marked, _, marked = score(lang)
    assert clean_marked <= CLEAN_MARKED_CEILING[lang], f"clean paragraphs marked {clean_marked:.3f}:\n" + "\n".join(marked)
