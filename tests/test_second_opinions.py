"""A second opinion (moderation): a course leader or the unsure reviewer asks a second instructor to score a version
in review on their own; while it is open the feedback cannot be released; the decider picks per criterion the level
to release; both sets of levels are kept; the student is told the feedback was moderated, and never sees the second
opinion itself."""
from __future__ import annotations

import re

import pytest

from app.assignments.services import to_local
from app.audit.models import AuditEntry
from app.cohorts.models import Role
from app.db import db
from app.errors import Conflict, DomainError, InvalidTransition, NotPermitted, ValidationError
from app.notifications.models import Notification
from app.notifications.subscriptions import REPLY_NOTICE_QUIET
from app.plans import workflow
from app.plans.states import PlanState, SecondOpinionState
from app.plans.workflow import SecondOpinionAction
from app.reviews import queries, second_opinions, services
from app.reviews.models import CriterionScore, SecondOpinion, SecondOpinionScore
from tests.conftest import QueryCounter, login, post
from tests.factories import member
from tests.plan_helpers import World

CRITERIA = ("language", "voice", "resources", "measures", "coordination", "determinants", "consent")
FIRST = {"language": "solid", "voice": "emerging", "resources": "solid", "measures": "not_yet",
         "coordination": "solid", "determinants": "solid", "consent": "solid"}
# Two levels above the first review on "measures", one on "voice", the same elsewhere.
SECOND = {**FIRST, "measures": "solid", "voice": "solid"}
SECOND_COMMENT = "SECOND-RATER-ONLY: the measures are clearer than the first review says."


def _scores(levels: dict, comment: str = "") -> dict:
    return {key: {"level": level, "comment": comment if key == "measures" else ""} for key, level in levels.items()}


@pytest.fixture
def world(app):
    world = World()
    plan = world.to_state(PlanState.in_review)
    services.save_review(plan, world.reviewer, scores=_scores(FIRST, "FIRST-RATER words on measures."),
                         overall="Overall from the first reviewer.")
    world.student_b = member(world.cohort, Role.student, name="Stina Student")
    db.session.commit()
    return world


def _request(world, actor=None, rater=None):
    opinion = second_opinions.request(world.plan, actor or world.leader, rater or world.instructor, "Unsure on measures")
    db.session.commit()
    return opinion


def _scored(world, levels=SECOND):
    opinion = _request(world)
    second_opinions.submit(world.plan, opinion, world.instructor, _scores(levels, SECOND_COMMENT))
    db.session.commit()
    return opinion


def _decide(world, opinion, actor=None, decisions=None):
    decisions = decisions or {**FIRST, "measures": "emerging"}
    second_opinions.resolve(world.plan, opinion, actor or world.leader, decisions, {"measures": "Met in the middle"},
                            "Agreed after reading both")
    db.session.commit()


# --- who may do what, in each state ------------------------------------------------------------------------

def test_the_reviewer_and_a_leader_may_ask_others_may_not(world):
    plan = world.plan
    assert workflow.can_second_opinion(plan, None, SecondOpinionAction.request, world.reviewer)
    assert workflow.can_second_opinion(plan, None, SecondOpinionAction.request, world.leader)
    for person in (world.instructor, world.owner, world.other_student):
        assert not workflow.can_second_opinion(plan, None, SecondOpinionAction.request, person)
        with pytest.raises(NotPermitted):
            second_opinions.request(plan, person, world.instructor, "")
        db.session.rollback()
    assert db.session.scalar(db.select(db.func.count(SecondOpinion.id))) == 0


def test_the_second_instructor_is_never_the_author_nor_the_first_reviewer(world):
    with pytest.raises(ValidationError):
        second_opinions.request(world.plan, world.leader, world.reviewer, "")
    db.session.rollback()
    with pytest.raises(NotPermitted):
        second_opinions.request(world.plan, world.leader, world.owner, "")
    db.session.rollback()
    with pytest.raises(ValidationError):  # a student of the cohort is no instructor
        second_opinions.request(world.plan, world.leader, world.other_student, "")
    db.session.rollback()
    names = {user.id for user in second_opinions.eligible_raters(world.plan)}
    assert names == {world.instructor.id, world.leader.id}


def test_only_one_open_second_opinion_at_a_time(world):
    _request(world)
    with pytest.raises(Conflict):
        second_opinions.request(world.plan, world.reviewer, world.leader, "")


