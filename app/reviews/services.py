"""Reviewing: allocation, scoring, anchored comments, release, completion, reflection. Services flush; callers commit."""
from __future__ import annotations

from flask_babel import gettext as _

from app.assignments.models import Assignment
from app.auth.models import User
from app.cases.models import localized
from app.cohorts.models import Membership, Role
from app.db import db, utcnow
from app.errors import Conflict, InvalidTransition, NotFound, NotPermitted, NotReady, ValidationError
from app.plans import services as plan_services
from app.plans import workflow
from app.plans.content import too_long_message
from app.plans.models import Plan, PlanVersion
from app.plans.states import OPEN_FOR_REVIEW, REFLECTABLE, WAITING_FOR_REVIEWER, PlanState
from app.plans.workflow import PlanAction
from app.reviews import policies
from app.reviews.anchors import AnchorProblem, anchor_texts, make_anchor
from app.reviews.models import (
    HELPFUL_VALUES,
    INTENTION_OUTCOMES,
    REPLY_KINDS,
    AnchoredComment,
    CommentBankEntry,
    CriterionScore,
    FeedbackReply,
    Reflection,
    Review,
    RevisionIntention,
)
from app.reviews.second_opinions import decided_levels
from app.reviews.signals import feedback_released, feedback_replied, reviewer_changed

MAX_COMMENT = 5000


# --- allocation ------------------------------------------------------------------------------------------

def open_reviews_by_instructor(cohort_id: int) -> dict[int, int]:
    """Open reviews (submitted or in review) per instructor of the cohort, zero included."""
    instructors = db.session.scalars(db.select(Membership.user_id).where(
        Membership.cohort_id == cohort_id, Membership.role == Role.instructor)).all()
    load = {user_id: 0 for user_id in instructors}
    rows = db.session.execute(
        db.select(Plan.reviewer_id, db.func.count(Plan.id)).join(Assignment, Assignment.id == Plan.assignment_id)
        .where(Assignment.cohort_id == cohort_id, Plan.state.in_(sorted(OPEN_FOR_REVIEW)), Plan.reviewer_id.is_not(None))
        .group_by(Plan.reviewer_id)).all()
    for reviewer_id, count in rows:
        if reviewer_id in load:
            load[reviewer_id] = count
    return load


def waiting_plans(assignment) -> list[Plan]:
    """Submitted plans without a reviewer, oldest submission first."""
    latest = (db.select(PlanVersion.plan_id, db.func.max(PlanVersion.submitted_at).label("at"))
              .group_by(PlanVersion.plan_id).subquery())
    return list(db.session.scalars(
        db.select(Plan).join(latest, latest.c.plan_id == Plan.id)
        .where(Plan.assignment_id == assignment.id, Plan.state.in_(sorted(WAITING_FOR_REVIEWER)),
               Plan.reviewer_id.is_(None))
        .order_by(latest.c.at, Plan.id)))


def _is_instructor(cohort_id: int, user_id: int) -> bool:
    return db.session.scalar(db.select(Membership.id).where(
        Membership.cohort_id == cohort_id, Membership.user_id == user_id, Membership.role == Role.instructor)) is not None


def allocate(plan: Plan, reviewer, actor) -> None:
    """A course leader sets or changes the reviewer of a submitted plan."""
    if reviewer.id == plan.student_id:
        raise NotPermitted(_("Nobody reviews their own plan: its author cannot be its reviewer. Nothing was changed."))
    if not _is_instructor(plan.assignment.cohort_id, reviewer.id):
        raise ValidationError(_("%(name)s is not an instructor in this cohort.", name=reviewer.name))
    # Hold the plan's row while its reviewer changes: a second leader changing it at the same moment waits and
    # then sees this change, so the audit trail and the notices name the reviewer each change really replaced.
    plan_services.lock(plan)
    previous = plan.reviewer
    workflow.apply(plan, PlanAction.allocate, actor, reviewer=reviewer,
                   previous_reviewer_id=previous.id if previous else None)
    if previous is None or previous.id != reviewer.id:
        reviewer_changed.send(plan, reviewer=reviewer, previous=previous, actor=actor)


