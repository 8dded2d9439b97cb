"""In-app notifications, each also sent by e-mail through the outbox when its reader chose that, in the
recipient's language."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import force_locale, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from app.cohorts.models import Role
from app.cohorts.policies import roles_by_cohort
from app.db import db, utcnow
from app.i18n import format_moment
from app.mail.services import send_mail
from app.notifications.models import EmailChoice, Notification
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
        "due_soon": lambda: _("Your plan for %(assignment)s is due %(due)s and is not submitted yet.",
                              assignment=params["assignment"], due=_moment(params["due"])),
        "review_overdue": lambda: ngettext("%(num)d plan you review in %(assignment)s is past its review date.",
                                           "%(num)d plans you review in %(assignment)s are past their review date.",
                                           int(params["count"]), assignment=params["assignment"]),
        "second_opinion_asked": lambda: _("%(requester)s asks for your second opinion on version %(version)s of the "
                                          "plan by %(student)s.", **params),
        "second_opinion_in": lambda: _("The second opinion on version %(version)s of the plan by %(student)s is in "
                                       "and waits for a decision.", **params),
        "second_opinion_cancelled": lambda: _("The second opinion you were asked for on the plan by %(student)s is "
                                              "no longer needed.", **params),
        "second_opinion_decided": lambda: _("The second opinion on version %(version)s of the plan by %(student)s "
                                            "is decided.", version=params["version"], student=params["student"]),
        "student_replied": lambda: _("%(student)s answered your feedback on version %(version)s.", **params),
    }
    try:
        return messages[kind]()
    except (KeyError, TypeError, ValueError):
        return kind


def _moment(iso: str) -> str:
    """A time kept in a notification's parameters, as its reader reads times."""
    return format_moment(datetime.fromisoformat(iso))


@dataclass(frozen=True)
class EmailChoiceKind:
    """One kind of notification a person may also get by e-mail: who it is for (the roles that receive it), and
    whether it comes by e-mail when the person has not chosen."""

    kind: str
    label: str  # a lazy string, read in the reader's language
    roles: frozenset[Role]
    default: bool


# Every kind of notification, in the order the account page offers them. Students and reviewers get their notices
# by e-mail unless they say otherwise; the course leaders' notice of plans waiting for a reviewer comes in a rush at
# the start of a term, so it is e-mailed only to those who ask for it.
EMAIL_CHOICES: tuple[EmailChoiceKind, ...] = (
    EmailChoiceKind("released", _l("My feedback is ready to read"), frozenset({Role.student}), True),
    EmailChoiceKind("completed", _l("My plan is marked complete"), frozenset({Role.student}), True),
    EmailChoiceKind("due_soon", _l("My plan is due in two days and not submitted yet"), frozenset({Role.student}),
                    True),
    EmailChoiceKind("reassigned", _l("A plan is given to me to review"), frozenset({Role.instructor, Role.leader}),
                    True),
    EmailChoiceKind("submitted", _l("A plan I review is submitted again"),
                    frozenset({Role.instructor, Role.leader}), True),
    EmailChoiceKind("unassigned", _l("A plan I was reviewing is given to another reviewer"),
                    frozenset({Role.instructor, Role.leader}), True),
    EmailChoiceKind("review_overdue", _l("Plans I review are past their review date (at most once a day)"),
                    frozenset({Role.instructor, Role.leader}), True),
    EmailChoiceKind("waiting", _l("Plans are waiting for a reviewer (course leaders)"), frozenset({Role.leader}),
                    False),
    EmailChoiceKind("second_opinion_asked", _l("I am asked for a second opinion on a plan"),
                    frozenset({Role.instructor, Role.leader}), True),
    EmailChoiceKind("second_opinion_in", _l("A second opinion I asked for or decide is in"),
                    frozenset({Role.instructor, Role.leader}), True),
    EmailChoiceKind("second_opinion_cancelled", _l("A second opinion I was asked for is no longer needed"),
                    frozenset({Role.instructor, Role.leader}), True),
    EmailChoiceKind("second_opinion_decided", _l("A second opinion I gave or asked for is decided"),
                    frozenset({Role.instructor, Role.leader}), True),
    EmailChoiceKind("student_replied", _l("A student answered my feedback"), frozenset({Role.instructor, Role.leader}),
                    True),
)
EMAIL_DEFAULTS = {choice.kind: choice.default for choice in EMAIL_CHOICES}


