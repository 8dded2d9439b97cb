"""Allocation, reviewing, anchored comments, release and completion, the student's side, notifications, access."""
from __future__ import annotations

import copy
from collections import Counter

import pytest

from app.cohorts.models import Role
from app.db import db
from app.errors import Conflict, InvalidTransition
from app.notifications.models import Notification
from app.plans import services as plan_services
from app.plans.states import PlanState
from app.reviews import services
from app.reviews.anchors import anchor_texts, locate
from app.reviews.models import CommentBankEntry, Reflection, Review
from tests.conftest import QueryCounter, csrf_token, login, outbox, post
from tests.factories import AssignmentFactory, member
from tests.plan_helpers import GOOD_CONTENT, World


def submitted_plan(assignment, name):
    student = member(assignment.cohort, Role.student, name=name)
    plan = plan_services.start_plan(assignment, student)
    db.session.flush()
    plan_services.save_draft(plan, student, plan.save_token, GOOD_CONTENT)
    plan_services.submit(plan, student, plan.save_token)
    db.session.commit()
    return plan


def test_allocate_all_balances_load_and_resubmissions_stay(app):
    assignment = AssignmentFactory()
    leader = member(assignment.cohort, Role.leader)
    instructors = [member(assignment.cohort, Role.instructor, name=f"Instructor {i}") for i in range(3)]
    plans = [submitted_plan(assignment, f"Student {i}") for i in range(10)]
    done = services.allocate_all(assignment, leader)
    db.session.commit()
    assert len(done) == 10
    counts = sorted(Counter(plan.reviewer_id for plan in plans).values(), reverse=True)
    assert counts == [4, 3, 3]
    assert {p.reviewer_id for p in plans} == {i.id for i in instructors}
    # a resubmission goes back to the same reviewer by itself
    plan = plans[0]
    reviewer = plan.reviewer
    services.save_review(plan, reviewer, scores={}, overall="Good start.")
    services.release(plan, reviewer)
    plan_services.save_draft(plan, plan.student, plan.save_token, GOOD_CONTENT)
    plan_services.submit(plan, plan.student, plan.save_token)
    db.session.commit()
    assert plan.reviewer_id == reviewer.id and plan.state == PlanState.submitted
    assert services.allocate_all(assignment, leader) == []  # nothing waits
    note = db.session.scalars(db.select(Notification).where(Notification.user_id == reviewer.id,
                                                            Notification.kind == "submitted")).all()
    assert note, "the reviewer is told about the resubmission"


def test_claim_is_first_come(app):
    world = World()
    plan = world.to_state(PlanState.submitted)
    services.claim(plan, world.instructor)
    db.session.commit()
    with pytest.raises(Conflict):
        services.claim(plan, world.reviewer)
    assert plan.reviewer_id == world.instructor.id


def test_draft_review_is_invisible_until_released(make_client, app):
    world = World()
    plan = world.to_state(PlanState.submitted)
    plan.reviewer_id = world.reviewer.id
    db.session.commit()
    reviewer = make_client()
    login(reviewer, world.reviewer.email)
    r = post(reviewer, f"/plans/{plan.id}/review", {"level-language": "solid", "comment-language": "Secret so far",
                                                    "overall": "Draft words"})
    assert r.status_code == 302
    db.session.refresh(plan)
    assert plan.state == PlanState.in_review  # the first save starts the review
    student = make_client()
    login(student, world.owner.email)
    page = student.get(f"/plans/{plan.id}/feedback").get_data(as_text=True)
    assert "Secret so far" not in page and "Draft words" not in page and "No feedback has been released" in page
    assert student.get(f"/plans/{plan.id}/review").status_code == 403
    # release, with confirmation
    ask = post(reviewer, f"/plans/{plan.id}/release")
    assert "Release the feedback?" in ask.get_data(as_text=True)
    assert post(reviewer, f"/plans/{plan.id}/release", {"confirmed": "yes"}).status_code == 302
    db.session.refresh(plan)
    assert plan.state == PlanState.returned
    page = student.get(f"/plans/{plan.id}/feedback").get_data(as_text=True)
    assert "Secret so far" in page and "Draft words" in page and "Solid" in page
    mail = outbox(world.owner.email)[-1]
    assert "feedback on version 1 is ready" in mail.body
    assert "1" in student.get("/").get_data(as_text=True)  # unread count in the header
    assert db.session.scalar(db.select(Notification).where(Notification.user_id == world.owner.id)).kind == "released"