def allocate_all(assignment, actor) -> list[tuple[Plan, User]]:
    """Give every waiting plan a reviewer, the least loaded instructor first (ties: the longest-serving). A plan
    that another leader or a claiming instructor took at the same moment is skipped."""
    load = open_reviews_by_instructor(assignment.cohort_id)
    if not load:
        raise ValidationError(_("This cohort has no instructors yet. Give someone the instructor role first."))
    users = {u.id: u for u in db.session.scalars(db.select(User).where(User.id.in_(list(load))))}
    done = []
    for plan in waiting_plans(assignment):
        candidates = [uid for uid in load if uid != plan.student_id]  # nobody reviews their own plan
        if not candidates:
            continue
        reviewer = users[min(candidates, key=lambda uid: (load[uid], uid))]
        try:  # a refused transition has changed nothing
            workflow.apply(plan, PlanAction.allocate, actor, reviewer=reviewer)
        except (Conflict, InvalidTransition):
            continue
        load[reviewer.id] += 1
        reviewer_changed.send(plan, reviewer=reviewer, previous=None, actor=actor)
        done.append((plan, reviewer))
    return done


def require_ready_to_review(plan: Plan, actor) -> None:
    """Refuse, with a link to where it is done, while something must come first (e.g. a calibration review)."""
    blockers = policies.review_blockers(plan, actor)
    if blockers:
        first = blockers[0]
        raise NotReady(first["message"], first["link"], first["label"])


def claim(plan: Plan, actor) -> None:
    """An instructor of the cohort takes an unallocated plan. Only one of two instructors racing wins."""
    if plan.reviewer_id is not None:
        raise Conflict(_("Someone else already reviews this plan."))
    if workflow.is_cohort_instructor(plan, actor):
        require_ready_to_review(plan, actor)
    try:
        workflow.apply(plan, PlanAction.claim, actor, reviewer=actor)
    except Conflict:
        raise Conflict(_("Someone else claimed this plan just now.")) from None


# --- the review ------------------------------------------------------------------------------------------

def review_for(version: PlanVersion) -> Review | None:
    return db.session.scalar(db.select(Review).where(Review.plan_version_id == version.id))


def current_review(plan: Plan) -> Review | None:
    version = plan.current_version
    return review_for(version) if version else None


def _require_reviewer(plan: Plan, actor) -> None:
    if not workflow.is_reviewer(plan, actor):
        raise NotPermitted(_("Only the reviewer allocated to this plan can review it."))
    if not plan.state.open_for_review:
        raise Conflict(_("This plan is not waiting for a review (it is \"%(state)s\").", state=plan.state.label))


class ReviewConflict(Conflict):
    """A save of the review sent from a page that read an older save of it (another tab or window saved since):
    refused, with the review as it is now, so that the reviewer chooses which text to keep."""

    def __init__(self, review: Review):
        super().__init__(_("This review was saved in another tab or window after this page read it."))
        self.review = review


def _ensure_review(plan: Plan, actor) -> Review:
    """The review of the current version; the reviewer's first save starts the review."""
    # Hold the plan's row until the commit: a save or a comment sent from another tab at the same moment waits
    # and then finds the review this one created, instead of creating a second one (a unique-key error).
    plan_services.lock(plan)
    _require_reviewer(plan, actor)
    if plan.state == PlanState.submitted:  # the first save starts the review: not before what must come first
        require_ready_to_review(plan, actor)
    version = plan.current_version
    assert version is not None  # a plan its reviewer may review has a version under way
    # Read afresh under the lock: its save token is what another tab's save may just have counted up.
    review = db.session.scalar(db.select(Review).where(Review.plan_version_id == version.id)
                               .execution_options(populate_existing=True))
    if review is None:
        review = Review(plan_id=plan.id, plan_version_id=version.id, reviewer_id=actor.id, save_token=0)
        db.session.add(review)
        db.session.flush()
    if plan.state == PlanState.submitted:
        workflow.apply(plan, PlanAction.start_review, actor, version=version.number)
    return review


