"""Passages a comment can be anchored to: the text sections and every field of every goal and measure."""
from __future__ import annotations

import copy

import pytest

from app.reviews.anchors import AnchorProblem, anchor_choices, anchor_labels, anchor_texts, locate, make_anchor
from tests.plan_helpers import GOOD_CONTENT

CONTENT = copy.deepcopy(GOOD_CONTENT)
CONTENT["goals"].append({"id": "g2", "text": "I want to cook again", "timeframe": ""})


def test_passages_are_in_reading_order_with_a_label_each(app):
    with app.test_request_context():
        texts, labels = anchor_texts(CONTENT), anchor_labels(CONTENT)
        assert list(texts) == list(labels)
        assert list(texts)[:5] == ["what_matters", "strengths", "network", "goals.g1.text", "goals.g1.timeframe"]
        assert list(texts).index("measures.m1.due") < list(texts).index("coordinator")
        assert "measures.m1.goal_id" not in texts  # a choice of goal, not words to comment on
        assert labels["goals.g2.text"] == "Goal 2" and labels["goals.g1.timeframe"] == "Goal 1, time frame"
        assert labels["measures.m1.service"] == "Measure 1, service" and labels["network"] == "My network"
        choices = dict(anchor_choices(CONTENT))
        assert "goals.g2.timeframe" not in choices and choices["measures.m1.due"] == "Measure 1, by when"


def test_a_comment_on_a_row_field_is_found_again_when_rows_move_and_words_are_added():
    anchor = make_anchor(anchor_texts(CONTENT), "measures.m1.service", "office", None)
    assert (anchor.start, anchor.quote) == (len("Housing "), "office")
    with pytest.raises(AnchorProblem):
        make_anchor(anchor_texts(CONTENT), "measures.m1.service", "Case worker", None)  # in another field
    later = copy.deepcopy(CONTENT)
    later["measures"].insert(0, {"id": "m9", "what": "Call the office", "service": "GP office", "role": "", "due": "",
                                 "goal_id": "g1"})
    later["measures"][1]["service"] = "The Housing office in Fjordvik"
    texts = anchor_texts(later)
    where = locate(anchor.key, anchor.quote, anchor.start, anchor.prefix, anchor.suffix, texts)
    assert where is not None and texts["measures.m1.service"][where[0]:where[1]] == "office"
    later["measures"] = later["measures"][:1]  # the measure is gone: its comment has no passage any more
    assert locate(anchor.key, anchor.quote, anchor.start, anchor.prefix, anchor.suffix, anchor_texts(later)) is None