def test_release_only_from_in_review(app):
    world = World()
    plan = world.to_state(PlanState.submitted)
    plan.reviewer_id = world.reviewer.id
    db.session.commit()
    with pytest.raises(Conflict):
        services.release(plan, world.reviewer)  # no review written yet
    services.save_review(plan, world.reviewer, scores={}, overall="Fine")
    services.release(plan, world.reviewer)
    with pytest.raises(InvalidTransition):
        services.release(plan, world.reviewer)


def test_anchored_comment_is_placed_and_survives_reload_and_new_version(make_client, app):
    world = World()
    plan = world.to_state(PlanState.submitted)
    plan.reviewer_id = world.reviewer.id
    db.session.commit()
    reviewer = make_client()
    login(reviewer, world.reviewer.email)
    text = plan.current_version.content["sections"]["what_matters"]
    start = text.index("home")
    r = reviewer.post(f"/plans/{plan.id}/review/comments", json={"key": "what_matters", "quote": "home",
                                                                 "start": start, "body": "Whose words are these?"},
                      headers={"X-CSRFToken": csrf_token(reviewer)})
    assert r.status_code == 201 and r.get_json()["start"] == start
    bad = reviewer.post(f"/plans/{plan.id}/review/comments", json={"key": "what_matters", "quote": "not there",
                                                                   "body": "x"},
                        headers={"X-CSRFToken": csrf_token(reviewer)})
    assert bad.status_code == 400 and "not found" in bad.get_json()["error"]
    page = reviewer.get(f"/plans/{plan.id}/review").get_data(as_text=True)
    assert '<mark class="anchor" data-comments="1">home' in page and "Whose words are these?" in page
    services.release(plan, world.reviewer)
    db.session.commit()
    student = make_client()
    login(student, world.owner.email)
    feedback = student.get(f"/plans/{plan.id}/feedback").get_data(as_text=True)
    assert '<mark class="anchor" data-comments="1">home' in feedback
    # the student adds words before the passage; the anchor still finds it in the next version
    changed = copy.deepcopy(plan.current_version.content)
    changed["sections"]["what_matters"] = "Above all: " + text
    plan_services.save_draft(plan, world.owner, plan.save_token, changed)
    plan_services.submit(plan, world.owner, plan.save_token)
    db.session.commit()
    comment = db.session.scalar(db.select(Review)).comments[0]
    where = locate(comment.anchor_key, comment.quote, comment.start, comment.prefix, comment.suffix,
                   anchor_texts(plan.current_version.content))
    assert where == (start + len("Above all: "), start + len("Above all: ") + 4)
    page = reviewer.get(f"/plans/{plan.id}/review").get_data(as_text=True)
    assert "Since version 1, which you reviewed" in page and "Whose words are these?" in page
    changes = reviewer.get(f"/plans/{plan.id}/review/changes")
    assert changes.status_code == 302 and "from=1" in changes.headers["Location"] and "to=2" in changes.headers["Location"]


