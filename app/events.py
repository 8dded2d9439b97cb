"""Where the domains listen to each other: importing these modules connects their receivers to the signals of the
domains they follow (`app.plans.signals`, `app.reviews.signals`) and tells the audit log about each domain's events.
The order is the order of the audit log's filter."""
from __future__ import annotations

import importlib

LISTENERS = (
    "app.plans.audit",  # every plan transition is recorded
    "app.cohorts.audit",
    "app.assignments.audit",
    "app.auth.audit",
    "app.content.audit",
    "app.language.subscriptions",  # a submitted version keeps its language hints
    "app.notifications.subscriptions",  # reviewers and students are told
    "app.exports.subscriptions",  # an anonymised person's exports are deleted
    "app.reviews.subscriptions",  # a resubmission asks for the revision plan
    "app.lti.audit",
    "app.lti.subscriptions",  # the LMS's gradebook hears of submissions, released feedback and completion
    "app.calibration.subscriptions",  # calibration before a first review, where the assignment requires it
)


def connect() -> None:
    for name in LISTENERS:
        importlib.import_module(name)
