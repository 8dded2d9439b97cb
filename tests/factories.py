"""Factories for test data (factory_boy), committed so that requests in other contexts see them."""
from __future__ import annotations

import factory
from factory.alchemy import SQLAlchemyModelFactory

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
