"""Who may read rubrics: the same rules as the case they are set with."""
from __future__ import annotations

from app.cases.policies import can_browse_library, can_read_assignment_case


def can_browse_rubrics(user) -> bool:
    return can_browse_library(user)


def can_read_assignment_rubric(user, assignment, now=None) -> bool:
    """Students see the rubric of an assignment from the day it opens, like its case."""
    return can_read_assignment_case(user, assignment, now)
