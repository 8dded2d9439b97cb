"""Races on PostgreSQL against a real server: requests from separate HTTP sessions, started together by a barrier.

Each case repeats for several rounds. What must hold every time: nothing a student saved is lost, one submit makes
one version, one plan has one reviewer, no answer is a 5xx, and the audit trail tells what really happened."""
from __future__ import annotations

import json
import threading
import time
from collections import Counter
from urllib.parse import urlsplit

import pytest

from app.audit.models import AuditEntry
from app.cohorts.models import Role
from app.db import db
from app.extensions import limiter
from app.notifications.models import Notification
from app.plans import services as plan_services
from app.plans.content import TEXT_SECTIONS
from app.plans.models import Plan, PlanVersion
from app.plans.states import PlanState
from app.reviews import services as review_services
from app.reviews.models import Review
from benchmarks._server import Session
from tests.factories import PASSWORD, member
from tests.plan_helpers import GOOD_CONTENT, World

pytestmark = pytest.mark.postgres

ROUNDS = 6


OPEN: list[Browser] = []


@pytest.fixture
def server(live_server, monkeypatch):
    """The live server's port. Login rate limits are not what these tests are about, so they are off."""
    monkeypatch.setattr(limiter, "enabled", False)
    yield urlsplit(live_server).port
    while OPEN:
        OPEN.pop().conn.close()


class Browser(Session):
    """One browser (or device) talking to the live server; `tab()` opens another tab of the same browser."""

    def __init__(self, port: int):
        super().__init__(port)
        self.port = port
        OPEN.append(self)

    def tab(self) -> Browser:
        other = Browser(self.port)
        other.cookies, other.csrf = dict(self.cookies), self.csrf
        return other

    def json(self, path: str, payload) -> tuple[int, dict]:
        status, body = self.post_json(path, payload)
        return status, json.loads(body) if body else {}


def browser(port: int, user) -> Browser:
    session = Browser(port)
    session.login(user.email, PASSWORD)
    return session


def together(*calls):
    """Run the calls in threads released at the same instant; return their results in order."""
    barrier = threading.Barrier(len(calls))
    results, errors = [None] * len(calls), []

    def run(index, call):
        try:
            barrier.wait(timeout=20)
            results[index] = call()
        except BaseException as exc:  # re-raised in the test's thread
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a request never came back"
    if errors:
        raise errors[0]
    return results


def content(label: str) -> dict:
    """Plan content already in its stored form, so what is sent can be compared with what is stored."""
    return {"sections": {key: f"{label}: {key}" for key in TEXT_SECTIONS},
            "goals": [{"id": "g1", "text": f"I want {label}", "timeframe": "by summer"}], "measures": []}


def reloaded(plan: Plan) -> Plan:
    db.session.expire_all()
    return db.session.get(Plan, plan.id)


def audit(kind: str, plan: Plan) -> list[AuditEntry]:
    return list(db.session.scalars(db.select(AuditEntry).where(
        AuditEntry.kind == kind, AuditEntry.subject_type == "plan", AuditEntry.subject_id == plan.id)
        .order_by(AuditEntry.id)))


def submitted_plan(assignment, name: str) -> Plan:
    student = member(assignment.cohort, Role.student, name=name)
    plan = plan_services.start_plan(assignment, student)
    db.session.flush()
    plan_services.save_draft(plan, student, plan.save_token, GOOD_CONTENT)
    plan_services.submit(plan, student, plan.save_token)
    db.session.commit()
    return plan


# --- two devices autosaving the same draft ------------------------------------------------------------------

def test_two_devices_saving_from_the_same_token_one_wins_and_the_other_gets_the_winners_text(app, server):
    world = World()
    plan_id = world.plan.id
    laptop, phone = browser(server, world.owner), browser(server, world.owner)
    for session in (laptop, phone):
        session.get(f"/plans/{plan_id}")
    for round_ in range(ROUNDS * 2):
        token = reloaded(world.plan).save_token
        sent = [content(f"laptop {round_}"), content(f"phone {round_}")]
        answers = together(*[lambda s=s, c=c: s.json(f"/plans/{plan_id}/draft", {"save_token": token, "content": c})
                             for s, c in zip((laptop, phone), sent)])
        statuses = [status for status, _ in answers]
        assert sorted(statuses) == [200, 409], answers
        winner = statuses.index(200)
        won, lost = answers[winner][1], answers[1 - winner][1]
        assert won["save_token"] == token + 1
        assert lost["conflict"] is True and lost["save_token"] == token + 1
        assert lost["current"] == sent[winner], "the refused device is shown the text that won"
        plan = reloaded(world.plan)
        assert plan.save_token == token + 1 and plan.draft == sent[winner]