def test_student_marks_addressed_and_reflects(make_client, app):
    world = World()
    plan = world.to_state(PlanState.submitted)
    plan.reviewer_id = world.reviewer.id
    services.add_comment(plan, world.reviewer, key="what_matters", quote="home", start=None, body="Say more")
    services.save_review(plan, world.reviewer, scores={}, overall="Thanks")
    services.release(plan, world.reviewer)
    db.session.commit()
    comment = db.session.scalar(db.select(Review)).comments[0]
    student = make_client()
    login(student, world.owner.email)
    r = post(student, f"/plans/{plan.id}/feedback/comments/{comment.id}/addressed", {"addressed": "yes"})
    assert r.status_code == 302
    db.session.refresh(comment)
    assert comment.addressed_at is not None
    empty = post(student, f"/plans/{plan.id}/reflection", {"version": 1, "text": "  "}, follow_redirects=True)
    assert "what will you change" in empty.get_data(as_text=True).lower()
    post(student, f"/plans/{plan.id}/reflection", {"version": 1, "text": "I will use Anna's own words."})
    reviewer = make_client()
    login(reviewer, world.reviewer.email)
    plan_services.save_draft(plan, world.owner, plan.save_token, GOOD_CONTENT)
    plan_services.submit(plan, world.owner, plan.save_token)
    db.session.commit()
    page = reviewer.get(f"/plans/{plan.id}/review").get_data(as_text=True)
    assert "I will use Anna&#39;s own words." in page and "marked addressed" in page
    # another student cannot mark it
    intruder = make_client()
    login(intruder, world.other_student.email)
    assert post(intruder, f"/plans/{plan.id}/feedback/comments/{comment.id}/addressed", {"addressed": "no"}).status_code == 404


def test_complete_releases_and_closes(make_client, app):
    world = World()
    plan = world.to_state(PlanState.submitted)
    plan.reviewer_id = world.reviewer.id
    services.save_review(plan, world.reviewer, scores={"voice": {"level": "exemplary", "comment": "Her words"}},
                         overall="Complete.")
    db.session.commit()
    leader = make_client()
    login(leader, world.leader.email)
    assert post(leader, f"/plans/{plan.id}/complete", {"confirmed": "yes"}).status_code == 302
    db.session.refresh(plan)
    assert plan.state == PlanState.completed
    assert db.session.scalar(db.select(Review)).released_at is not None
    assert outbox(world.owner.email)[-1].kind == "notification.completed"
    student = make_client()
    login(student, world.owner.email)
    assert "Her words" in student.get(f"/plans/{plan.id}/feedback").get_data(as_text=True)
    assert student.get(f"/plans/{plan.id}/pdf").data.startswith(b"%PDF")
    printed = student.get(f"/plans/{plan.id}/print").get_data(as_text=True)
    assert "Feedback history" in printed and "Her words" in printed and "Complete." in printed


def test_comment_bank_crud(client, app):
    world = World()
    login(client, world.reviewer.email)
    assert post(client, "/reviews/bank", {"text": "Try the person's own words."}).status_code == 302
    entry = db.session.scalar(db.select(CommentBankEntry))
    assert entry.owner_id == world.reviewer.id
    post(client, f"/reviews/bank/{entry.id}", {"text": "Try Anna's own words."})
    db.session.refresh(entry)
    assert entry.text == "Try Anna's own words."
    ask = post(client, f"/reviews/bank/{entry.id}/delete")
    assert "Delete this saved comment?" in ask.get_data(as_text=True)
    post(client, f"/reviews/bank/{entry.id}/delete", {"confirmed": "yes"})
    assert db.session.scalar(db.select(db.func.count(CommentBankEntry.id))) == 0
    other = client.application.test_client()
    login(other, world.instructor.email)
    services.bank_add(world.reviewer, "mine")
    db.session.commit()
    mine = db.session.scalar(db.select(CommentBankEntry))
    assert post(other, f"/reviews/bank/{mine.id}", {"text": "stolen"}).status_code == 404
    student = client.application.test_client()
    login(student, world.owner.email)
    assert student.get("/reviews/bank").status_code == 403


def test_queue_shows_who_and_when_not_what(make_client, app):
    world = World()
    plan = world.to_state(PlanState.submitted)
    instructor = make_client()
    login(instructor, world.instructor.email)
    page = instructor.get("/reviews").get_data(as_text=True)
    assert world.owner.name in page and "I want my own flat" not in page
    assert instructor.get(f"/plans/{plan.id}").status_code == 403
    assert instructor.get(f"/plans/{plan.id}/review").status_code == 403
    assert post(instructor, f"/plans/{plan.id}/claim").status_code == 302
    assert instructor.get(f"/plans/{plan.id}/review").status_code == 200