def save_review(plan: Plan, actor, *, scores: dict, overall: str, save_token: int | None = None) -> Review:
    """scores: {criterion_key: {"level": level_key or "", "comment": str, "intention": outcome or ""}}: "intention"
    marks what the student planned to change in that criterion after the previous review (`INTENTION_OUTCOMES`;
    kept only where they planned something). save_token: the review's save token as the page read it (0 before the
    first save); a save over a newer save is refused with `ReviewConflict`. Each save counts the token up."""
    review = _ensure_review(plan, actor)
    planned = set(intentions_answered_by(plan, review.version))
    if save_token is not None and save_token != review.save_token and review.save_token > 0:
        raise ReviewConflict(review)  # (a review never saved before has nothing to overwrite)
    rubric = plan.rubric_version
    levels, criteria = set(rubric.level_keys()), rubric.criterion_keys()
    decided = decided_levels(review.version)  # after a second opinion, the levels are the decision's
    for key in criteria:
        given = scores.get(key) or {}
        level = (given.get("level") or "").strip() or None
        if key in decided:
            level = decided[key]
        if level is not None and level not in levels:
            raise ValidationError(_("Unknown level for %(criterion)s.", criterion=key))
        comment = (given.get("comment") or "").strip()
        if len(comment) > MAX_COMMENT:
            raise ValidationError(_("A comment can have at most %(n)d characters.", n=MAX_COMMENT))
        outcome = (given.get("intention") or "").strip() or None
        if outcome is not None and outcome not in INTENTION_OUTCOMES:
            raise ValidationError(_("Unknown mark for the revision plan of %(criterion)s.", criterion=key))
        score = review.score_for(key)
        if score is None:
            score = CriterionScore(criterion_key=key)
            review.scores.append(score)
        score.level_key, score.comment = level, comment
        score.intention_outcome = outcome if key in planned else None
    if len(overall or "") > MAX_COMMENT * 2:
        raise ValidationError(_("The overall message is too long."))
    review.overall = (overall or "").strip()
    review.save_token += 1
    review.updated_at = utcnow()
    db.session.flush()
    return review


class CommentProblem(ValidationError):
    """A passage comment that cannot be added, and which of what was typed is wrong: "quote" (the words, or the
    part of the plan they were looked for in) or "body" (the comment itself)."""

    def __init__(self, message: str, field: str):
        super().__init__(message)
        self.field = field


def add_comment(plan: Plan, actor, *, key: str, quote: str, start: int | None, body: str) -> AnchoredComment:
    review = _ensure_review(plan, actor)
    body = (body or "").strip()
    if not body:
        raise CommentProblem(_("Write the comment first."), "body")
    if len(body) > MAX_COMMENT:
        raise CommentProblem(_("A comment can have at most %(n)d characters.", n=MAX_COMMENT), "body")
    if not (quote or "").strip():
        raise CommentProblem(_("Select the words in the plan you comment on, or copy them into “The exact words”."),
                             "quote")
    try:
        anchor = make_anchor(anchor_texts(review.version.content), key, quote, start)
    except AnchorProblem:
        raise CommentProblem(_("That passage was not found in this part of the plan. Select the text again, "
                               "or copy it exactly."), "quote") from None
    comment = AnchoredComment(review_id=review.id, anchor_key=anchor.key, quote=anchor.quote, start=anchor.start,
                              end=anchor.end, prefix=anchor.prefix, suffix=anchor.suffix, body=body)
    db.session.add(comment)
    review.updated_at = utcnow()
    db.session.flush()
    return comment


def get_comment(plan: Plan, comment_id: int) -> AnchoredComment:
    comment = db.session.get(AnchoredComment, comment_id)
    if comment is None or comment.review.plan_id != plan.id:
        raise NotFound()
    return comment