def test_a_second_opinion_is_asked_only_while_the_plan_is_in_review(app):
    world = World()
    plan = world.to_state(PlanState.submitted)
    with pytest.raises((InvalidTransition, NotPermitted)):
        second_opinions.request(plan, world.leader, world.instructor, "")


def test_only_the_second_instructor_submits(world):
    opinion = _request(world)
    for person in (world.reviewer, world.leader, world.owner, world.other_student):
        assert not workflow.can_second_opinion(world.plan, opinion, SecondOpinionAction.submit, person)
        with pytest.raises(NotPermitted):
            second_opinions.submit(world.plan, opinion, person, _scores(SECOND))
        db.session.rollback()
    second_opinions.submit(world.plan, opinion, world.instructor, _scores(SECOND))
    db.session.commit()
    assert opinion.state == SecondOpinionState.scored
    with pytest.raises(InvalidTransition):  # once is enough: the levels are kept as submitted
        second_opinions.submit(world.plan, opinion, world.instructor, _scores(FIRST))


def test_a_second_opinion_needs_a_level_for_every_criterion(world):
    opinion = _request(world)
    with pytest.raises(ValidationError):
        second_opinions.submit(world.plan, opinion, world.instructor, _scores({"voice": "solid"}))


def test_release_and_completion_are_refused_while_a_second_opinion_is_open(world):
    opinion = _request(world)
    assert not workflow.can(world.plan, "release", world.reviewer)
    with pytest.raises(InvalidTransition, match="second opinion"):
        services.release(world.plan, world.reviewer)
    db.session.rollback()
    with pytest.raises(InvalidTransition, match="second opinion"):
        services.complete(world.plan, world.leader)
    db.session.rollback()
    second_opinions.submit(world.plan, opinion, world.instructor, _scores(SECOND))
    db.session.commit()
    with pytest.raises(InvalidTransition, match="second opinion"):
        services.release(world.plan, world.reviewer)
    db.session.rollback()
    _decide(world, opinion)
    services.release(world.plan, world.reviewer)
    db.session.commit()
    assert world.plan.state == PlanState.returned


def test_refused_release_over_http_says_why(world, client):
    _request(world)
    login(client, world.reviewer.email)
    response = post(client, f"/plans/{world.plan.id}/release", {"confirmed": "yes"})
    assert response.status_code == 409
    assert "second opinion" in response.get_data(as_text=True)
    assert world.plan.state == PlanState.in_review


def test_the_leader_decides_by_default_not_the_reviewer_nor_the_second_instructor(world):
    opinion = _scored(world)
    for person in (world.reviewer, world.instructor, world.owner):
        assert not workflow.can_second_opinion(world.plan, opinion, SecondOpinionAction.resolve, person)
        with pytest.raises(NotPermitted):
            second_opinions.resolve(world.plan, opinion, person, FIRST, {}, "")
        db.session.rollback()
    assert workflow.can_second_opinion(world.plan, opinion, SecondOpinionAction.resolve, world.leader)


def test_an_assignment_can_let_the_first_reviewer_decide(app):
    world = World(second_opinion_resolver="reviewer")
    world.to_state(PlanState.in_review)
    services.save_review(world.plan, world.reviewer, scores=_scores(FIRST), overall="")
    db.session.commit()
    opinion = _scored(world)
    assert not workflow.can_second_opinion(world.plan, opinion, SecondOpinionAction.resolve, world.leader)
    _decide(world, opinion, actor=world.reviewer)
    assert opinion.state == SecondOpinionState.resolved


def test_nothing_is_decided_before_the_second_opinion_is_in(world):
    opinion = _request(world)
    with pytest.raises(InvalidTransition):
        second_opinions.resolve(world.plan, opinion, world.leader, FIRST, {}, "")


def test_the_asker_or_a_leader_cancels_and_release_is_possible_again(world):
    opinion = _request(world, actor=world.reviewer, rater=world.leader)
    for person in (world.instructor, world.owner):
        assert not workflow.can_second_opinion(world.plan, opinion, SecondOpinionAction.cancel, person)
    second_opinions.cancel(world.plan, opinion, world.reviewer)
    db.session.commit()
    assert opinion.state == SecondOpinionState.cancelled
    assert workflow.can(world.plan, "release", world.reviewer)
    with pytest.raises(InvalidTransition):  # a cancelled one is not scored any more
        second_opinions.submit(world.plan, opinion, world.leader, _scores(SECOND))


