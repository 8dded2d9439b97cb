"""The agreement figures: Krippendorff's alpha for ordered levels per criterion, and each rater's typical offset."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.reviews.agreement import MIN_UNITS, Rating, agreement, offsets, offsets_from

LEVELS = ["v1", "v2", "v3", "v4", "v5"]

# Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", section C: four observers, twelve units, values
# 1-5, "." where an observer gave no value. Published: nominal .743, ordinal .815, interval .849.
KRIPPENDORFF_2011 = {
    "A": "1 2 3 3 2 1 4 1 2 . . .",
    "B": "1 2 3 3 2 2 4 1 2 5 . 3",
    "C": ". 3 3 3 2 3 4 2 2 5 1 .",
    "D": "1 2 3 3 2 4 4 1 2 5 1 .",
}


def _worked_example() -> list[Rating]:
    return [Rating(f"unit-{unit}", rater, "c", f"v{value}")
            for rater, (_name, row) in enumerate(KRIPPENDORFF_2011.items(), start=1)
            for unit, value in enumerate(row.split(), start=1) if value != "."]


def test_the_published_worked_example_gives_the_published_ordinal_alpha():
    [result] = agreement(_worked_example(), {"c": LEVELS})
    assert result.alpha == pytest.approx(0.815, abs=0.0005)
    assert result.units == 11  # unit 12 has one value only: it is not pairable
    assert result.raters == 4


def test_too_few_shared_units_is_not_enough_data():
    ratings = [Rating("u1", 1, "c", "v1"), Rating("u1", 2, "c", "v3"), Rating("u2", 1, "c", "v2")]
    [result] = agreement(ratings, {"c": LEVELS})
    assert result.alpha is None and result.units == 1 and result.units_missing == MIN_UNITS - 1


def test_every_rating_the_same_level_leaves_alpha_undefined():
    ratings = [Rating(unit, rater, "c", "v2") for unit in ("u1", "u2", "u3") for rater in (1, 2)]
    [result] = agreement(ratings, {"c": LEVELS})
    assert result.alpha is None and result.units == 3 and result.units_missing == 0


def test_a_criterion_without_ratings_is_listed_with_no_data():
    results = agreement([], {"a": LEVELS, "b": LEVELS})
    assert [(r.criterion_key, r.alpha, r.units, r.raters) for r in results] == [("a", None, 0, 0), ("b", None, 0, 0)]


@settings(max_examples=60, deadline=None)
@given(values=st.lists(st.integers(0, 4), min_size=MIN_UNITS, max_size=12).filter(lambda v: len(set(v)) > 1),
       raters=st.integers(2, 6))
def test_identical_ratings_by_every_rater_give_alpha_one(values, raters):
    ratings = [Rating(f"u{unit}", rater, "c", LEVELS[value]) for unit, value in enumerate(values)
               for rater in range(raters)]
    [result] = agreement(ratings, {"c": LEVELS})
    assert result.alpha == pytest.approx(1.0)
    assert result.units == len(values) and result.raters == raters


def test_a_rater_one_level_lower_than_two_others_is_one_level_harsher():
    ratings = []
    for unit, level in (("u1", 2), ("u2", 3)):
        ratings += [Rating(unit, 1, "c", LEVELS[level]), Rating(unit, 2, "c", LEVELS[level]),
                    Rating(unit, 3, "c", LEVELS[level - 1])]
    found = offsets(ratings, {"c": LEVELS})
    assert found[3].overall == pytest.approx(-1.0) and found[3].units == 2
    assert found[1].overall == pytest.approx(0.5) and found[1].by_criterion["c"] == pytest.approx(0.5)


def test_offset_from_the_reference_is_per_criterion_and_overall():
    reference = {("u1", "a"): "v3", ("u1", "b"): "v3"}
    ratings = [Rating("u1", 7, "a", "v2"), Rating("u1", 7, "b", "v4"), Rating("u1", 8, "a", "v3")]
    found = offsets_from(reference, ratings, {"a": LEVELS, "b": LEVELS})
    assert found[7].by_criterion == {"a": -1.0, "b": 1.0} and found[7].overall == 0.0
    assert found[8].overall == 0.0 and found[8].units == 1
