"""The student answers released feedback: replies to each comment (a short thread), how helpful each comment was,
and a revision plan for every criterion below the top level. The next version's reviewer reads it all beside the
new version and marks each planned change; once that version is submitted the answers stay with the version they
answered. A student never sees, nor answers, a review that is not released."""
from __future__ import annotations

import re

import pytest

from app.db import db
from app.plans import services as plan_services
from app.plans.states import PlanState
from app.reviews import policies, services
from app.reviews.models import AnchoredComment, FeedbackReply, RevisionIntention
from tests.conftest import csrf_token, login, post
from tests.plan_helpers import GOOD_CONTENT, World

REVISED = {**GOOD_CONTENT, "sections": {**GOOD_CONTENT["sections"],
                                        "what_matters": "I want a home of my own with Luna, near my sister."}}


@pytest.fixture
def world(app):
    """Version 1 reviewed and released: "voice" at "emerging" with a comment, "language" at the top level, one
    comment on a passage."""
    world = World()
    plan = world.to_state(PlanState.in_review)
    services.save_review(plan, world.reviewer, overall="Thanks", scores={
        "voice": {"level": "emerging", "comment": "Use her words."},
        "language": {"level": "exemplary", "comment": "Warm and plain."},
        "measures": {"level": "solid", "comment": ""}})
    world.comment = services.add_comment(plan, world.reviewer, key="what_matters", quote="home", start=None,
                                         body="Which home?")
    services.release(plan, world.reviewer)
    db.session.commit()
    return world


@pytest.fixture
def student(make_client, world):
    client = make_client()
    login(client, world.owner.email)
    return client


@pytest.fixture
def reviewer(make_client, world):
    client = make_client()
    login(client, world.reviewer.email)
    return client


def score_id(world, key: str) -> int:
    review = services.review_for(world.plan.versions[0])
    return review.score_for(key).id


def replies():
    db.session.expire_all()
    return [(r.kind, r.body) for r in db.session.scalars(db.select(FeedbackReply).order_by(FeedbackReply.id))]


def resubmit(world):
    plan_services.save_draft(world.plan, world.owner, world.plan.save_token, REVISED)
    plan_services.submit(world.plan, world.owner, world.plan.save_token)
    db.session.commit()


# --- replies -----------------------------------------------------------------------------------------------

def test_the_student_replies_to_comments_in_a_short_thread(student, world):
    url = f"/plans/{world.plan.id}/feedback/comments/{world.comment.id}/replies"
    response = post(student, url, {"kind": "question", "body": "The flat I applied for?"})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"#comment-{world.comment.id}")
    assert post(student, url, {"kind": "done", "body": ""}).status_code == 302  # "done" says enough on its own
    voice = f"/plans/{world.plan.id}/feedback/criteria/{score_id(world, 'voice')}/replies"
    response = post(student, voice, {"kind": "disagree", "body": "These are her words, from the interview."})
    assert response.headers["Location"].endswith("#criterion-voice")
    assert replies() == [("question", "The flat I applied for?"), ("done", ""),
                         ("disagree", "These are her words, from the interview.")]
    page = student.get(f"/plans/{world.plan.id}/feedback").get_data(as_text=True)
    thread = page[page.index(f'id="answers-comment-{world.comment.id}"'):]
    assert thread.index("The flat I applied for?") < thread.index(">Done<")
    assert "These are her words, from the interview." in page


def test_staff_read_the_answers_on_the_feedback_page_without_forms(student, reviewer, world):
    post(student, f"/plans/{world.plan.id}/feedback/comments/{world.comment.id}/replies", {"body": "Which one?"})
    post(student, f"/plans/{world.plan.id}/feedback/comments/{world.comment.id}/rating", {"helpful": "1"})
    page = reviewer.get(f"/plans/{world.plan.id}/feedback").get_data(as_text=True)
    assert "Which one?" in page and "The student's rating:" in page and "Not helpful" in page
    assert 'class="reply-form"' not in page and 'class="rating-form"' not in page
    assert 'id="revision-plan-form"' not in page