def delete_comment(plan: Plan, actor, comment: AnchoredComment) -> None:
    _require_reviewer(plan, actor)
    if comment.review.released_at is not None:
        raise Conflict(_("Released feedback cannot be changed."))
    db.session.delete(comment)
    db.session.flush()


def _finish(plan: Plan, actor, action: PlanAction) -> Review:
    version = plan.current_version
    review = review_for(version) if version else None
    if version is None or review is None:
        raise Conflict(_("Write the review before you release it."))
    if action == PlanAction.release and not (review.overall or review.comments
                                             or any(s.level_key or s.comment for s in review.scores)):
        raise ValidationError(_("Write some feedback (a level, a comment or an overall message) before releasing."))
    workflow.apply(plan, action, actor, version=version.number, review_id=review.id)
    review.released_at = utcnow()
    db.session.flush()
    feedback_released.send(plan, review=review, version=version, actor=actor,
                           completed=action == PlanAction.complete)
    return review


def release_warnings(plan: Plan, locale: str) -> list[str]:
    """What the review of the current version leaves out, to warn about before it is released: the criteria
    without a level, and a missing overall message. It warns only; releasing stays allowed."""
    version = plan.current_version
    review = review_for(version) if version else None
    rubric = plan.rubric_version
    scored = {s.criterion_key for s in review.scores if s.level_key} if review else set()
    missing = [localized(c["title"], locale) for c in rubric.criteria if c["key"] not in scored]
    warnings = []
    if missing:
        warnings.append(_("No level is given for %(n)d of %(total)d criteria: %(names)s.", n=len(missing),
                          total=len(rubric.criteria), names=", ".join(missing)))
    if review is None or not (review.overall or "").strip():
        warnings.append(_("There is no overall message."))
    return warnings


def release(plan: Plan, actor) -> Review:
    return _finish(plan, actor, PlanAction.release)


def complete(plan: Plan, actor) -> Review:
    return _finish(plan, actor, PlanAction.complete)


def released_reviews(plan: Plan) -> list[Review]:
    return list(db.session.scalars(db.select(Review).join(PlanVersion, PlanVersion.id == Review.plan_version_id)
                                   .where(Review.plan_id == plan.id, Review.released_at.is_not(None))
                                   .order_by(PlanVersion.number)))


def previous_released_review(plan: Plan, version: PlanVersion) -> Review | None:
    earlier = [r for r in released_reviews(plan) if r.version.number < version.number]
    return earlier[-1] if earlier else None


# --- the student's side ---------------------------------------------------------------------------------

def set_addressed(plan: Plan, actor, comment: AnchoredComment, addressed: bool) -> None:
    if not workflow.is_owner(plan, actor):
        raise NotPermitted(_("Only the student can mark comments as addressed."))
    if comment.review.released_at is None:
        raise NotFound()
    comment.addressed_at = utcnow() if addressed else None
    db.session.flush()


def save_reflection(plan: Plan, actor, version: PlanVersion, text: str) -> Reflection:
    if not workflow.is_owner(plan, actor):
        raise NotPermitted(_("Only the student writes the reflection."))
    if plan.state not in REFLECTABLE:
        raise Conflict(_("The reflection is written while you revise: this version is already submitted."))
    review = review_for(version)
    if review is None or review.released_at is None:
        raise Conflict(_("You can reflect once the feedback is released."))
    text = reflection_text(text)
    if not text:
        raise ValidationError(_("Write a few sentences: what will you change, and why?"))
    if reflection_over(text):
        raise ValidationError(too_long_message(reflection_over(text), MAX_COMMENT))
    reflection = db.session.scalar(db.select(Reflection).where(Reflection.plan_version_id == version.id))
    if reflection is None:
        reflection = Reflection(plan_id=plan.id, plan_version_id=version.id, text=text)
        db.session.add(reflection)
    else:
        reflection.text, reflection.updated_at = text, utcnow()
    db.session.flush()
    return reflection