REVIEW_ROUTES = [
    ("get", "/plans/{id}/review"), ("post", "/plans/{id}/review"), ("post", "/plans/{id}/review/comments"),
    ("post", "/plans/{id}/release"), ("post", "/plans/{id}/complete"), ("get", "/plans/{id}/feedback"),
    ("post", "/plans/{id}/reflection"), ("post", "/plans/{id}/claim"), ("post", "/plans/{id}/allocate"),
    ("get", "/plans/{id}/review/changes"),
]


@pytest.mark.parametrize("method,route", REVIEW_ROUTES)
def test_review_routes_refuse_others(make_client, app, method, route):
    world = World()
    plan = world.to_state(PlanState.submitted)
    plan.reviewer_id = world.reviewer.id
    services.save_review(plan, world.reviewer, scores={}, overall="Unreleased words")
    db.session.commit()
    url = route.format(id=plan.id)

    def call(user):
        c = make_client()
        login(c, user.email)
        token = csrf_token(c)
        if method == "get":
            return c.get(url)
        return c.post(url, data={"csrf_token": token, "confirmed": "yes"}, headers={"X-CSRFToken": token})

    assert call(world.other_student).status_code == 404
    outsider = World()
    assert call(outsider.leader).status_code == 404
    response = call(world.owner)
    allowed = {"/plans/{id}/feedback": (200,), "/plans/{id}/reflection": (404, 409), "/plans/{id}/claim": (404,),
               "/plans/{id}/allocate": (404,)}.get(route, (403, 409, 400))
    assert response.status_code in allowed and "Unreleased words" not in response.get_data(as_text=True)
    if "claim" not in route:
        assert call(world.instructor).status_code == 403
    anonymous = make_client()
    r = anonymous.get(url) if method == "get" else anonymous.post(url, headers={"X-CSRFToken": csrf_token(anonymous)})
    assert r.status_code in (302, 400)


def test_queue_shows_waiting_plans_a_page_at_a_time_oldest_first(make_client, app):
    from app.reviews.queries import OPEN_PER_PAGE

    world = World()
    students = [member(world.cohort, Role.student, name=f"Waiting Student {n:02d}") for n in range(OPEN_PER_PAGE + 3)]
    for student in students:  # submitted one after the other: the first is the oldest
        plan = plan_services.start_plan(world.assignment, student)
        db.session.flush()
        plan_services.save_draft(plan, student, plan.save_token, GOOD_CONTENT)
        plan_services.submit(plan, student, plan.save_token)
        db.session.commit()
    instructor = make_client()
    login(instructor, world.instructor.email)
    first = instructor.get("/reviews").get_data(as_text=True)
    assert f"Waiting for a reviewer <span class=\"count\">({len(students)})</span>" in first
    assert f"Showing 1–{OPEN_PER_PAGE} of {len(students)}" in first
    assert "Waiting Student 00" in first and f"Waiting Student {OPEN_PER_PAGE - 1:02d}" in first
    assert f"Waiting Student {OPEN_PER_PAGE:02d}" not in first
    assert 'href="/reviews?page=2#open-title" rel="next"' in first
    second = instructor.get("/reviews?page=2").get_data(as_text=True)
    assert f"Showing {OPEN_PER_PAGE + 1}–{len(students)} of {len(students)}" in second
    assert f"Waiting Student {len(students) - 1:02d}" in second and "Waiting Student 00" not in second
    assert 'rel="prev"' in second and 'rel="next"' not in second
    # past the last page (a plan was claimed meanwhile, an old link): to the last page, never an empty list
    answer = instructor.get("/reviews?page=9")
    assert answer.status_code == 302 and answer.headers["Location"].endswith("/reviews?page=2#open-title")
    assert instructor.get("/reviews?page=-3").status_code == 200