def test_a_leader_cancels_a_scored_second_opinion_the_review_stays_as_written(world):
    opinion = _scored(world)
    second_opinions.cancel(world.plan, opinion, world.leader)
    db.session.commit()
    assert {s.criterion_key: s.level_key for s in opinion.review.scores} == FIRST
    assert len(opinion.scores) == len(CRITERIA)


# --- both sets kept; the flag ------------------------------------------------------------------------------

def test_resolving_sets_the_review_levels_and_keeps_both_sets(world):
    opinion = _scored(world)
    _decide(world, opinion, decisions={**FIRST, "measures": "emerging", "voice": "solid"})
    db.session.expire_all()
    review_levels = {s.criterion_key: s.level_key for s in db.session.scalars(
        db.select(CriterionScore).where(CriterionScore.review_id == opinion.review_id))}
    assert review_levels["measures"] == "emerging" and review_levels["voice"] == "solid"
    kept = {s.criterion_key: s for s in db.session.scalars(db.select(SecondOpinionScore))}
    assert kept["measures"].first_level_key == "not_yet"  # the first reviewer's original
    assert kept["measures"].level_key == "solid"  # the second instructor's
    assert kept["measures"].decided_level_key == "emerging"
    assert kept["measures"].comment == SECOND_COMMENT
    assert kept["measures"].decision_note == "Met in the middle"
    opinion = db.session.get(SecondOpinion, opinion.id)
    assert opinion.outcome == "mixed" and opinion.resolved_by_id == world.leader.id
    assert opinion.decision_note == "Agreed after reading both"


def test_the_reviewer_cannot_change_decided_levels_afterwards(world):
    opinion = _scored(world)
    _decide(world, opinion)
    services.save_review(world.plan, world.reviewer, scores=_scores(FIRST), overall="Changed my mind")
    db.session.commit()
    assert world.plan and services.current_review(world.plan).score_for("measures").level_key == "emerging"


def test_a_difference_of_two_levels_flags_the_plan_with_its_criteria(world, client):
    opinion = _scored(world)
    assert second_opinions.disagreements(opinion, world.plan.rubric_version) == ["measures"]  # voice is one apart
    login(client, world.leader.email)
    review_page = client.get(f"/plans/{world.plan.id}/review").get_data(as_text=True)
    flag = re.search(r'class="flash flash-error flag-disagreement".*?</p>', review_page, re.S).group(0)
    assert "Measures" in flag or "measures" in flag.lower()
    assert "Voice" not in flag
    dashboard = client.get(f"/assignments/{world.assignment.id}/dashboard").get_data(as_text=True)
    assert "Second opinion differs" in dashboard
    _decide(world, opinion)
    dashboard = client.get(f"/assignments/{world.assignment.id}/dashboard").get_data(as_text=True)
    assert "Second opinion differs" not in dashboard


def test_the_review_page_reads_a_second_opinion_with_the_review_not_one_query_at_a_time(world, make_client):
    """The panel of a scored second opinion (who was asked, by whom, the flag from both scorings) comes with the
    review page's own reads: one statement more than the page without a second opinion (its levels), not one for
    each thing the panel names."""
    def statements(email):
        reader = make_client()
        login(reader, email)
        url = f"/plans/{world.plan.id}/review"
        reader.get(url)
        db.session.commit()
        with QueryCounter() as counter:
            page = reader.get(url)
        assert page.status_code == 200
        return counter.count, page.get_data(as_text=True)

    without, _ = statements(world.reviewer.email)
    _scored(world)
    with_opinion, page = statements(world.reviewer.email)
    assert "flag-disagreement" in page and world.instructor.name in page
    assert with_opinion == without + 1, with_opinion
    leader_count, page = statements(world.leader.email)
    assert "Compare and decide" in page and "waits for its decision" in page and leader_count <= without + 1


def test_one_level_apart_is_not_flagged(world):
    opinion = _scored(world, levels={**FIRST, "voice": "solid"})
    assert second_opinions.disagreements(opinion, world.plan.rubric_version) == []


# --- the pages ---------------------------------------------------------------------------------------------