def reflection_text(text: str | None) -> str:
    """A reflection as it is kept: plain line breaks (a form sends each as two characters), no space around it."""
    return (text or "").replace("\r\n", "\n").strip()


def reflection_over(text: str | None) -> int:
    """How many characters a reflection is past its limit (0 when it fits), counted as it would be kept."""
    return max(0, len(reflection_text(text)) - MAX_COMMENT)


def reflection_for(version: PlanVersion) -> Reflection | None:
    return db.session.scalar(db.select(Reflection).where(Reflection.plan_version_id == version.id))


# --- the student's answers: replies, ratings, the revision plan --------------------------------------------

def _require_answering(plan: Plan, actor, review: Review) -> None:
    """The student answers released feedback while it is theirs to act on (`policies.can_answer_feedback`)."""
    if not workflow.is_owner(plan, actor):
        raise NotPermitted(_("Only the student who wrote the plan answers its feedback."))
    if review.released_at is None:
        raise NotFound()
    if not policies.can_answer_feedback(actor, plan, review):
        raise Conflict(_("This feedback was answered with the version submitted after it: your replies, ratings "
                         "and revision plan are kept as they were then."))


def get_released_comment(plan: Plan, comment_id: int) -> AnchoredComment:
    """A passage comment of this plan's released feedback (unreleased ones do not exist for the student)."""
    comment = db.session.get(AnchoredComment, comment_id)
    if comment is None or comment.review.plan_id != plan.id or comment.review.released_at is None:
        raise NotFound()
    return comment


def get_released_score(plan: Plan, score_id: int) -> CriterionScore:
    """A criterion's level and comment in this plan's released feedback."""
    score = db.session.get(CriterionScore, score_id)
    if score is None or score.review.plan_id != plan.id or score.review.released_at is None:
        raise NotFound()
    return score


def get_reply(plan: Plan, reply_id: int) -> FeedbackReply:
    reply = db.session.get(FeedbackReply, reply_id)
    if reply is None or reply.review.plan_id != plan.id or reply.review.released_at is None:
        raise NotFound()
    return reply


def reply_text(body: str | None) -> str:
    """A reply as it is kept: plain line breaks, no space around it."""
    return (body or "").replace("\r\n", "\n").strip()


def _checked_reply(kind: str | None, body: str | None) -> tuple[str | None, str]:
    kind = (kind or "").strip() or None
    if kind is not None and kind not in REPLY_KINDS:
        raise ValidationError(_("Choose what your reply is: a question, a disagreement, or done."))
    body = reply_text(body)
    if not body and kind is None:
        raise ValidationError(_("Write your reply, or choose what it is (a question, “I disagree”, or “Done”)."))
    if kind == "disagree" and not body:
        raise ValidationError(_("Say why you disagree: your reviewer reads it with your next version."))
    if len(body) > MAX_COMMENT:
        raise ValidationError(too_long_message(len(body) - MAX_COMMENT, MAX_COMMENT))
    return kind, body


def add_reply(plan: Plan, actor, target: AnchoredComment | CriterionScore, kind: str | None,
              body: str | None) -> FeedbackReply:
    """The student's reply to a passage comment or a criterion's comment of released feedback."""
    review = target.review
    _require_answering(plan, actor, review)
    if isinstance(target, CriterionScore) and not (target.comment or target.level_key):
        raise NotFound()
    kind, body = _checked_reply(kind, body)
    reply = FeedbackReply(review_id=review.id, author_id=actor.id, kind=kind, body=body,
                          comment_id=target.id if isinstance(target, AnchoredComment) else None,
                          score_id=target.id if isinstance(target, CriterionScore) else None)
    db.session.add(reply)
    db.session.flush()
    target.replies.append(reply)
    feedback_replied.send(plan, review=review, reply=reply, actor=actor)
    return reply


