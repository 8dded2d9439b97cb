"""In-app notifications, each also sent by e-mail through the outbox, in the recipient's language."""
from __future__ import annotations

from flask_babel import force_locale
from flask_babel import gettext as _

from app.db import db, utcnow
from app.mail.services import send_mail
from app.notifications.models import Notification
from app.signin import forget_unread, signed_in_as
from app.urls import external_url


def message_for(kind: str, params: dict) -> str:
    messages = {
        "submitted": lambda: _("%(student)s submitted version %(version)s of their plan for you to review.", **params),
        "released": lambda: _("Your feedback on version %(version)s is ready to read.", **params),
        "completed": lambda: _("Your plan is marked complete. Your final plan and all its feedback are ready."),
        "reassigned": lambda: _("A plan by %(student)s is now yours to review.", **params),
        "waiting": lambda: _("A plan by %(student)s waits for a reviewer in %(assignment)s.", **params),
        "unassigned": lambda: _("The plan by %(student)s was given to another reviewer.", **params),
    }
    try:
        return messages[kind]()
    except (KeyError, TypeError, ValueError):
        return kind


def notify(user, kind: str, plan=None, **params) -> Notification:
    note = Notification(user_id=user.id, kind=kind, plan_id=getattr(plan, "id", None), params=params)
    db.session.add(note)
    with force_locale(user.locale or "en"):
        text = message_for(kind, params)
        db.session.flush()
        link = external_url("notifications.open", notification_id=note.id)
        subject = _("Care Plan Lab: %(text)s", text=text)[:250]
        body = _("Hello %(name)s,\n\n%(text)s\n\nOpen it here: %(link)s\n", name=user.name, text=text, link=link)
    send_mail(user.email, subject, body, kind=f"notification.{kind}")
    return note


def was_notified(user, kind: str, plan) -> bool:
    """Whether `user` was already told `kind` about this plan."""
    return db.session.scalar(db.select(db.exists().where(
        Notification.user_id == user.id, Notification.kind == kind, Notification.plan_id == plan.id))) or False


def unread_count_of(user_id):
    """The number of unread notifications of `user_id` (a value or a column) as an expression: the sign-in of each
    request reads it together with the account, and the header shows it without a query of its own."""
    return (db.select(db.func.count(Notification.id))
            .where(Notification.user_id == user_id, Notification.read_at.is_(None)).scalar_subquery())


def unread_count(user) -> int:
    """For the person signed in, as counted with their account at sign-in (the header shows it on every page)."""
    signed = signed_in_as(user)
    if signed is not None and signed.unread is not None:
        return signed.unread
    return db.session.scalar(db.select(unread_count_of(user.id))) or 0


def recent(user, limit: int = 50) -> list[Notification]:
    return list(db.session.scalars(db.select(Notification).where(Notification.user_id == user.id)
                                   .order_by(Notification.id.desc()).limit(limit)))


def mark_read(note: Notification) -> None:
    if note.read_at is None:
        note.read_at = utcnow()
        forget_unread(note.user_id)


def mark_all_read(user) -> None:
    db.session.execute(db.update(Notification).where(Notification.user_id == user.id, Notification.read_at.is_(None))
                       .values(read_at=utcnow()))
    forget_unread(user)
