"""The demo: accounts of every role in one cohort. Idempotent; each domain adds its own demo data here."""
from __future__ import annotations

from app.auth.models import User, user_by_email
from app.auth.services import create_user
from app.cohorts.models import Cohort, Role
from app.cohorts.services import add_member, create_cohort
from app.db import db
from app.demo.calibration import load_demo_calibration
from app.demo.dashboard import load_history
from app.demo.plans import load_demo_plans, people_by_email, reset_demo_plans

DEMO_PASSWORD = "demo-password"
DEMO_COHORT = "Demo cohort"
DEMO_PEOPLE = [
    ("admin@example.org", "Ada Admin", None),
    ("leader@example.org", "Lise Leder", Role.leader),
    ("instructor1@example.org", "Ingrid Instruktør", Role.instructor),
    ("instructor2@example.org", "Ivar Instruktør", Role.instructor),
    ("student1@example.org", "Sara Student", Role.student),
    ("student2@example.org", "Sander Student", Role.student),
    ("student3@example.org", "Siri Student", Role.student),
    ("student4@example.org", "Sebastian Student", Role.student),
    ("student5@example.org", "Sofie Student", Role.student),
    ("student6@example.org", "Simen Student", Role.student),
]


def _ensure_user(email: str, name: str, *, admin: bool = False) -> User:
    user = user_by_email(email)
    if user is None:
        # The demo's one documented password would be refused as a chosen one: it is set here directly.
        user = create_user(email, name, None, is_admin=admin)
        user.set_password(DEMO_PASSWORD)
    return user


def load_demo(*, reset: bool = False) -> list[str]:
    """Create what is missing; with reset, the demo cohort's plans are deleted first and rebuilt in their states."""
    cohort = db.session.scalar(db.select(Cohort).where(Cohort.name == DEMO_COHORT))
    removed = reset_demo_plans(cohort) if reset and cohort is not None else 0
    admin = _ensure_user("admin@example.org", "Ada Admin", admin=True)
    if cohort is None:
        cohort = create_cohort(DEMO_COHORT, "A cohort to try Care Plan Lab with the case of Anna, 44.", actor=admin)
        cohort.join_code = "DEMO2026"
    lines = [f"Cohort '{cohort.name}' (join code {cohort.join_code})"]
    if reset:
        lines.append(f"Reset: {removed} demo plans deleted and rebuilt")
    for email, name, role in DEMO_PEOPLE:
        user = _ensure_user(email, name, admin=role is None)
        if role is not None:
            add_member(cohort, user, role, actor=admin)
        lines.append(f"{email:<26} {role.value if role else 'administrator'}")
    db.session.flush()

    people = people_by_email(email for email, _, _ in DEMO_PEOPLE)
    lines += load_demo_plans(people, cohort)
    lines += load_history(people)
    lines += load_demo_calibration(people, cohort)
    return lines