def test_many_saves_from_four_tabs_on_two_devices_lose_nothing(app, server):
    """Tabs save as fast as they can; after a conflict a tab goes on from the newer token, as the editor does.
    Every accepted save must be the stored draft at its token: the conflicts tell which text held each token."""
    world = World()
    plan_id = world.plan.id
    first = browser(server, world.owner)
    tabs = [first, first.tab(), browser(server, world.owner), first.tab()]
    for tab in tabs:
        tab.get(f"/plans/{plan_id}")
    saves_per_tab = 60
    accepted: dict[int, dict] = {}
    conflicts: list[tuple[int, dict]] = []
    lock = threading.Lock()

    def typing(index: int, tab: Browser):
        token = 0
        for n in range(saves_per_tab):
            sent = content(f"tab {index} save {n}")
            status, body = tab.json(f"/plans/{plan_id}/draft", {"save_token": token, "content": sent})
            assert status in (200, 409), (status, body)
            with lock:
                if status == 200:
                    assert body["save_token"] not in accepted, "two saves were accepted at the same token"
                    accepted[body["save_token"]] = sent
                else:
                    conflicts.append((body["save_token"], body["current"]))
            token = body["save_token"]

    together(*[lambda i=i, t=t: typing(i, t) for i, t in enumerate(tabs)])
    plan = reloaded(world.plan)
    assert sorted(accepted) == list(range(1, plan.save_token + 1)), "every token came from exactly one save"
    assert plan.draft == accepted[plan.save_token]
    assert conflicts, "the tabs did race"
    for token, current in conflicts:
        assert accepted[token] == current, "a conflict showed a text that was not the draft at that token"
    assert len(accepted) + len(conflicts) == saves_per_tab * len(tabs)


# --- double submit ---------------------------------------------------------------------------------------------

def test_many_clicks_on_submit_make_exactly_one_version(app, server):
    world = World()
    world.write()
    plan_id = world.plan.id
    first = browser(server, world.owner)
    clicks = [first] + [first.tab() for _ in range(4)] + [browser(server, world.owner)]
    for click in clicks:
        click.get(f"/plans/{plan_id}/submit")
    for round_ in range(1, ROUNDS + 1):
        plan = reloaded(world.plan)
        token = plan.save_token
        answers = together(*[lambda c=c: c.post_form(f"/plans/{plan_id}/submit",
                                                     {"confirmed": "yes", "save_token": token}) for c in clicks])
        statuses = Counter(status for status, _ in answers)
        assert set(statuses) <= {302, 409}, answers
        assert statuses[302] >= 1
        for status, body in answers:
            if status == 409:
                assert b"Nothing was changed" in body or b"another tab" in body
        plan = reloaded(world.plan)
        versions = db.session.scalars(db.select(PlanVersion).where(PlanVersion.plan_id == plan_id)
                                      .order_by(PlanVersion.number)).all()
        assert [v.number for v in versions] == list(range(1, round_ + 1)), "one version per submit"
        assert plan.state == PlanState.submitted
        assert versions[-1].content == plan.draft and versions[-1].draft_token == token
        assert len(audit("plan.submit", plan)) == round_
        # the student withdraws and changes the draft for the next round
        plan_services.withdraw(plan, world.owner)
        plan_services.save_draft(plan, world.owner, plan.save_token, content(f"round {round_}"))
        db.session.commit()


