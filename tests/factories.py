"""Factories for test data (factory_boy), committed so that requests in other contexts see them."""
from __future__ import annotations

import factory
from factory.alchemy import SQLAlchemyModelFactory

from app.assignments.models import Assignment
from app.auth.models import User
from app.cohorts.models import Cohort, Membership, Role
from app.db import db

PASSWORD = "correct horse battery"


class BaseFactory(SQLAlchemyModelFactory):
    class Meta:
        abstract = True
        sqlalchemy_session_factory = lambda: db.session  # noqa: E731
        sqlalchemy_session_persistence = "commit"


class UserFactory(BaseFactory):
    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    name = factory.Sequence(lambda n: f"Person {n}")
    is_admin = False

    @factory.post_generation
    def password(obj, create, extracted, **kwargs):
        obj.set_password(extracted or PASSWORD)
        if create:
            db.session.commit()


class CohortFactory(BaseFactory):
    class Meta:
        model = Cohort

    name = factory.Sequence(lambda n: f"Cohort {n}")
    description = ""


class MembershipFactory(BaseFactory):
    class Meta:
        model = Membership

    cohort = factory.SubFactory(CohortFactory)
    user = factory.SubFactory(UserFactory)
    role = Role.student


def member(cohort: Cohort, role: Role = Role.student, **user_fields) -> User:
    user = UserFactory(**user_fields)
    MembershipFactory(cohort=cohort, user=user, role=role)
    return user


# --- content and assignments -------------------------------------------------------------------------

def import_shipped_content():
    """Import the project's own cases/ and rubrics/ (as `flask content import` does) and commit."""
    from pathlib import Path

    from app.content.services import import_content

    root = Path(__file__).resolve().parent.parent
    outcomes = import_content([], root)
    db.session.commit()
    return outcomes


def case_version(slug: str = "anna"):
    from app.cases.models import Case

    case = db.session.scalar(db.select(Case).where(Case.slug == slug))
    if case is None:
        import_shipped_content()
        case = db.session.scalar(db.select(Case).where(Case.slug == slug))
    return case.latest


def rubric_version(slug: str = "ip-default"):
    from app.rubrics.models import Rubric

    rubric = db.session.scalar(db.select(Rubric).where(Rubric.slug == slug))
    if rubric is None:
        import_shipped_content()
        rubric = db.session.scalar(db.select(Rubric).where(Rubric.slug == slug))
    return rubric.latest


class AssignmentFactory(BaseFactory):
    class Meta:
        model = Assignment

    cohort = factory.SubFactory(CohortFactory)
    title = factory.Sequence(lambda n: f"Care plan for Anna ({n})")
    instructions = ""
    case_version = factory.LazyFunction(lambda: case_version("anna"))
    rubric_version = factory.LazyFunction(lambda: rubric_version("ip-default"))
    opens_at = factory.LazyFunction(lambda: _now() - _days(7))
    due_at = factory.LazyFunction(lambda: _now() + _days(14))
    review_due_at = factory.LazyFunction(lambda: _now() + _days(28))
    allow_late = False


def _now():
    from app.db import utcnow

    return utcnow()


def _days(n):
    from datetime import timedelta

    return timedelta(days=n)

