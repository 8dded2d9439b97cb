"""A plan's states and what each one means: the only place they are defined.

Which states a student may edit in, which wait for a reviewer, which carry released feedback, and the words each
state is shown with, to a student, to staff on the progress dashboard, and in the audit log. The transitions between
them are in `app.plans.workflow`; every other module asks here (`state.editable`, `OPEN_FOR_REVIEW`, …) instead of
listing states of its own, so a new state or a changed meaning is one change in one place."""
from __future__ import annotations

import enum

from flask_babel import lazy_gettext as _l


class PlanState(str, enum.Enum):
    draft = "draft"
    submitted = "submitted"
    in_review = "in_review"
    returned = "returned"
    completed = "completed"

    @property
    def label(self) -> str:
        """The state's name as a badge shows it ("Feedback returned")."""
        return str(LABELS[self])

    @property
    def editable(self) -> bool:
        """The student may change the draft (in `returned`, the first change starts the revision)."""
        return self in EDITABLE

    @property
    def open_for_review(self) -> bool:
        """Submitted and not yet released: the reviewer's turn."""
        return self in OPEN_FOR_REVIEW

    @property
    def has_feedback(self) -> bool:
        """The latest version's feedback is released to the student."""
        return self in WITH_FEEDBACK

    @property
    def withdrawable(self) -> bool:
        return self in WITHDRAWABLE

    @property
    def next_step(self) -> str:
        """What the student does next, on their assignment's card."""
        return str(NEXT_STEPS[self])

    @property
    def status_for_student(self) -> str:
        """What the plan's page tells its student while they cannot edit it ("" where the page says enough)."""
        text = STUDENT_STATUS.get(self)
        return str(text) if text else ""


S = PlanState

EDITABLE = frozenset({S.draft, S.returned})
# Where a save of the draft is an edit and nothing more (a returned plan's first save is the `revise` transition).
PLAIN_EDIT = frozenset({S.draft})
OPEN_FOR_REVIEW = frozenset({S.submitted, S.in_review})
WAITING_FOR_REVIEWER = frozenset({S.submitted})  # the reviewer may still be allocated, changed or claim it
WITHDRAWABLE = frozenset({S.submitted})
WITH_FEEDBACK = frozenset({S.returned, S.completed})
REVIEW_STARTED = frozenset({S.in_review, S.returned, S.completed})  # the latest version's review has begun
# Feedback is back and the next version is not submitted yet: the student may write or change their reflection,
# reply to the comments and rate them, and write what they will change in each criterion (the revision plan). Once
# the next version is submitted (or the plan is completed), all of it stays as it was, with the version it answered.
REFLECTABLE = frozenset({S.returned, S.draft})
# A reviewer's part is done for now: released, completed, or back with the student for revising.
AFTER_REVIEW = frozenset({S.returned, S.completed, S.draft})

LABELS = {
    S.draft: _l("Draft"),
    S.submitted: _l("Submitted"),
    S.in_review: _l("In review"),
    S.returned: _l("Feedback returned"),
    S.completed: _l("Completed"),
}

NEXT_STEPS = {
    S.draft: _l("Next: keep writing, then submit when you are ready."),
    S.submitted: _l("Next: wait for your instructor to start the review. You can still withdraw it."),
    S.in_review: _l("Next: your instructor is reading your plan."),
    S.returned: _l("Next: read the feedback, reflect, and revise your plan."),
    S.completed: _l("Your plan is complete. Well done."),
}

STUDENT_STATUS = {
    S.submitted: _l("Your plan is submitted and waits for review. You can withdraw it to keep editing until your "
                    "instructor starts the review."),
    S.in_review: _l("Your instructor is reviewing your plan. You will be told when the feedback is ready."),
    S.completed: _l("Your plan is complete. You can print it or download it as PDF."),
}

# --- progress: where each student of an assignment is, as a course leader follows it ------------------------

NOT_STARTED = "not_started"  # a student with no plan yet: not a state of any plan, but a column of the dashboard
PROGRESS = (NOT_STARTED, *(state.value for state in PlanState))
PROGRESS_LABELS = {
    NOT_STARTED: _l("Not started"),
    S.draft.value: _l("Drafting"),
    S.submitted.value: _l("Waiting for review"),
    S.in_review.value: _l("In review"),
    S.returned.value: _l("Returned"),
    S.completed.value: _l("Completed"),
}
# Progress values (strings, as the dashboard's rows carry them) where a review is under way or waited for, and where
# the student has nothing under way yet.
OPEN_FOR_REVIEW_VALUES = frozenset(state.value for state in OPEN_FOR_REVIEW)
NOTHING_SUBMITTED = frozenset({S.draft})  # a plan whose student has nothing under way, unless a version is kept
NOTHING_SUBMITTED_VALUES = frozenset({NOT_STARTED, *(state.value for state in NOTHING_SUBMITTED)})


def label_of(value) -> str:
    """The badge label of a state given as a member or its value; an unknown value is shown as it is."""
    try:
        return PlanState(value).label
    except ValueError:
        return str(value)


# --- a second opinion (moderation): a sub-state of a version in review ----------------------------------------

class SecondOpinionState(str, enum.Enum):
    """Where a second instructor's scoring of a version in review stands. While it is `requested` or `scored` the
    version's feedback cannot be released (nor the plan completed): the decision comes first."""

    requested = "requested"  # a second instructor is asked to score the version on their own
    scored = "scored"  # they have; the decider picks, per criterion, the level to release
    resolved = "resolved"  # decided: the review's levels are the decision, both score sets are kept
    cancelled = "cancelled"  # withdrawn before a decision; the review stands as the first reviewer wrote it

    @property
    def label(self) -> str:
        return str(SECOND_OPINION_LABELS[self])

    @property
    def blocks_release(self) -> bool:
        return self in SECOND_OPINION_OPEN

    @property
    def awaits_scoring(self) -> bool:
        """The second instructor has not scored the version yet."""
        return self in SECOND_OPINION_AWAITING

    @property
    def has_scores(self) -> bool:
        """The second instructor's levels are in: both scorings can be compared."""
        return self in SECOND_OPINION_SCORED

    @property
    def decided(self) -> bool:
        """The review's levels are the ones decided on the second opinion."""
        return self in SECOND_OPINION_DECIDED


SECOND_OPINION_OPEN = frozenset({SecondOpinionState.requested, SecondOpinionState.scored})
SECOND_OPINION_AWAITING = frozenset({SecondOpinionState.requested})
SECOND_OPINION_SCORED = frozenset({SecondOpinionState.scored, SecondOpinionState.resolved})
SECOND_OPINION_DECIDED = frozenset({SecondOpinionState.resolved})
SECOND_OPINION_LABELS = {
    SecondOpinionState.requested: _l("Second opinion requested"),
    SecondOpinionState.scored: _l("Second opinion in, waiting for a decision"),
    SecondOpinionState.resolved: _l("Second opinion resolved"),
    SecondOpinionState.cancelled: _l("Second opinion cancelled"),
}
# How far apart (in levels of the rubric) two instructors' levels on one criterion must be to flag the plan.
DISAGREEMENT_LEVELS = 2