def test_submit_in_one_tab_while_another_tab_autosaves(app, server):
    """Either the submit freezes the draft and the later save is refused, or the save lands first and the submit
    of the older token is refused. Never both: a version frozen from a draft that had already changed."""
    world = World()
    world.write()
    plan_id = world.plan.id
    first = browser(server, world.owner)
    writing, submitting = first, first.tab()
    writing.get(f"/plans/{plan_id}")
    submitting.get(f"/plans/{plan_id}/submit")
    orders = Counter()
    for round_ in range(ROUNDS * 2):
        plan = reloaded(world.plan)
        token, before = plan.save_token, plan.draft
        edited = content(f"typed while submitting {round_}")
        (save_status, saved), (submit_status, _) = together(
            lambda: writing.json(f"/plans/{plan_id}/draft", {"save_token": token, "content": edited}),
            lambda: submitting.post_form(f"/plans/{plan_id}/submit", {"confirmed": "yes", "save_token": token}))
        plan = reloaded(world.plan)
        latest = plan.latest_version
        if submit_status == 302:
            orders["submit first"] += 1
            assert save_status == 409 and saved["state"] == "submitted", (save_status, saved)
            assert plan.state == PlanState.submitted and plan.save_token == token
            assert latest.content == before == plan.draft and latest.draft_token == token
            plan_services.withdraw(plan, world.owner)
            db.session.commit()
        else:
            orders["save first"] += 1
            assert (save_status, submit_status) == (200, 409)
            assert plan.state == PlanState.draft and plan.save_token == token + 1 and plan.draft == edited
            assert latest is None or latest.withdrawn_at is not None
    assert sum(orders.values()) == ROUNDS * 2


# --- release while the student edits ---------------------------------------------------------------------------

def test_release_while_the_student_autosaves(app, server):
    """The two serial orders are both correct: an autosave before the release is refused (the plan is in review)
    and the plan ends `returned` with the draft untouched; an autosave after it is accepted, and that first save
    after a return revises the plan back to `draft`. Anything else (a 5xx, a half-applied change) is a bug."""
    world = World()
    orders = Counter()
    for round_ in range(ROUNDS):
        plan = submitted_plan(world.assignment, f"Student {round_}")
        plan.reviewer_id = world.reviewer.id
        db.session.commit()
        review_services.save_review(plan, world.reviewer, scores={"language": {"level": "solid", "comment": "Warm."}},
                                    overall="You listened to Anna.")
        db.session.commit()
        assert plan.state == PlanState.in_review
        token, before = plan.save_token, plan.draft
        student, reviewer = browser(server, plan.student), browser(server, world.reviewer)
        student.get(f"/plans/{plan.id}")
        reviewer.get(f"/plans/{plan.id}/release")
        edited = content(f"edited while in review {round_}")
        draft, release = f"/plans/{plan.id}/draft", f"/plans/{plan.id}/release"
        delay = round_ * 0.008  # later and later, so both orders happen: the save before and after the release
        (save_status, saved), (release_status, _) = together(
            lambda: time.sleep(delay) or student.json(draft, {"save_token": token, "content": edited}),
            lambda: reviewer.post_form(release, {"confirmed": "yes"}))
        assert release_status == 302
        plan = reloaded(plan)
        assert len(audit("plan.release", plan)) == 1
        if save_status == 409:
            orders["save refused, plan returned"] += 1
            assert saved["state"] in ("in_review", "returned")  # the state when the answer was written
            assert plan.state == PlanState.returned
            assert plan.save_token == token and plan.draft == before
        else:
            orders["save after release, plan revised"] += 1
            assert save_status == 200 and saved["save_token"] == token + 1 and saved["state"] == "draft"
            assert plan.state == PlanState.draft
            assert plan.save_token == token + 1 and plan.draft == edited
            assert [e.kind for e in db.session.scalars(db.select(AuditEntry).where(
                AuditEntry.subject_id == plan.id, AuditEntry.kind.in_(["plan.release", "plan.revise"]))
                .order_by(AuditEntry.id))] == ["plan.release", "plan.revise"]
        version = db.session.scalar(db.select(PlanVersion).where(PlanVersion.plan_id == plan.id))
        assert version.content == before, "the submitted version never changes"
        review = review_services.review_for(version)
        assert review.released_at is not None
        assert db.session.scalar(db.select(db.func.count(Notification.id)).where(
            Notification.user_id == plan.student_id, Notification.kind == "released")) == 1
    assert sum(orders.values()) == ROUNDS


# --- two instructors claiming the same plan -------------------------------------------------------------------

def test_two_instructors_claiming_the_same_plan_one_gets_it_the_other_409(app, server):
    world = World()
    instructors = [world.reviewer, world.instructor]
    sessions = [browser(server, user) for user in instructors]
    for session in sessions:
        session.get("/reviews")
    winners = Counter()
    for round_ in range(ROUNDS * 2):
        plan = submitted_plan(world.assignment, f"Student {round_}")
        claim = f"/plans/{plan.id}/claim"
        answers = together(*[lambda s=s: s.post_form(claim, {}) for s in sessions])
        statuses = [status for status, _ in answers]
        assert sorted(statuses) == [302, 409], statuses
        winner = instructors[statuses.index(302)]
        winners[winner.id] += 1
        plan = reloaded(plan)
        assert plan.reviewer_id == winner.id and plan.state == PlanState.submitted
        claims = audit("plan.claim", plan)
        assert [(e.actor_id, e.data["reviewer_id"]) for e in claims] == [(winner.id, winner.id)]
    assert sum(winners.values()) == ROUNDS * 2


