from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, CheckConstraint, ForeignKey, Integer, SmallInteger, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import CreatedAtMixin, Model, UTCDateTime, utcnow
from app.plans.states import SecondOpinionState

# How helpful the student found a comment: 1 not helpful, 2 somewhat, 3 very helpful (none: not rated).
HELPFUL_VALUES = (1, 2, 3)
# What a reply says besides its words (none: words only).
REPLY_KINDS = ("question", "disagree", "done")
# How far the next version carried out what the student said they would change, as its reviewer marks it.
INTENTION_OUTCOMES = ("done", "partly", "not_yet")

HELPFUL_LABELS = {1: _l("Not helpful"), 2: _l("Somewhat helpful"), 3: _l("Very helpful")}
REPLY_KIND_LABELS = {"question": _l("Question"), "disagree": _l("I disagree"), "done": _l("Done")}
INTENTION_OUTCOME_LABELS = {"done": _l("Done"), "partly": _l("Partly"), "not_yet": _l("Not yet")}


def _in(column: str, values: tuple) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Review(CreatedAtMixin, Model):
    """The feedback on one submitted version. Invisible to the student until released."""

    __tablename__ = "reviews"
    __table_args__ = (CheckConstraint("save_token >= 0", name="save_token_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"), index=True, nullable=False)
    plan_version_id: Mapped[int] = mapped_column(ForeignKey("plan_versions.id", ondelete="CASCADE"), unique=True,
                                                 nullable=False)
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    overall: Mapped[str] = mapped_column(Text, default="", nullable=False)
    # Counts the saves of the levels and messages: a save sent from a page that read an older count is refused
    # (two tabs writing the same review), so neither overwrites the other unseen.
    save_token: Mapped[int] = mapped_column(Integer, default=0, server_default="0", nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    released_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)

    plan = relationship("Plan")
    version = relationship("PlanVersion")
    reviewer = relationship("User")
    scores = relationship("CriterionScore", back_populates="review", cascade="all, delete-orphan")
    comments = relationship("AnchoredComment", back_populates="review", cascade="all, delete-orphan",
                            order_by="AnchoredComment.id")
    # Second opinions asked on this review's version, newest last (read with the review page, changed by the
    # services of `app.reviews.second_opinions` only).
    second_opinions = relationship("SecondOpinion", viewonly=True, order_by="SecondOpinion.id")

    @property
    def is_released(self) -> bool:
        return self.released_at is not None

    def score_for(self, criterion_key: str) -> CriterionScore | None:
        for score in self.scores:
            if score.criterion_key == criterion_key:
                return score
        return None


class CriterionScore(Model):
    __tablename__ = "criterion_scores"
    __table_args__ = (
        UniqueConstraint("review_id", "criterion_key"),
        CheckConstraint(_in("helpful", HELPFUL_VALUES), name="helpful_known"),
        CheckConstraint(_in("intention_outcome", INTENTION_OUTCOMES), name="intention_outcome_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"), index=True, nullable=False)
    criterion_key: Mapped[str] = mapped_column(String(64), nullable=False)
    level_key: Mapped[str | None] = mapped_column(String(64))
    comment: Mapped[str] = mapped_column(Text, default="", nullable=False)
    # The student's rating of the comment, once released.
    helpful: Mapped[int | None] = mapped_column(SmallInteger)
    # The reviewer's mark on what the student planned to change in this criterion after the previous review.
    intention_outcome: Mapped[str | None] = mapped_column(String(16))

    review = relationship("Review", back_populates="scores")
    replies = relationship("FeedbackReply", back_populates="score", cascade="all, delete-orphan",
                           order_by="FeedbackReply.id")


class AnchoredComment(CreatedAtMixin, Model):
    """A comment on an exact passage: the quoted text, where it stood, and a little context to find it again."""

    __tablename__ = "anchored_comments"
    __table_args__ = (CheckConstraint(_in("helpful", HELPFUL_VALUES), name="helpful_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"), index=True, nullable=False)
    anchor_key: Mapped[str] = mapped_column(String(80), nullable=False)  # e.g. "what_matters", "goals.g1.text"
    quote: Mapped[str] = mapped_column(Text, nullable=False)
    start: Mapped[int] = mapped_column(Integer, nullable=False)
    end: Mapped[int] = mapped_column(Integer, nullable=False)
    prefix: Mapped[str] = mapped_column(String(64), default="", nullable=False)
    suffix: Mapped[str] = mapped_column(String(64), default="", nullable=False)
    body: Mapped[str] = mapped_column(Text, nullable=False)
    addressed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    helpful: Mapped[int | None] = mapped_column(SmallInteger)  # the student's rating, once released

    review = relationship("Review", back_populates="comments")
    replies = relationship("FeedbackReply", back_populates="comment", cascade="all, delete-orphan",
                           order_by="FeedbackReply.id")


class CommentBankEntry(CreatedAtMixin, Model):
    """An instructor's own saved comment, to insert again later."""

    __tablename__ = "comment_bank"

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True, nullable=False)
    text: Mapped[str] = mapped_column(Text, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)


class Reflection(CreatedAtMixin, Model):
    """What the student will change and why, in answer to the feedback on one version."""

    __tablename__ = "reflections"
    __table_args__ = (UniqueConstraint("plan_version_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"), index=True, nullable=False)
    plan_version_id: Mapped[int] = mapped_column(ForeignKey("plan_versions.id", ondelete="CASCADE"), nullable=False)
    text: Mapped[str] = mapped_column(Text, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)