def edit_reply(plan: Plan, actor, reply: FeedbackReply, kind: str | None, body: str | None) -> FeedbackReply:
    _require_answering(plan, actor, reply.review)
    reply.kind, reply.body = _checked_reply(kind, body)
    reply.updated_at = utcnow()
    db.session.flush()
    return reply


def delete_reply(plan: Plan, actor, reply: FeedbackReply) -> None:
    _require_answering(plan, actor, reply.review)
    db.session.delete(reply)
    db.session.flush()


def rate(plan: Plan, actor, target: AnchoredComment | CriterionScore, value) -> None:
    """How helpful the student found a comment (`HELPFUL_VALUES`), or no rating (None, "")."""
    _require_answering(plan, actor, target.review)
    if isinstance(target, CriterionScore) and not target.comment:
        raise ValidationError(_("This criterion has a level but no comment to rate."))
    if value in (None, ""):
        rating = None
    else:
        try:
            rating = int(value)
        except (TypeError, ValueError):
            rating = None
        if rating not in HELPFUL_VALUES:
            raise ValidationError(_("Choose how helpful the comment was: not helpful, somewhat or very helpful."))
    target.helpful = rating
    db.session.flush()


def criteria_to_plan(plan: Plan, review: Review) -> list[str]:
    """The criteria the student writes a revision plan for: those the review placed below the rubric's top level,
    in the rubric's order (a criterion without a level was not assessed and asks for nothing)."""
    rubric = plan.rubric_version
    levels = rubric.level_keys()
    top = levels[-1] if levels else None
    below = {s.criterion_key for s in review.scores if s.level_key and s.level_key != top}
    return [key for key in rubric.criterion_keys() if key in below]


def intentions_of(review: Review) -> dict[str, RevisionIntention]:
    """What the student said they would change after this review, by criterion."""
    return {i.criterion_key: i for i in db.session.scalars(
        db.select(RevisionIntention).where(RevisionIntention.review_id == review.id))}


def intentions_answered_by(plan: Plan, version: PlanVersion) -> dict[str, RevisionIntention]:
    """The revision plan a version answers: written after the review released on the version before it."""
    previous = previous_released_review(plan, version)
    return intentions_of(previous) if previous is not None else {}


def save_intentions(plan: Plan, actor, review: Review, texts: dict) -> dict[str, RevisionIntention]:
    """The student's revision plan after `review`: {criterion_key: text} for the criteria it asks for (others are
    refused); an emptied box removes what was written. Answers the revision plan as it now stands."""
    _require_answering(plan, actor, review)
    wanted = criteria_to_plan(plan, review)
    unknown = [key for key in texts if key not in wanted]
    if unknown:
        raise ValidationError(_("A revision plan is written for the criteria below the top level only."))
    for raw in texts.values():
        if isinstance(raw, str) and reflection_over(raw):
            raise ValidationError(too_long_message(reflection_over(raw), MAX_COMMENT))
    kept = intentions_of(review)
    now = utcnow()
    for key, raw in texts.items():
        text = reflection_text(raw if isinstance(raw, str) else "")
        found = kept.get(key)
        if not text:
            if found is not None:
                db.session.delete(found)
                del kept[key]
        elif found is None:
            kept[key] = RevisionIntention(plan_id=plan.id, review_id=review.id, criterion_key=key, text=text)
            db.session.add(kept[key])
        elif found.text != text:
            found.text, found.updated_at = text, now
    db.session.flush()
    return kept


def latest_released_review(plan: Plan) -> Review | None:
    reviews = released_reviews(plan)
    return reviews[-1] if reviews else None


def missing_intentions(plan: Plan, locale: str) -> list[str]:
    """The criteria (by title) the student has not yet said what they will change in, after the feedback they are
    answering now; empty when there is nothing to plan."""
    review = latest_released_review(plan)
    if review is None or not policies.answers_latest_feedback(plan, review):
        return []
    written = {key for key, i in intentions_of(review).items() if i.text.strip()}
    titles = {c["key"]: localized(c["title"], locale) for c in plan.rubric_version.criteria}
    return [titles.get(key, key) for key in criteria_to_plan(plan, review) if key not in written]