def test_a_refused_reply_comes_back_as_typed(student, world):
    url = f"/plans/{world.plan.id}/feedback/comments/{world.comment.id}/replies"
    empty = post(student, url, {"kind": "", "body": "   "})
    assert empty.status_code == 400 and "Write your reply" in empty.get_data(as_text=True)
    disagree = post(student, url, {"kind": "disagree", "body": ""})
    page = disagree.get_data(as_text=True)
    assert disagree.status_code == 400 and "Say why you disagree" in page
    form = re.search(rf'<form[^>]*id="reply-comment-{world.comment.id}".*?</form>', page, re.S).group(0)
    assert '<option value="disagree" selected>' in form and 'aria-invalid="true"' in form
    long = post(student, url, {"kind": "", "body": "x" * 5001})
    assert long.status_code == 400 and "x" * 5001 in long.get_data(as_text=True)
    assert post(student, url, {"kind": "shout", "body": "Hm"}).status_code == 400
    assert replies() == []


def test_the_student_changes_and_deletes_a_reply_until_the_next_version(student, world):
    url = f"/plans/{world.plan.id}/feedback/comments/{world.comment.id}/replies"
    post(student, url, {"kind": "question", "body": "Which one?"})
    reply_id = db.session.scalar(db.select(FeedbackReply.id))
    assert post(student, f"/plans/{world.plan.id}/feedback/replies/{reply_id}",
                {"kind": "", "body": "Which home do you mean?"}).status_code == 302
    assert replies() == [(None, "Which home do you mean?")]
    refused = post(student, f"/plans/{world.plan.id}/feedback/replies/{reply_id}", {"kind": "", "body": ""})
    assert refused.status_code == 400 and re.search(r'<details class="reply-edit" open>', refused.get_data(as_text=True))
    # deleting asks first
    asked = post(student, f"/plans/{world.plan.id}/feedback/replies/{reply_id}/delete")
    assert asked.status_code == 200 and "Delete this reply?" in asked.get_data(as_text=True)
    assert replies() == [(None, "Which home do you mean?")]
    post(student, url, {"kind": "done", "body": "Added the address."})
    resubmit(world)
    # with the next version submitted the thread is frozen with the version it answered
    late = post(student, url, {"kind": "", "body": "One more"})
    assert late.status_code == 409 and "One more</textarea>" in late.get_data(as_text=True)  # kept to copy
    assert post(student, f"/plans/{world.plan.id}/feedback/replies/{reply_id}",
                {"kind": "", "body": "Changed"}).status_code == 409
    assert post(student, f"/plans/{world.plan.id}/feedback/replies/{reply_id}/delete",
                {"confirmed": "yes"}).status_code == 409
    assert replies() == [(None, "Which home do you mean?"), ("done", "Added the address.")]
    page = student.get(f"/plans/{world.plan.id}/feedback?version=1").get_data(as_text=True)
    assert "Which home do you mean?" in page and 'class="reply-form"' not in page


def test_deleting_a_confirmed_reply_removes_it(student, world):
    post(student, f"/plans/{world.plan.id}/feedback/comments/{world.comment.id}/replies", {"body": "Oops"})
    reply_id = db.session.scalar(db.select(FeedbackReply.id))
    response = post(student, f"/plans/{world.plan.id}/feedback/replies/{reply_id}/delete", {"confirmed": "yes"})
    assert response.status_code == 302 and replies() == []