def test_the_reviewers_first_saves_from_two_tabs_make_one_review(app, server):
    """The first save starts the review and creates it; a comment added from another tab at the same moment
    must land in that same review, never a second one and never a 5xx."""
    world = World()
    reviewer = browser(server, world.reviewer)
    tabs = [reviewer, reviewer.tab(), reviewer.tab()]
    for round_ in range(ROUNDS):
        plan = submitted_plan(world.assignment, f"Student {round_}")
        plan.reviewer_id = world.reviewer.id
        db.session.commit()
        review_url, comments_url = f"/plans/{plan.id}/review", f"/plans/{plan.id}/review/comments"
        quote_at = plan.current_version.content["sections"]["what_matters"].index("home")
        for tab in tabs:
            tab.get(review_url)
        answers = together(
            lambda: tabs[0].post_form(review_url, {"level-language": "solid", "overall": "First tab."}),
            lambda: tabs[1].post_form(review_url, {"level-voice": "solid", "overall": "Second tab."}),
            lambda: tabs[2].json(comments_url, {"key": "what_matters", "quote": "home", "start": quote_at,
                                                "body": "Whose words are these?"}))
        assert [status for status, _ in answers] == [302, 302, 201], answers
        plan = reloaded(plan)
        reviews = db.session.scalars(db.select(Review).where(Review.plan_id == plan.id)).all()
        assert len(reviews) == 1 and plan.state == PlanState.in_review
        assert reviews[0].overall in ("First tab.", "Second tab.") and len(reviews[0].comments) == 1
        assert len(audit("plan.start_review", plan)) == 1


# --- two leaders allocating at once ----------------------------------------------------------------------------

def test_two_leaders_allocating_at_once_give_each_plan_one_reviewer_with_balanced_loads(app, server):
    world = World()
    second_leader = member(world.cohort, Role.leader, name="Lars Leader")
    instructors = [world.reviewer, world.instructor] + [
        member(world.cohort, Role.instructor, name=f"Instructor {i}") for i in range(2)]
    leaders = [browser(server, user) for user in (world.leader, second_leader)]
    allocation = f"/assignments/{world.assignment.id}/allocation"
    allocate_all = f"/assignments/{world.assignment.id}/allocate-all"
    for session in leaders:
        session.get(allocation)
    plans: list[Plan] = []
    for round_ in range(ROUNDS):
        plans += [submitted_plan(world.assignment, f"Student {round_}-{i}") for i in range(7)]
        answers = together(*[lambda s=s: s.post_form(allocate_all, {}) for s in leaders])
        assert [status for status, _ in answers] == [302, 302], answers
        db.session.expire_all()
        reviewers = {plan.id: db.session.get(Plan, plan.id).reviewer_id for plan in plans}
        assert all(reviewers.values()), "every plan has a reviewer"
        load = Counter(reviewers.values())
        assert set(load) <= {user.id for user in instructors}
        assert max(load.values()) - min(load[user.id] for user in instructors) <= 1, load
        for plan in plans:
            entries = audit("plan.allocate", plan)
            assert [e.data["reviewer_id"] for e in entries] == [reviewers[plan.id]], \
                "one allocation recorded per plan, naming the reviewer it really has"
        told = Counter(db.session.scalars(db.select(Notification.user_id).where(Notification.kind == "reassigned")))
        assert told == load, "each reviewer is told once per plan"