def test_the_second_instructor_does_not_see_the_first_levels_until_submitted(world, client):
    _request(world)
    login(client, world.instructor.email)
    page = client.get(f"/plans/{world.plan.id}/second-opinion").get_data(as_text=True)
    assert "on your own judgement" in page
    assert "FIRST-RATER words on measures." not in page
    assert "Overall from the first reviewer." not in page
    assert 'value="not_yet" required checked' not in page
    response = post(client, f"/plans/{world.plan.id}/second-opinion",
                    {f"level-{k}": v for k, v in SECOND.items()} | {"comment-measures": SECOND_COMMENT},
                    follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "Your second opinion is in" in page
    assert "First review" in page and "two levels or more apart" in page


def test_a_refused_submission_keeps_what_was_typed(world, client):
    _request(world)
    login(client, world.instructor.email)
    response = post(client, f"/plans/{world.plan.id}/second-opinion",
                    {"level-voice": "solid", "comment-measures": "Kept words"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Kept words" in page and "Choose a level for every criterion" in page


def test_the_second_instructor_saves_a_draft_and_finds_it_again_and_nobody_else_sees_it(world, client, make_client):
    """Half a scoring is not lost by leaving the page: saved as a draft (no level is required yet), it is in the
    form again when the second instructor comes back; the first reviewer and the leader see nothing of it, and
    it counts for nothing until it is submitted."""
    _request(world)
    login(client, world.instructor.email)
    url = f"/plans/{world.plan.id}/second-opinion"
    response = post(client, url, {"then": "draft", "level-voice": "exemplary", "comment-measures": "DRAFT-ONLY words"},
                    follow_redirects=True)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "Your draft is saved" in page
    again = client.get(url).get_data(as_text=True)
    assert 'name="level-voice" value="exemplary" required checked' in again and "DRAFT-ONLY words" in again
    assert "Draft saved" in again and "on your own judgement" in again
    opinion = second_opinions.get(world.plan)
    assert opinion.state == SecondOpinionState.requested.value and opinion.scores == []
    for email in (world.reviewer.email, world.leader.email):
        other = make_client()
        login(other, email)
        for path in (f"/plans/{world.plan.id}/review", f"/plans/{world.plan.id}/second-opinion/resolve"):
            assert "DRAFT-ONLY" not in other.get(path).get_data(as_text=True)
    # A made-up level is refused and what was typed stays in the form; the saved draft is unchanged.
    refused = post(client, url, {"then": "draft", "level-voice": "made-up", "comment-measures": "Newer words"})
    assert refused.status_code == 400 and "Newer words" in refused.get_data(as_text=True)
    assert second_opinions.get(world.plan).draft == {"voice": {"level": "exemplary", "comment": ""},
                                                     "measures": {"level": "", "comment": "DRAFT-ONLY words"}}
    # Submitted, the draft becomes the scoring and goes.
    post(client, url, {f"level-{k}": v for k, v in SECOND.items()} | {"comment-measures": SECOND_COMMENT})
    opinion = second_opinions.get(world.plan)
    db.session.refresh(opinion)
    assert opinion.submitted_at is not None and opinion.draft is None and len(opinion.scores) == len(SECOND)


def test_only_the_second_instructor_saves_a_draft_and_only_before_submitting(world):
    opinion = _request(world)
    for someone in (world.reviewer, world.leader, world.owner):
        with pytest.raises(DomainError):
            second_opinions.save_draft(world.plan, opinion, someone, _scores({"voice": "solid"}))
        db.session.rollback()
    second_opinions.submit(world.plan, opinion, world.instructor, _scores(SECOND))
    db.session.commit()
    with pytest.raises(DomainError):
        second_opinions.save_draft(world.plan, opinion, world.instructor, _scores({"voice": "solid"}))


def test_the_leader_decides_on_the_page(world, client):
    _scored(world)
    login(client, world.leader.email)
    page = client.get(f"/plans/{world.plan.id}/second-opinion/resolve").get_data(as_text=True)
    assert SECOND_COMMENT in page and "FIRST-RATER words on measures." in page
    data = {f"decision-{k}": v for k, v in FIRST.items()} | {"decision-measures": "solid", "note-measures": "Fair"}
    response = post(client, f"/plans/{world.plan.id}/second-opinion/resolve", data, follow_redirects=True)
    assert "Decided." in response.get_data(as_text=True)
    assert services.current_review(world.plan).score_for("measures").level_key == "solid"


def test_the_student_sees_moderated_but_never_the_second_opinion(world, client):
    opinion = _scored(world)
    login(client, world.owner.email)
    plan_id = world.plan.id
    student_pages = [f"/plans/{plan_id}", f"/plans/{plan_id}/feedback", f"/plans/{plan_id}/history",
                     f"/plans/{plan_id}/versions/1", f"/plans/{plan_id}/print", "/notifications/", "/plans"]
    for url in student_pages:  # before release: nothing of either review
        body = client.get(url).get_data(as_text=True)
        assert SECOND_COMMENT not in body and "FIRST-RATER words" not in body, url
    for url in (f"/plans/{plan_id}/second-opinion", f"/plans/{plan_id}/second-opinion/resolve",
                f"/plans/{plan_id}/second-opinion/request"):
        assert client.get(url).status_code == 404
    _decide(world, opinion)
    services.release(world.plan, world.reviewer)
    db.session.commit()
    feedback = client.get(f"/plans/{plan_id}/feedback").get_data(as_text=True)
    assert "This feedback was moderated: a second instructor also scored it." in feedback
    assert world.instructor.name not in feedback  # the second instructor is not named
    for url in student_pages:
        body = client.get(url).get_data(as_text=True)
        assert SECOND_COMMENT not in body and "Met in the middle" not in body, url


# --- audit and notifications -------------------------------------------------------------------------------

def test_each_step_is_in_the_audit_log(world, client):
    opinion = _scored(world)
    _decide(world, opinion)
    kinds = [e.kind for e in db.session.scalars(db.select(AuditEntry).where(AuditEntry.kind.like("second_opinion.%"))
                                                .order_by(AuditEntry.id))]
    assert kinds == ["second_opinion.request", "second_opinion.submit", "second_opinion.resolve"]
    login(client, world.leader.email)
    log = client.get(f"/cohorts/{world.cohort.id}/audit").get_data(as_text=True)
    assert "Second opinion resolved" in log and "second instructor Ivar Instructor" in log


def _notes(user, kind):
    return list(db.session.scalars(db.select(Notification).where(Notification.user_id == user.id,
                                                                 Notification.kind == kind)))


def test_the_second_instructor_is_told_and_the_asker_and_decider_hear_when_it_is_in(world, client):
    opinion = _request(world, actor=world.reviewer)
    assert len(_notes(world.instructor, "second_opinion_asked")) == 1
    second_opinions.submit(world.plan, opinion, world.instructor, _scores(SECOND))
    db.session.commit()
    assert len(_notes(world.reviewer, "second_opinion_in")) == 1  # who asked
    assert len(_notes(world.leader, "second_opinion_in")) == 1  # who decides
    assert _notes(world.instructor, "second_opinion_in") == []
    login(client, world.leader.email)
    note = _notes(world.leader, "second_opinion_in")[0]
    response = client.get(f"/notifications/{note.id}")
    assert response.headers["Location"].endswith(f"/plans/{world.plan.id}/second-opinion/resolve")


def test_the_second_instructor_and_the_first_reviewer_hear_the_decision_and_read_it(world, client):
    """Once a leader decides, the second instructor and the first reviewer are told (the decider is not), and the
    second instructor's page shows what was decided beside their own levels."""
    opinion = _scored(world)
    _decide(world, opinion)
    assert len(_notes(world.instructor, "second_opinion_decided")) == 1
    assert len(_notes(world.reviewer, "second_opinion_decided")) == 1
    assert _notes(world.leader, "second_opinion_decided") == []
    login(client, world.instructor.email)
    note = _notes(world.instructor, "second_opinion_decided")[0]
    assert "is decided" in client.get("/notifications/").get_data(as_text=True)
    response = client.get(f"/notifications/{note.id}")
    assert response.headers["Location"].endswith(f"/plans/{world.plan.id}/second-opinion")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Decided" in page and "Met in the middle" in page and "Agreed after reading both" in page
    assert "Lena Leader" in page
    login(client, world.reviewer.email)
    note = _notes(world.reviewer, "second_opinion_decided")[0]
    assert client.get(f"/notifications/{note.id}").headers["Location"].endswith(f"/plans/{world.plan.id}/review")


def test_a_first_reviewer_who_decides_is_not_told_of_their_own_decision(app):
    world = World(second_opinion_resolver="reviewer")
    plan = world.to_state(PlanState.in_review)
    services.save_review(plan, world.reviewer, scores=_scores(FIRST), overall="Overall.")
    db.session.commit()
    opinion = _scored(world)
    _decide(world, opinion, actor=world.reviewer)
    assert _notes(world.reviewer, "second_opinion_decided") == []
    assert len(_notes(world.instructor, "second_opinion_decided")) == 1
    assert len(_notes(world.leader, "second_opinion_decided")) == 1  # who asked


# --- the ratings for the agreement statistics ---------------------------------------------------------------

def test_second_opinion_ratings_give_the_original_first_levels_and_the_second(world):
    opinion = _scored(world)
    _decide(world, opinion)
    ratings = queries.second_opinion_ratings(world.assignment.id)
    unit = f"version:{opinion.plan_version_id}"
    first = {(c, level) for u, rater, c, level in ratings if u == unit and rater == world.reviewer.id}
    second = {(c, level) for u, rater, c, level in ratings if u == unit and rater == world.instructor.id}
    assert first == set(FIRST.items())  # the original levels, not the decision ("emerging" on measures)
    assert second == set(SECOND.items())
    assert len(ratings) == 2 * len(CRITERIA)


def test_no_ratings_before_a_second_opinion_is_submitted(world):
    _request(world)
    assert queries.second_opinion_ratings(world.assignment.id) == []


def test_the_leader_chooses_who_decides_on_the_assignment_form(world, client):
    login(client, world.leader.email)
    page = client.get(f"/assignments/{world.assignment.id}/edit").get_data(as_text=True)
    assert "Who decides a second opinion" in page
    a = world.assignment
    form = {"title": a.title, "instructions": a.instructions, "case_version_id": a.case_version_id,
            "rubric_version_id": a.rubric_version_id, "second_opinion_resolver": "reviewer",
            "confirmed": "yes",
            **{name: to_local(getattr(a, name)).strftime("%Y-%m-%dT%H:%M")
               for name in ("opens_at", "due_at", "review_due_at")}}
    assert post(client, f"/assignments/{a.id}/edit", form).status_code == 302
    db.session.expire_all()
    assert world.assignment.second_opinion_resolver == "reviewer"
    opinion = _scored(world)
    assert workflow.can_second_opinion(world.plan, opinion, SecondOpinionAction.resolve, world.reviewer)
    assert not workflow.can_second_opinion(world.plan, opinion, SecondOpinionAction.resolve, world.leader)


# --- the reviewer hears when a student answers -------------------------------------------------------------

def _released(world):
    opinion = _scored(world)
    _decide(world, opinion)
    services.release(world.plan, world.reviewer)
    db.session.commit()
    return services.current_review(world.plan) or services.latest_released_review(world.plan)


def test_the_reviewer_is_told_once_an_hour_when_the_student_answers(world, client):
    review = _released(world)
    score = review.score_for("measures")
    services.add_reply(world.plan, world.owner, score, "question", "What do you mean?")
    services.add_reply(world.plan, world.owner, score, "disagree", "I think the dates are there.")
    db.session.commit()
    notes = _notes(world.reviewer, "student_replied")
    assert len(notes) == 1  # two replies in a row: one notice
    assert notes[0].params["version"] == 1
    login(client, world.reviewer.email)
    listing = client.get("/notifications/").get_data(as_text=True)
    assert "Olga Owner answered your feedback on version 1." in listing
    response = client.get(f"/notifications/{notes[0].id}")
    assert response.headers["Location"].endswith(f"/plans/{world.plan.id}/versions/1")
    notes[0].created_at = notes[0].created_at - REPLY_NOTICE_QUIET
    db.session.commit()
    services.add_reply(world.plan, world.owner, score, "done", "")
    db.session.commit()
    assert len(_notes(world.reviewer, "student_replied")) == 2  # an hour later: told again


def test_the_reply_notice_is_a_choice_on_the_account_page(world, client):
    login(client, world.reviewer.email)
    page = client.get("/account").get_data(as_text=True)
    assert "A student answered my feedback" in page
    assert "I am asked for a second opinion on a plan" in page
