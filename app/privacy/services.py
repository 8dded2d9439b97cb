"""A person's own data: download it; an administrator can anonymise or delete an account.

Plans, versions and reviews stay (without the person's name) so the cohort's statistics stay true."""
from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from app.audit.services import record
from app.auth.models import PasswordToken, User
from app.auth.services import end_all_sessions
from app.cohorts.models import Invitation, Membership, Role
from app.db import db, utcnow
from app.errors import ValidationError
from app.notifications.models import EmailChoice, Notification
from app.oidc.models import Identity
from app.plans import services as plan_services
from app.plans.models import Plan
from app.privacy.signals import user_anonymised
from app.reviews.models import CommentBankEntry, Reflection, Review, RevisionIntention

ANONYMOUS_DOMAIN = "removed.invalid"


def _iso(value):
    return value.isoformat() if value else None


def export_user_data(user: User) -> dict:
    """Everything the app holds about this person, as plain JSON."""
    plans = db.session.scalars(db.select(Plan).where(Plan.student_id == user.id)).all()
    released = {r.plan_version_id: r for r in db.session.scalars(
        db.select(Review).join(Plan, Plan.id == Review.plan_id)
        .where(Plan.student_id == user.id, Review.released_at.is_not(None)))}
    reflections = {r.plan_version_id: r.text for r in db.session.scalars(
        db.select(Reflection).join(Plan, Plan.id == Reflection.plan_id).where(Plan.student_id == user.id))}
    revision_plans: dict[int, dict[str, str]] = {}
    for intention in db.session.scalars(db.select(RevisionIntention).join(Plan, Plan.id == RevisionIntention.plan_id)
                                        .where(Plan.student_id == user.id)):
        revision_plans.setdefault(intention.review_id, {})[intention.criterion_key] = intention.text
    record("user.data_exported", actor=user, subject=user)
    return {
        "account": {"id": user.id, "email": user.email, "name": user.name, "locale": user.locale,
                    "created_at": _iso(user.created_at), "last_login_at": _iso(user.last_login_at),
                    "administrator": user.is_admin},
        "memberships": [{"cohort": m.cohort.name, "role": m.role.value, "since": _iso(m.created_at)}
                        for m in user.memberships],
        "plans": [{
            "assignment": plan.assignment.title, "state": plan.state.value, "draft": plan.draft,
            "draft_saved_at": _iso(plan.draft_saved_at),
            "versions": [{
                "number": v.number, "submitted_at": _iso(v.submitted_at), "late": v.late,
                "withdrawn_at": _iso(v.withdrawn_at), "content": v.content,
                "reflection": reflections.get(v.id),
                "feedback": _review_json(released[v.id]) if v.id in released else None,
                "revision_plan": revision_plans.get(released[v.id].id, {}) if v.id in released else {},
            } for v in plan.versions],
        } for plan in plans],
        "reviews_written": [_review_json(r) | {"plan_id": r.plan_id} for r in db.session.scalars(
            db.select(Review).where(Review.reviewer_id == user.id))],
        "comment_bank": [e.text for e in db.session.scalars(
            db.select(CommentBankEntry).where(CommentBankEntry.owner_id == user.id))],
        "sign_ins": [{"issuer": i.issuer, "user_id": i.eppn, "email": i.email, "linked_at": _iso(i.created_at),
                      "last_login_at": _iso(i.last_login_at)}
                     for i in db.session.scalars(db.select(Identity).where(Identity.user_id == user.id))],
        "notifications": [{"kind": n.kind, "params": n.params, "at": _iso(n.created_at), "read_at": _iso(n.read_at)}
                          for n in db.session.scalars(db.select(Notification).where(Notification.user_id == user.id))],
        "notifications_by_email": {c.kind: c.by_email for c in db.session.scalars(
            db.select(EmailChoice).where(EmailChoice.user_id == user.id))},
    }


def _review_json(review: Review) -> dict:
    return {
        "version": review.version.number, "released_at": _iso(review.released_at), "overall": review.overall,
        "criteria": {s.criterion_key: {"level": s.level_key, "comment": s.comment, "helpful": s.helpful,
                                       "revision_plan_mark": s.intention_outcome, "replies": _replies_json(s.replies)}
                     for s in review.scores},
        "comments": [{"quote": c.quote, "comment": c.body, "addressed": c.addressed_at is not None,
                      "helpful": c.helpful, "replies": _replies_json(c.replies)} for c in review.comments],
    }


def _replies_json(replies) -> list[dict]:
    return [{"kind": r.kind, "reply": r.body, "at": _iso(r.updated_at)} for r in replies]


def is_anonymised(user: User) -> bool:
    return user.email.endswith("@" + ANONYMOUS_DOMAIN)


def _last_leader_somewhere(user: User) -> str | None:
    for member in user.memberships:
        if member.role != Role.leader:
            continue
        leaders = db.session.scalar(db.select(db.func.count(Membership.id)).where(
            Membership.cohort_id == member.cohort_id, Membership.role == Role.leader))
        if leaders <= 1:
            return member.cohort.name
    return None


def anonymise_user(user: User, actor: User) -> None:
    """Remove the name, e-mail and password; keep the plans and reviews for the cohort's statistics."""
    if user.id == actor.id:
        raise ValidationError(_("You cannot anonymise your own account."))
    if is_anonymised(user):
        raise ValidationError(_("This account is already anonymised."))
    record("user.anonymised", actor=actor, subject=user)
    old_email = user.email
    user.name = _("Former participant %(n)d", n=user.id)
    user.email = f"user-{user.id}@{ANONYMOUS_DOMAIN}"
    user.password_hash = None
    user.is_admin = False
    user.locale = None
    end_all_sessions(user)
    # The provider's sign-in goes too: the anonymous account cannot be signed in to again.
    for model, column in ((PasswordToken, PasswordToken.user_id), (CommentBankEntry, CommentBankEntry.owner_id),
                          (Notification, Notification.user_id), (Identity, Identity.user_id)):
        db.session.execute(db.delete(model).where(column == user.id))
    db.session.execute(db.update(Invitation).where(
        (Invitation.accepted_by_id == user.id) | (Invitation.email == old_email))
        .values(email=user.email, name="").execution_options(synchronize_session=False))
    # Stored PDFs print the student's name, and each reviewer's with their feedback.
    plan_services.forget_version_pdfs(
        db.select(Plan.id).where(Plan.student_id == user.id)
        .union(db.select(Review.plan_id).where(Review.reviewer_id == user.id)))
    user_anonymised.send(user, actor=actor)
    db.session.flush()


def delete_user(user: User, actor: User) -> None:
    """Anonymise and take the person out of every cohort; their past work stays as anonymous records."""
    cohort = _last_leader_somewhere(user)
    if cohort:
        raise ValidationError(_("%(name)s is the only course leader of %(cohort)s. Appoint another one first.",
                                name=user.name, cohort=cohort))
    if not is_anonymised(user):
        anonymise_user(user, actor)
    for member in list(user.memberships):
        db.session.delete(member)
    record("user.deleted", actor=actor, subject=user)
    db.session.flush()


def search_users(query: str, limit: int = 100) -> list[User]:
    statement = (db.select(User).order_by(User.name).limit(limit)
                 .options(selectinload(User.memberships).joinedload(Membership.cohort)))
    query = (query or "").strip()
    if query:
        like = f"%{query.lower()}%"
        statement = statement.where(db.or_(db.func.lower(User.name).like(like), db.func.lower(User.email).like(like)))
    return list(db.session.scalars(statement))


__all__ = ["export_user_data", "anonymise_user", "delete_user", "search_users", "is_anonymised", "utcnow"]