def test_two_leaders_reassigning_one_plan_at_once_keep_the_trail_and_the_notices_true(app, server):
    """Each change of reviewer is recorded as replacing the reviewer it really replaced, and whoever loses the
    plan is told, however two leaders' clicks interleave."""
    world = World()
    plan = world.to_state(PlanState.submitted)
    second_leader = member(world.cohort, Role.leader, name="Lars Leader")
    first_new = member(world.cohort, Role.instructor, name="Ines Instructor")
    second_new = member(world.cohort, Role.instructor, name="Jon Instructor")
    review_services.allocate(plan, world.reviewer, world.leader)
    db.session.commit()
    leaders = [browser(server, user) for user in (world.leader, second_leader)]
    url = f"/plans/{plan.id}/allocate"
    for session in leaders:
        session.get(f"/assignments/{world.assignment.id}/allocation")
    for _ in range(ROUNDS):
        db.session.query(Notification).delete()
        db.session.commit()
        before = reloaded(plan).reviewer_id
        first_id, second_id = first_new.id, second_new.id
        answers = together(
            lambda: leaders[0].post_form(url, {"reviewer_id": first_id}),
            lambda: leaders[1].post_form(url, {"reviewer_id": second_id}))
        assert [status for status, _ in answers] == [302, 302], answers
        final = reloaded(plan).reviewer_id
        assert final in (first_new.id, second_new.id)
        entries = audit("plan.allocate", plan)
        chain = [(e.data.get("previous_reviewer_id"), e.data["reviewer_id"]) for e in entries]
        for (_, earlier_reviewer), (replaced, _) in zip(chain, chain[1:]):
            assert replaced == earlier_reviewer, chain
        assert chain[-1][1] == final
        unassigned = Counter(db.session.scalars(
            db.select(Notification.user_id).where(Notification.kind == "unassigned")))
        in_between = first_new.id if final == second_new.id else second_new.id
        # the first reviewer is told once, and so is the one who had it for a moment before the second change
        assert unassigned == Counter({before: 1, in_between: 1}), (before, final, unassigned)
        # the next round starts from the original reviewer again
        review_services.allocate(reloaded(plan), world.reviewer, world.leader)
        db.session.commit()


# --- joining and creating at once ------------------------------------------------------------------------------

def test_eight_joins_by_one_person_at_once_make_one_membership_and_no_error(app, server):
    from app.cohorts.models import Membership
    from tests.factories import CohortFactory, UserFactory

    for round_ in range(ROUNDS):
        cohort = CohortFactory(name=f"Joined at once {round_}")
        person = UserFactory()
        db.session.commit()
        tabs = [browser(server, person)]
        tabs += [tabs[0].tab() for _ in range(7)]
        for tab in tabs:
            tab.get("/join")
        code = cohort.join_code
        answers = together(*[lambda t=t: t.post_form("/join", {"join_code": code}) for t in tabs])
        assert [status for status, _ in answers] == [302] * 8, [status for status, _ in answers]
        db.session.expire_all()
        members = db.session.scalars(db.select(Membership).where(Membership.cohort_id == cohort.id)).all()
        assert [m.user_id for m in members] == [person.id]
        added = db.session.scalars(db.select(AuditEntry).where(AuditEntry.kind == "membership.added",
                                                               AuditEntry.subject_id == members[0].id)).all()
        assert len(added) == 1


def test_two_administrators_creating_the_same_cohort_at_once_make_one_and_tell_the_other(app, server):
    from app.cohorts.models import Cohort
    from tests.factories import UserFactory

    admins = [UserFactory(is_admin=True), UserFactory(is_admin=True)]
    db.session.commit()
    sessions = [browser(server, admin) for admin in admins]
    for round_ in range(ROUNDS):
        for session in sessions:
            session.get("/cohorts/new")
        name = f"Spring {round_}"
        answers = together(*[lambda s=s: s.post_form("/cohorts/new", {"name": name, "description": ""})
                             for s in sessions])
        statuses = sorted(status for status, _ in answers)
        assert statuses == [200, 302], statuses
        refused = next(body for status, body in answers if status == 200).decode()
        assert "A cohort with this name already exists." in refused
        db.session.expire_all()
        assert len(db.session.scalars(db.select(Cohort).where(Cohort.name == name)).all()) == 1


def test_two_registrations_with_one_e_mail_at_once_make_one_account_and_no_error(app, server):
    from app.auth.models import User
    from tests.factories import CohortFactory

    code = CohortFactory(name="Registered at once").join_code
    db.session.commit()
    for round_ in range(ROUNDS):
        visitors = [Browser(server), Browser(server)]
        for visitor in visitors:
            visitor.get("/join")
        email = f"twice{round_}@example.org"
        answers = together(*[lambda v=v: v.post_form("/join", {
            "join_code": code, "name": "Twice", "email": email, "password": "a long enough passphrase",
            "confirm": "a long enough passphrase"}) for v in visitors])
        assert all(status < 500 for status, _ in answers), [status for status, _ in answers]
        db.session.expire_all()
        assert len(db.session.scalars(db.select(User).where(User.email == email)).all()) == 1