def reply_counts(plan: Plan) -> dict[int, int]:
    """How many replies the student wrote to the released feedback on each version, by version id."""
    rows = db.session.execute(
        db.select(Review.plan_version_id, db.func.count(FeedbackReply.id))
        .join(FeedbackReply, FeedbackReply.review_id == Review.id)
        .where(Review.plan_id == plan.id, Review.released_at.is_not(None))
        .group_by(Review.plan_version_id)).all()
    return {version_id: count for version_id, count in rows}


# --- the comment bank -----------------------------------------------------------------------------------

def bank_of(user) -> list[CommentBankEntry]:
    return list(db.session.scalars(db.select(CommentBankEntry).where(CommentBankEntry.owner_id == user.id)
                                   .order_by(CommentBankEntry.updated_at.desc())))


def _bank_text(text: str) -> str:
    text = (text or "").strip()
    if not text:
        raise ValidationError(_("A saved comment needs some text."))
    if len(text) > MAX_COMMENT:
        raise ValidationError(_("A comment can have at most %(n)d characters.", n=MAX_COMMENT))
    return text


def bank_add(user, text: str) -> CommentBankEntry:
    entry = CommentBankEntry(owner_id=user.id, text=_bank_text(text))
    db.session.add(entry)
    db.session.flush()
    return entry


def bank_get(user, entry_id: int) -> CommentBankEntry:
    entry = db.session.get(CommentBankEntry, entry_id)
    if entry is None or entry.owner_id != user.id:
        raise NotFound()
    return entry


def bank_update(entry: CommentBankEntry, text: str) -> None:
    entry.text, entry.updated_at = _bank_text(text), utcnow()
    db.session.flush()


def bank_delete(entry: CommentBankEntry) -> None:
    db.session.delete(entry)
    db.session.flush()


# --- the demo ---------------------------------------------------------------------------------------------

def demo_review(plan: Plan, leader, instructor, target: PlanState) -> None:
    """A simple, released review so the demo shows every state."""
    allocate(plan, instructor, leader)
    levels = {"language": "emerging", "voice": "solid", "resources": "solid", "measures": "emerging",
              "coordination": "solid", "determinants": "solid", "consent": "emerging"}
    comments = {"measures": "Every measure has a service. Add a date to each, so Anna knows when to expect it.",
                "consent": "Rune is kept out, as Anna asked. Say what each service may know, and that she can "
                           "change her mind.",
                "language": "Warm and plain. The crisis plan still says 'relapse'; how would Anna say it?"}
    save_review(plan, instructor, scores={k: {"level": v, "comment": comments.get(k, "")} for k, v in levels.items()},
                overall="You have listened to Anna. Her goals are hers, and the plan says who does what. "
                        "Next step: dates on every measure.")
    version = plan.current_version
    assert version is not None  # the plan is in review
    text = version.content["sections"]["what_matters"]
    if "Luna" in text:
        add_comment(plan, instructor, key="what_matters", quote="Luna", start=text.find("Luna"),
                    body="Good: the dog matters to her, and it says so in her words.")
    if target == PlanState.in_review:
        return
    (release if target == PlanState.returned else complete)(plan, instructor)


def demo_answers(plan: Plan, student) -> None:
    """The demo student's answers to released feedback: a question on one comment, a rating of another, and a
    revision plan for the measures, so the feedback page and the next review show them."""
    review = latest_released_review(plan)
    assert review is not None  # the demo plan's feedback is released
    scores = {score.criterion_key: score for score in review.scores}
    add_reply(plan, student, scores["measures"], "question",
              "Some dates depend on NAV's answer. Is it enough to write \"within two weeks of NAV's answer\"?")
    rate(plan, student, scores["language"], 3)
    save_intentions(plan, student, review, {
        "measures": "Give every measure a date or a time frame, and name who Anna calls if it does not happen."})