def test_the_review_page_of_a_resubmission_reads_in_eight_round_trips(make_client, app):
    """The reviewer's page with the earlier review, its comments and the student's answers: the account, the plan
    with its versions, the reviews with their levels, their comments, the student's replies to the earlier review,
    the reflection, the revision plan and the comment bank."""
    world = World()
    plan = world.to_state(PlanState.in_review)
    services.add_comment(plan, world.reviewer, key="what_matters", quote="home", start=None, body="Say more")
    services.save_review(plan, world.reviewer, scores={"language": {"level": "solid", "comment": "Warm"}},
                         overall="Thanks")
    services.release(plan, world.reviewer)
    services.save_reflection(plan, world.owner, plan.latest_version, "I will use Anna's own words.")
    plan_services.save_draft(plan, world.owner, plan.save_token, GOOD_CONTENT)
    plan_services.submit(plan, world.owner, plan.save_token)
    db.session.commit()
    reviewer = make_client()
    login(reviewer, world.reviewer.email)
    url = f"/plans/{plan.id}/review"
    reviewer.get(url)
    with QueryCounter() as counter:
        page = reviewer.get(url).get_data(as_text=True)
    assert "I will use Anna&#39;s own words." in page and "Since version 1, which you reviewed" in page
    assert "Say more" in page
    assert counter.count <= 8, "\n\n".join(counter.statements)


def test_a_reflection_is_written_while_revising_not_after_resubmitting(make_client, app):
    """The feedback page offers the reflection until the next version is submitted; the route agrees."""
    world = World()
    plan = world.to_state(PlanState.in_review)
    services.save_review(plan, world.reviewer, scores={}, overall="Thanks")
    services.release(plan, world.reviewer)
    db.session.commit()
    student = make_client()
    login(student, world.owner.email)
    assert 'id="reflection-text"' in student.get(f"/plans/{plan.id}/feedback").get_data(as_text=True)
    plan_services.save_draft(plan, world.owner, plan.save_token, GOOD_CONTENT)
    plan_services.submit(plan, world.owner, plan.save_token)
    db.session.commit()
    assert 'id="reflection-text"' not in student.get(f"/plans/{plan.id}/feedback?version=1").get_data(as_text=True)
    refused = post(student, f"/plans/{plan.id}/reflection", {"version": 1, "text": "Too late?"})
    assert refused.status_code == 409
    assert db.session.scalar(db.select(db.func.count()).select_from(Reflection)) == 0


def test_release_confirmation_warns_about_unscored_criteria_and_a_missing_message(client, app):
    world = World()
    plan = world.to_state(PlanState.submitted)
    plan.reviewer_id = world.reviewer.id
    services.save_review(plan, world.reviewer, scores={"voice": {"level": "solid", "comment": ""}}, overall="")
    db.session.commit()
    login(client, world.reviewer.email)
    for endpoint in ("release", "complete"):
        page = client.get(f"/plans/{plan.id}/{endpoint}").get_data(as_text=True)
        assert "No level is given for" in page and "Respectful, plain language" in page
        assert "There is no overall message." in page
        assert 'name="confirmed"' in page  # a warning, not a block
    assert post(client, f"/plans/{plan.id}/release", {"confirmed": "yes"}).status_code == 302
    db.session.refresh(plan)
    assert plan.state == PlanState.returned


def test_release_confirmation_has_no_warning_for_a_full_review(client, app):
    world = World()
    plan = world.to_state(PlanState.submitted)
    plan.reviewer_id = world.reviewer.id
    keys = plan.rubric_version.criterion_keys()
    services.save_review(plan, world.reviewer, scores={k: {"level": "solid", "comment": ""} for k in keys},
                         overall="Well argued.")
    db.session.commit()
    login(client, world.reviewer.email)
    page = client.get(f"/plans/{plan.id}/release").get_data(as_text=True)
    assert "confirm-warnings" not in page and 'name="confirmed"' in page