def test_the_helpful_rating_is_optional_changeable_and_the_authors_alone(student, reviewer, world):
    url = f"/plans/{world.plan.id}/feedback/comments/{world.comment.id}/rating"
    assert post(student, url, {"helpful": "3"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(AnchoredComment, world.comment.id).helpful == 3
    post(student, url, {"helpful": "1"})
    voice = f"/plans/{world.plan.id}/feedback/criteria/{score_id(world, 'voice')}/rating"
    post(student, voice, {"helpful": "2"})
    page = student.get(f"/plans/{world.plan.id}/feedback").get_data(as_text=True)
    assert re.search(r'value="1" class="button small chosen" aria-pressed="true">Not helpful', page)
    assert re.search(r'value="2" class="button small chosen" aria-pressed="true">Somewhat helpful', page)
    assert post(student, url, {"helpful": "7"}).status_code == 400
    measures = f"/plans/{world.plan.id}/feedback/criteria/{score_id(world, 'measures')}/rating"
    assert post(student, measures, {"helpful": "3"}).status_code == 400  # a level without a comment
    assert f'action="{measures}"' not in page
    assert post(reviewer, url, {"helpful": "3"}).status_code == 403
    post(student, url, {"clear": "1"})
    db.session.expire_all()
    assert db.session.get(AnchoredComment, world.comment.id).helpful is None


@pytest.mark.parametrize("state", list(PlanState))
def test_the_student_answers_feedback_while_the_plan_is_theirs_to_act_on(app, state):
    """Returned and revising (draft): yes. Submitted, in review, completed: the answers wait or are closed."""
    world = World()
    plan = world.to_state(PlanState.in_review)
    services.save_review(plan, world.reviewer, scores={}, overall="Thanks")
    services.release(plan, world.reviewer)
    review = services.review_for(plan.versions[0])
    if state == PlanState.draft:
        plan_services.save_draft(plan, world.owner, plan.save_token, REVISED)
    elif state in (PlanState.submitted, PlanState.in_review, PlanState.completed):
        plan_services.save_draft(plan, world.owner, plan.save_token, REVISED)
        plan_services.submit(plan, world.owner, plan.save_token)
        if state != PlanState.submitted:
            from app.plans import workflow
            workflow.apply(plan, "start_review", world.reviewer)
        if state == PlanState.completed:
            services.save_review(plan, world.reviewer, scores={}, overall="Done")
            services.complete(plan, world.reviewer)
    db.session.commit()
    assert plan.state == state
    expected = state in (PlanState.returned, PlanState.draft)
    assert policies.can_answer_feedback(world.owner, plan, review) is expected
    assert not policies.can_answer_feedback(world.reviewer, plan, review)
    assert not policies.can_answer_feedback(world.other_student, plan, review)


def test_a_withdrawn_resubmission_opens_the_answers_again(student, world):
    resubmit(world)
    url = f"/plans/{world.plan.id}/feedback/comments/{world.comment.id}/replies"
    assert post(student, url, {"body": "Late thought"}).status_code == 409
    plan_services.withdraw(world.plan, world.owner)
    db.session.commit()
    assert post(student, url, {"body": "Late thought"}).status_code == 302


# --- a student never sees an unreleased review -------------------------------------------------------------

def test_a_student_never_sees_nor_answers_an_unreleased_review(student, world):
    resubmit(world)
    plan = world.plan
    from app.plans import workflow
    workflow.apply(plan, "start_review", world.reviewer)
    services.save_review(plan, world.reviewer, overall="Secret draft", scores={
        "voice": {"level": "not_yet", "comment": "Draft words"}})
    hidden = services.add_comment(plan, world.reviewer, key="what_matters", quote="sister", start=None,
                                  body="Unreleased note")
    db.session.commit()
    review = services.review_for(plan.versions[1])
    hidden_score = review.score_for("voice").id
    for url in (f"/plans/{plan.id}/feedback", f"/plans/{plan.id}/feedback?version=2", f"/plans/{plan.id}/versions/2",
                f"/plans/{plan.id}/versions/2/print", f"/plans/{plan.id}/print", f"/plans/{plan.id}/history"):
        body = student.get(url).get_data(as_text=True)
        assert "Secret draft" not in body and "Draft words" not in body and "Unreleased note" not in body, url
    for url, data in ((f"/plans/{plan.id}/feedback/comments/{hidden.id}/replies", {"body": "Hi"}),
                      (f"/plans/{plan.id}/feedback/comments/{hidden.id}/rating", {"helpful": "3"}),
                      (f"/plans/{plan.id}/feedback/criteria/{hidden_score}/replies", {"body": "Hi"}),
                      (f"/plans/{plan.id}/feedback/criteria/{hidden_score}/rating", {"helpful": "3"}),
                      (f"/plans/{plan.id}/revision-plan", {"version": "2", "intention-voice": "More"})):
        assert post(student, url, data).status_code == 404, url
    assert replies() == []


# --- the revision plan -------------------------------------------------------------------------------------

def intentions():
    db.session.expire_all()
    return {i.criterion_key: i.text for i in db.session.scalars(db.select(RevisionIntention))}


def test_the_revision_plan_asks_for_each_criterion_below_the_top_level(student, world):
    review = services.review_for(world.plan.versions[0])
    assert services.criteria_to_plan(world.plan, review) == ["voice", "measures"]  # "language" is at the top
    page = student.get(f"/plans/{world.plan.id}/feedback").get_data(as_text=True)
    assert 'id="intention-voice"' in page and 'id="intention-measures"' in page
    assert 'id="intention-language"' not in page
    answer = student.post(f"/plans/{world.plan.id}/revision-plan", headers={"X-CSRFToken": csrf_token(student)},
                          json={"version": 1, "intentions": {"voice": "Quote Anna in each goal."}})
    assert answer.status_code == 200 and answer.get_json()["saved_label"].startswith("Saved ")
    assert intentions() == {"voice": "Quote Anna in each goal."}
    # the form saves every box; an emptied box removes what it held
    response = post(student, f"/plans/{world.plan.id}/revision-plan",
                    {"version": "1", "intention-voice": "", "intention-measures": "Dates on every measure."})
    assert response.status_code == 302 and response.headers["Location"].endswith("#revision-plan")
    assert intentions() == {"measures": "Dates on every measure."}
    refused = post(student, f"/plans/{world.plan.id}/revision-plan",
                   {"version": "1", "intention-voice": "y" * 5001, "intention-measures": "Keep this too."})
    page = refused.get_data(as_text=True)
    assert refused.status_code == 400 and "y" * 5001 in page and "Keep this too." in page
    assert 'id="revision-plan-problem"' in page
    assert post(student, f"/plans/{world.plan.id}/revision-plan",
                {"version": "1", "intention-language": "Nothing"}).status_code == 400
    assert intentions() == {"measures": "Dates on every measure."}


def test_resubmitting_warns_about_criteria_without_a_plan_but_does_not_block(student, world):
    plan_services.save_draft(world.plan, world.owner, world.plan.save_token, REVISED)
    db.session.commit()
    page = student.get(f"/plans/{world.plan.id}/submit").get_data(as_text=True)
    warning = re.search(r'<div class="flash flash-info" id="submit-warnings">.*?</div>', page, re.S).group(0)
    assert "The person&#39;s voice and goals" in warning and "Concrete measures and responsibilities" in warning
    assert f"/plans/{world.plan.id}/feedback#revision-plan" in warning
    assert "Respectful, plain language" not in warning  # at the top level: nothing to plan
    post(student, f"/plans/{world.plan.id}/revision-plan", {"version": "1", "intention-voice": "Her words.",
                                                            "intention-measures": "Dates."})
    page = student.get(f"/plans/{world.plan.id}/submit").get_data(as_text=True)
    assert 'id="submit-warnings"' not in page
    # a warning only: the plan is submitted with or without it
    post(student, f"/plans/{world.plan.id}/revision-plan", {"version": "1", "intention-voice": ""})
    db.session.expire_all()
    response = post(student, f"/plans/{world.plan.id}/submit", {"confirmed": "yes",
                                                                 "save_token": world.plan.save_token})
    assert response.status_code == 302
    db.session.expire_all()
    assert world.plan.state == PlanState.submitted and world.plan.number_of_versions == 2


def test_the_next_reviewer_reads_the_answers_beside_the_new_version_and_marks_the_plan(student, reviewer, world):
    post(student, f"/plans/{world.plan.id}/feedback/comments/{world.comment.id}/replies",
         {"kind": "question", "body": "The flat I applied for?"})
    post(student, f"/plans/{world.plan.id}/feedback/comments/{world.comment.id}/rating", {"helpful": "3"})
    post(student, f"/plans/{world.plan.id}/feedback/criteria/{score_id(world, 'voice')}/replies",
         {"kind": "disagree", "body": "Those are her words."})
    post(student, f"/plans/{world.plan.id}/revision-plan", {"version": "1", "intention-voice": "Quote Anna.",
                                                            "intention-measures": "Dates on measures."})
    resubmit(world)
    page = reviewer.get(f"/plans/{world.plan.id}/review").get_data(as_text=True)
    earlier = page[page.index('id="since-title"'):page.index('id="comments-title"')]
    assert "The flat I applied for?" in earlier and "Very helpful" in earlier
    voice = page[page.index('id="criterion-voice"'):page.index('id="criterion-resources"')]
    assert "Those are her words." in voice and "I disagree" in voice
    assert "Quote Anna." in voice
    assert f'/plans/{world.plan.id}/diff?from=1&amp;to=2#d-what_matters' in voice  # the passage that changed
    assert 'name="intention-voice" value="partly"' in voice
    assert 'name="intention-language"' not in page  # nothing was planned there
    # marked with the review (autosaved as the other fields), refused when unknown
    token = csrf_token(reviewer)
    answer = reviewer.post(f"/plans/{world.plan.id}/review/draft", headers={"X-CSRFToken": token},
                           json={"intention-voice": "partly", "intention-measures": "done", "overall": "Better"})
    assert answer.status_code == 200
    bad = reviewer.post(f"/plans/{world.plan.id}/review/draft", headers={"X-CSRFToken": token},
                        json={"intention-voice": "maybe", "save_token": answer.get_json()["save_token"]})
    assert bad.status_code == 400
    # the student sees the marks only with the released feedback
    assert "Partly" not in student.get(f"/plans/{world.plan.id}/feedback?version=2").get_data(as_text=True)
    services.release(world.plan, world.reviewer)
    db.session.commit()
    feedback = student.get(f"/plans/{world.plan.id}/feedback?version=2").get_data(as_text=True)
    planned = feedback[feedback.index('id="planned-title"'):]
    assert re.search(r"Quote Anna\..*?Partly", planned, re.S)
    assert re.search(r"Dates on measures\..*?>Done<", planned, re.S)


def test_replies_and_the_revision_plan_are_part_of_the_history_and_the_print(student, world, reviewer):
    post(student, f"/plans/{world.plan.id}/feedback/comments/{world.comment.id}/replies",
         {"kind": "question", "body": "The flat I applied for?"})
    post(student, f"/plans/{world.plan.id}/feedback/criteria/{score_id(world, 'voice')}/rating", {"helpful": "2"})
    post(student, f"/plans/{world.plan.id}/revision-plan", {"version": "1", "intention-voice": "Quote Anna."})
    resubmit(world)
    history = student.get(f"/plans/{world.plan.id}/history").get_data(as_text=True)
    assert "1 reply" in history
    for client in (student, reviewer):
        version = client.get(f"/plans/{world.plan.id}/versions/1").get_data(as_text=True)
        assert "The flat I applied for?" in version and "Somewhat helpful" in version and "Quote Anna." in version
        printed = client.get(f"/plans/{world.plan.id}/versions/1/print").get_data(as_text=True)
        assert "The flat I applied for?" in printed and "Somewhat helpful" in printed and "Quote Anna." in printed
    # the version without released feedback has no such section
    assert 'id="version-feedback-title"' not in student.get(f"/plans/{world.plan.id}/versions/2").get_data(as_text=True)


def test_other_people_cannot_answer_the_feedback(make_client, world):
    url = f"/plans/{world.plan.id}/feedback/comments/{world.comment.id}/replies"
    expected = {world.other_student: 404, world.reviewer: 403, world.instructor: 403, world.leader: 403}
    for person, status in expected.items():
        client = make_client()
        login(client, person.email)
        assert post(client, url, {"body": "Not mine"}).status_code == status, person.name
        assert post(client, f"/plans/{world.plan.id}/revision-plan",
                    {"version": "1", "intention-voice": "Not mine"}).status_code == status, person.name
    assert replies() == [] and intentions() == {}


def test_without_javascript_the_review_form_saves_the_marks(reviewer, student, world):
    post(student, f"/plans/{world.plan.id}/revision-plan", {"version": "1", "intention-voice": "Quote Anna."})
    resubmit(world)
    response = post(reviewer, f"/plans/{world.plan.id}/review", {"intention-voice": "done", "overall": "Better",
                                                                  "save_token": "0"})
    assert response.status_code == 302
    db.session.expire_all()
    assert services.review_for(world.plan.versions[1]).score_for("voice").intention_outcome == "done"
    page = reviewer.get(f"/plans/{world.plan.id}/review").get_data(as_text=True)
    assert 'name="intention-voice" value="done" checked' in page


def test_the_students_data_export_holds_their_answers(student, world):
    post(student, f"/plans/{world.plan.id}/feedback/comments/{world.comment.id}/replies", {"kind": "done"})
    post(student, f"/plans/{world.plan.id}/feedback/comments/{world.comment.id}/rating", {"helpful": "2"})
    post(student, f"/plans/{world.plan.id}/revision-plan", {"version": "1", "intention-voice": "Quote Anna."})
    from app.privacy.services import export_user_data
    version = export_user_data(world.owner)["plans"][0]["versions"][0]
    assert version["revision_plan"] == {"voice": "Quote Anna."}
    comment = version["feedback"]["comments"][0]
    assert comment["helpful"] == 2 and comment["replies"][0]["kind"] == "done"


def test_the_answers_speak_norwegian(student, world):
    world.owner.locale = "nb"
    db.session.commit()
    page = student.get(f"/plans/{world.plan.id}/feedback").get_data(as_text=True)
    for words in ("Revisjonsplanen din", "Hvor nyttig var denne kommentaren?", "Svært nyttig", "Send svar",
                  "Hva slags svar", "Lagre revisjonsplanen"):
        assert words in page, words
    for english in ("Your revision plan", "How helpful was this comment?", "Send reply", ": what I will change"):
        assert english not in page, english