class FeedbackReply(CreatedAtMixin, Model):
    """The student's answer to one released comment: on a passage (`comment`) or on a criterion (`score`). A comment
    may have several, a short thread; each is kept with the version whose feedback it answers."""

    __tablename__ = "feedback_replies"
    __table_args__ = (
        CheckConstraint("(comment_id IS NULL AND score_id IS NOT NULL) OR (comment_id IS NOT NULL AND score_id IS NULL)",
                        name="one_target"),
        CheckConstraint(_in("kind", REPLY_KINDS), name="kind_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"), index=True, nullable=False)
    comment_id: Mapped[int | None] = mapped_column(ForeignKey("anchored_comments.id", ondelete="CASCADE"), index=True)
    score_id: Mapped[int | None] = mapped_column(ForeignKey("criterion_scores.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    kind: Mapped[str | None] = mapped_column(String(16))
    body: Mapped[str] = mapped_column(Text, default="", nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)

    review = relationship("Review")
    comment = relationship("AnchoredComment", back_populates="replies")
    score = relationship("CriterionScore", back_populates="replies")


class RevisionIntention(CreatedAtMixin, Model):
    """What the student will change in one criterion, in answer to a released review that placed it below the top
    level (the feed-forward). The reviewer of the next version marks how far it was done (`CriterionScore.
    intention_outcome` of that review)."""

    __tablename__ = "revision_intentions"
    __table_args__ = (UniqueConstraint("review_id", "criterion_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"), index=True, nullable=False)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"), nullable=False)
    criterion_key: Mapped[str] = mapped_column(String(64), nullable=False)
    text: Mapped[str] = mapped_column(Text, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)


SECOND_OPINION_STATES = tuple(state.value for state in SecondOpinionState)


class SecondOpinion(Model):
    """A second instructor's own scoring of a version in review, asked for before its feedback is released, and the
    decision on it. Its state (`app.plans.states.SecondOpinionState`) is changed by `app.plans.workflow` only. The
    first reviewer's levels as they stood when the second opinion came in, the second instructor's levels and the
    decision are all kept here (`SecondOpinionScore`): resolving sets the review's levels, and overwrites nothing
    that is not also kept."""

    __tablename__ = "second_opinions"
    __table_args__ = (
        CheckConstraint(_in("state", SECOND_OPINION_STATES), name="state_known"),
        CheckConstraint("submitted_at IS NOT NULL OR state IN ('requested', 'cancelled')", name="scored_when_submitted"),
        CheckConstraint("resolved_at IS NOT NULL OR state <> 'resolved'", name="resolved_when_decided"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"), index=True, nullable=False)
    plan_version_id: Mapped[int] = mapped_column(ForeignKey("plan_versions.id", ondelete="CASCADE"), index=True,
                                                 nullable=False)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"), index=True, nullable=False)
    state: Mapped[str] = mapped_column(String(16), nullable=False)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    rater_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    # The first reviewer, as the second opinion was asked for (the review's reviewer may change later).
    first_rater_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reason: Mapped[str] = mapped_column(Text, default="", nullable=False)
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # "first", "second", "mixed" (some of each or other levels), "cancelled"
    outcome: Mapped[str | None] = mapped_column(String(16))
    decision_note: Mapped[str] = mapped_column(Text, default="", nullable=False)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The second instructor's levels and comments as far as they have got ({criterion: {"level", "comment"}}),
    # for them alone, until they submit (then they become `scores` and the draft goes).
    draft: Mapped[dict | None] = mapped_column(JSON, deferred=True)  # read only on their own page
    draft_saved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    plan = relationship("Plan")
    version = relationship("PlanVersion")
    review = relationship("Review")
    rater = relationship("User", foreign_keys=[rater_id])
    first_rater = relationship("User", foreign_keys=[first_rater_id])
    requested_by = relationship("User", foreign_keys=[requested_by_id])
    resolved_by = relationship("User", foreign_keys=[resolved_by_id])
    scores = relationship("SecondOpinionScore", back_populates="opinion", cascade="all, delete-orphan",
                          order_by="SecondOpinionScore.id")

    @property
    def stage(self) -> SecondOpinionState:
        """Where it stands, as `app.plans.states` defines it (what each state allows is asked there)."""
        return SecondOpinionState(self.state)

    def score_for(self, criterion_key: str) -> SecondOpinionScore | None:
        return next((s for s in self.scores if s.criterion_key == criterion_key), None)


class SecondOpinionScore(Model):
    """One criterion of a second opinion: the second instructor's level and comment, the first reviewer's level as
    it stood when the second opinion came in, and the level decided (with why) once resolved."""

    __tablename__ = "second_opinion_scores"
    __table_args__ = (UniqueConstraint("second_opinion_id", "criterion_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    second_opinion_id: Mapped[int] = mapped_column(ForeignKey("second_opinions.id", ondelete="CASCADE"), index=True,
                                                   nullable=False)
    criterion_key: Mapped[str] = mapped_column(String(64), nullable=False)
    level_key: Mapped[str | None] = mapped_column(String(64))
    comment: Mapped[str] = mapped_column(Text, default="", nullable=False)
    first_level_key: Mapped[str | None] = mapped_column(String(64))
    decided_level_key: Mapped[str | None] = mapped_column(String(64))
    decision_note: Mapped[str] = mapped_column(Text, default="", nullable=False)

    opinion = relationship("SecondOpinion", back_populates="scores")
