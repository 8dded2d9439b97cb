"""Who may see reviews and feedback, and who may write them. Views and templates ask these same functions."""
from __future__ import annotations

from flask import abort

from app.cohorts.models import Role
from app.cohorts.policies import role_in, teaches_anywhere
from app.plans.models import Plan
from app.plans.policies import require_view
from app.plans.states import REFLECTABLE
from app.plans.workflow import is_owner, is_reviewer
from app.reviews.signals import review_checked


def can_review(user, plan) -> bool:
    return is_reviewer(plan, user)


def can_edit_review(user, plan) -> bool:
    """The reviewer, while the plan waits for or is in review (not after release or completion)."""
    return is_reviewer(plan, user) and plan.state.open_for_review


def can_see_review_page(user, plan) -> bool:
    """The reviewer, and course leaders of the cohort (who may also complete the plan)."""
    return is_reviewer(plan, user) or role_in(user, plan.assignment.cohort_id) == Role.leader


def require_review_page(user, plan: Plan | None) -> Plan:
    """The plan, if `user` may open its review page (its reviewer, a leader of its cohort)."""
    found = require_view(user, plan)
    if not can_see_review_page(user, found):
        abort(403)
    return found


def require_staff_of(user, plan) -> None:
    """Allocating or claiming: staff of the plan's cohort go on (their right is checked next); a student of the
    cohort is told nothing exists (404), as for any plan not theirs."""
    if role_in(user, plan.assignment.cohort_id) == Role.student:
        abort(404)


def can_see_feedback(user, plan) -> bool:
    return is_owner(plan, user) or can_see_review_page(user, plan)


def can_reflect(user, plan) -> bool:
    """The student, once feedback is back and until the next version is submitted."""
    return is_owner(plan, user) and plan.state in REFLECTABLE


def answers_latest_feedback(plan, review) -> bool:
    """The review is released and is on the plan's latest version still standing (not withdrawn): what the student
    answers now. Once a later version is submitted, the answers to this review stay with its version."""
    if review is None or review.released_at is None:
        return False
    standing = [v.number for v in plan.versions if v.withdrawn_at is None]
    return bool(standing) and review.version.number == max(standing)


def can_answer_feedback(user, plan, review) -> bool:
    """Reply to the comments of released feedback, rate them, write the revision plan for it: the plan's author,
    while the plan is theirs to act on (feedback returned, or revising: `REFLECTABLE`), and only on the latest
    released feedback. Not after the next version is submitted, nor once the plan is completed."""
    return can_reflect(user, plan) and answers_latest_feedback(plan, review)


def can_allocate(user, cohort) -> bool:
    return role_in(user, cohort) == Role.leader


def is_instructor_of(user, cohort_id) -> bool:
    return role_in(user, cohort_id) == Role.instructor


def can_keep_a_comment_bank(user) -> bool:
    """Anyone who teaches in some cohort (instructor or course leader) keeps their own bank of comments."""
    return teaches_anywhere(user)


def version_under_review(plan):
    """The version a review page shows: the one under way, else (after a withdrawal or once a revision has begun)
    the latest submitted one."""
    return plan.current_version or plan.latest_version


def review_blockers(plan, actor) -> list[dict]:
    """What must be done before `actor` claims this plan or starts its review ({"message", "link", "label"} each),
    as the domains that listen to `review_checked` answer (calibration first, where the assignment requires it)."""
    return [blocker for _receiver, answer in review_checked.send(plan, actor=actor) for blocker in answer or []]
def teaches_in(user, cohort_id) -> bool:
    """An instructor or course leader of the cohort (who may be asked for, or decide, a second opinion)."""
    return role_in(user, cohort_id) in (Role.instructor, Role.leader)