def email_choices(user) -> dict[str, bool]:
    """For each kind of notification, whether it also comes to `user` by e-mail: their choice, else the default."""
    chosen = dict(db.session.execute(db.select(EmailChoice.kind, EmailChoice.by_email)
                                     .where(EmailChoice.user_id == user.id)).all())
    return {kind: chosen.get(kind, default) for kind, default in EMAIL_DEFAULTS.items()}


def wants_email(user, kind: str) -> bool:
    chosen = db.session.scalar(db.select(EmailChoice.by_email).where(EmailChoice.user_id == user.id,
                                                                     EmailChoice.kind == kind))
    return EMAIL_DEFAULTS.get(kind, True) if chosen is None else chosen


def choices_for(user) -> list[EmailChoiceKind]:
    """The kinds a person may receive, from the roles they hold in any cohort (every kind for someone who holds
    none yet, so nothing is hidden from a new account)."""
    roles = set(roles_by_cohort(user).values())
    if not roles:
        return list(EMAIL_CHOICES)
    return [choice for choice in EMAIL_CHOICES if choice.roles & roles]


def set_email_choices(user, chosen: dict[str, bool]) -> None:
    """Stores `user`'s choice for each kind in `chosen` (unknown kinds are ignored); other kinds keep theirs."""
    stored = {row.kind: row for row in db.session.scalars(db.select(EmailChoice).where(EmailChoice.user_id == user.id))}
    for kind, by_email in chosen.items():
        if kind not in EMAIL_DEFAULTS:
            continue
        if kind in stored:
            stored[kind].by_email = bool(by_email)
            continue
        try:
            with db.session.begin_nested():
                db.session.add(EmailChoice(user_id=user.id, kind=kind, by_email=bool(by_email)))
        except IntegrityError:  # saved from another tab at this very moment: this, the later choice, stands
            db.session.execute(db.update(EmailChoice).where(EmailChoice.user_id == user.id, EmailChoice.kind == kind)
                               .values(by_email=bool(by_email)))
    db.session.flush()


def notify(user, kind: str, plan=None, **params) -> Notification:
    """Tells `user` in the app, always; by e-mail too when they chose that for this kind."""
    note = Notification(user_id=user.id, kind=kind, plan_id=getattr(plan, "id", None), params=params)
    db.session.add(note)
    if not wants_email(user, kind):
        db.session.flush()
        return note
    with force_locale(user.locale or "en"):
        text = message_for(kind, params)
        db.session.flush()
        link = external_url("notifications.open", notification_id=note.id)
        subject = _("Care Plan Lab: %(text)s", text=text)[:250]
        body = _("Hello %(name)s,\n\n%(text)s\n\nOpen it here: %(link)s\n", name=user.name, text=text, link=link)
        body += "\n" + _("Which notifications also come by e-mail is yours to choose: %(link)s",
                         link=external_url("auth.account", _anchor="email-title")) + "\n"
    send_mail(user.email, subject, body, kind=f"notification.{kind}")
    return note


def was_notified(user, kind: str, plan) -> bool:
    """Whether `user` was already told `kind` about this plan."""
    return db.session.scalar(db.select(db.exists().where(
        Notification.user_id == user.id, Notification.kind == kind, Notification.plan_id == plan.id))) or False


def was_notified_since(user, kind: str, plan, since, **params) -> bool:
    """Whether `user` was told `kind` about this plan since `since`, with these params (e.g. the same review)."""
    notes = db.session.scalars(db.select(Notification).where(
        Notification.user_id == user.id, Notification.kind == kind, Notification.plan_id == plan.id,
        Notification.created_at >= since))
    return any(all(note.params.get(key) == value for key, value in params.items()) for note in notes)


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
