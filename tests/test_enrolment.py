"""Enrolment from a CSV file (upload, preview, confirm), invitations, and removing members without losing data."""
from __future__ import annotations

import io
import re

import pytest

from app.audit.models import AuditEntry
from app.auth.models import User, user_by_email
from app.cohorts import enrolment
from app.cohorts.models import Membership, Role
from app.db import db
from app.mail.models import OutboxMessage
from app.plans.models import Plan, PlanVersion
from app.plans.states import PlanState
from app.reviews.models import Review
from tests.conftest import csrf_token, login, outbox, post
from tests.factories import CohortFactory, UserFactory, member
from tests.plan_helpers import World

GOOD = """email,name,role
sara.nilsen@example.org,Sara Nilsen,student
ingrid.berg@example.org,Ingrid Berg,instructor
lars.lie@example.org,Lars Lie,leader
"""


@pytest.fixture
def cohort(app):
    return CohortFactory(name="MED3100 autumn")


@pytest.fixture
def leader(cohort):
    return member(cohort, Role.leader, name="Lena Leader")


def upload(client, cohort, text: str | bytes, filename="people.csv"):
    data = text.encode("utf-8") if isinstance(text, str) else text
    return client.post(f"/cohorts/{cohort.id}/enrol", data={"csrf_token": csrf_token(client),
                                                            "file": (io.BytesIO(data), filename)},
                       content_type="multipart/form-data")


def confirm_fields(html: str) -> dict:
    fields = dict(re.findall(r'<input[^>]*name="(csv_text|checksum)"[^>]*value="([^"]*)"', html))
    if not fields:
        fields = {name: value for value, name in
                  re.findall(r'<input[^>]*value="([^"]*)"[^>]*name="(csv_text|checksum)"', html)}
    return fields


def confirm(client, cohort, html: str, **changes):
    fields = confirm_fields(html)
    fields.update(changes)
    return post(client, f"/cohorts/{cohort.id}/enrol/confirm", fields)


def outcomes(html: str) -> list[tuple[str, str]]:
    """(e-mail, outcome) for every row of the preview table."""
    found = []
    for row in re.findall(r"<tr[^>]*>\s*<td class=\"num\">\d+</td>(.*?)</tr>", html, re.S):
        cells = re.findall(r"<td>(.*?)</td>", row, re.S)
        outcome = re.search(r'class="outcome outcome-(\w+)"', row).group(1)
        found.append((cells[0].strip(), outcome))
    return found


def exists(membership_id: int) -> bool:
    return db.session.scalar(db.select(Membership.id).where(Membership.id == membership_id)) is not None


def people_in(cohort) -> dict[str, Role]:
    rows = db.session.execute(db.select(User.email, Membership.role).join(Membership, Membership.user_id == User.id)
                              .where(Membership.cohort_id == cohort.id)).all()
    return dict(rows)


def test_good_file_preview_then_confirm_creates_adds_and_invites(client, cohort, leader):
    UserFactory(email="lars.lie@example.org", name="Lars Lie")  # has an account already
    login(client, leader.email)
    preview = upload(client, cohort, GOOD)
    assert preview.status_code == 200
    html = preview.get_data(as_text=True)
    assert outcomes(html) == [("sara.nilsen@example.org", "new"), ("ingrid.berg@example.org", "new"),
                              ("lars.lie@example.org", "added")]
    assert "Enrol 3 people" in html
    assert user_by_email("sara.nilsen@example.org") is None, "the preview changes nothing"
    done = confirm(client, cohort, html)
    assert done.status_code == 302 and done.headers["Location"].endswith("#members")
    assert people_in(cohort) == {leader.email: Role.leader,
                                 "sara.nilsen@example.org": Role.student, "ingrid.berg@example.org": Role.instructor,
                                 "lars.lie@example.org": Role.leader}
    assert user_by_email("sara.nilsen@example.org").name == "Sara Nilsen"
    invitations = [m for m in outbox() if m.kind == "invitation"]
    assert sorted(m.recipient for m in invitations) == ["ingrid.berg@example.org", "sara.nilsen@example.org"]
    assert "MED3100 autumn" in invitations[0].body
    entry = db.session.scalar(db.select(AuditEntry).where(AuditEntry.kind == "cohort.enrolled"))
    assert entry.data == {"new_accounts": 2, "added": 1, "already_members": 0, "errors": 0}
    assert entry.actor_id == leader.id and entry.cohort_id == cohort.id


def test_each_kind_of_bad_row_is_explained_and_skipped(client, cohort, leader):
    existing = member(cohort, Role.student, email="already@example.org", name="Already Here")
    UserFactory(email="known@example.org", name="Known Person")
    text = "\n".join([
        "email,name,role",
        "not-an-email,Bad Address,student",
        "new.person@example.org,New Person,wizard",
        "new.person2@example.org,New Person Two,student",
        "NEW.PERSON2@example.org,Same Again,student",
        "nameless@example.org,,student",
        "known@example.org,,instructor",
        f"{existing.email},Already Here,instructor",
        ",No Address,student",
    ])
    login(client, leader.email)
    html = upload(client, cohort, text).get_data(as_text=True)
    assert outcomes(html) == [
        ("not-an-email", "error"), ("new.person@example.org", "error"), ("new.person2@example.org", "new"),
        ("new.person2@example.org", "error"), ("nameless@example.org", "error"), ("known@example.org", "added"),
        ("already@example.org", "member"), ("", "error")]
    assert "&#34;not-an-email&#34; is not a valid e-mail address." in html or \
        "&quot;not-an-email&quot; is not a valid e-mail address." in html
    assert "Unknown role" in html and "wizard" in html
    assert "Duplicate row: the same e-mail address is on line 4." in html
    assert "There is no account with this e-mail yet; give the person&#39;s name." in html
    assert "the role is not changed" in html
    assert "The e-mail address is missing." in html
    assert confirm(client, cohort, html).status_code == 302
    assert people_in(cohort) == {leader.email: Role.leader, "already@example.org": Role.student,
                                 "new.person2@example.org": Role.student, "known@example.org": Role.instructor}
    assert user_by_email("nameless@example.org") is None and user_by_email("new.person@example.org") is None


def test_uploading_the_same_file_again_changes_nothing(client, cohort, leader):
    login(client, leader.email)
    first = upload(client, cohort, GOOD).get_data(as_text=True)
    assert confirm(client, cohort, first).status_code == 302
    before = (people_in(cohort), db.session.scalar(db.select(db.func.count(User.id))),
              db.session.scalar(db.select(db.func.count(OutboxMessage.id))))
    again = upload(client, cohort, GOOD).get_data(as_text=True)
    assert [outcome for _email, outcome in outcomes(again)] == ["member", "member", "member"]
    assert "Nobody in this file needs to be added." in again and "enrol/confirm" not in again
    # even a forged confirmation of the first preview does nothing now
    replay = confirm(client, cohort, first)
    assert replay.status_code == 409
    after = (people_in(cohort), db.session.scalar(db.select(db.func.count(User.id))),
             db.session.scalar(db.select(db.func.count(OutboxMessage.id))))
    assert before == after


def test_norwegian_headings_roles_semicolons_and_a_spreadsheet_encoding(client, cohort, leader):
    text = "E-post;Navn;Rolle\r\nkari@example.org;Kari Ødegård;student\r\nper@example.org;Per Ås;veileder\r\n" \
           "ola@example.org;Ola Berg;emneansvarlig\r\nnils@example.org;Nils Bø;\r\n"
    login(client, leader.email)
    html = upload(client, cohort, text.encode("cp1252")).get_data(as_text=True)
    assert [outcome for _email, outcome in outcomes(html)] == ["new", "new", "new", "new"]
    assert confirm(client, cohort, html).status_code == 302
    assert people_in(cohort) == {leader.email: Role.leader, "kari@example.org": Role.student,
                                 "per@example.org": Role.instructor, "ola@example.org": Role.leader,
                                 "nils@example.org": Role.student}
    assert user_by_email("kari@example.org").name == "Kari Ødegård"


def test_a_spreadsheet_saved_as_unicode_text_is_read(client, cohort, leader):
    login(client, leader.email)
    html = upload(client, cohort, GOOD.encode("utf-16")).get_data(as_text=True)
    assert [outcome for _email, outcome in outcomes(html)] == ["new", "new", "new"]


@pytest.mark.parametrize("text, message", [
    ("", "The file is empty."),
    ("email,name,role\nx@example.org,Nul\x00Name,student", "This is not a text file."),
    ("email,name\nx@example.org,X", "must name the columns email, name and role (missing: role)"),
    ("email,name,role\n", "The file has a header line but no people in it."),
    ("email,name,role\n" + "".join(f"p{i}@example.org,P {i},student\n" for i in range(2001)),
     "more than 2000 rows"),
])
def test_problems_with_the_whole_file(client, cohort, leader, text, message):
    login(client, leader.email)
    response = upload(client, cohort, text)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert people_in(cohort) == {leader.email: Role.leader}


def test_a_file_over_the_size_limit_is_refused(client, cohort, leader, monkeypatch):
    with pytest.raises(enrolment.ValidationError, match="too large"):
        enrolment.read_upload(b"x" * (enrolment.MAX_BYTES + 1))
    monkeypatch.setattr(enrolment, "MAX_BYTES", 2_000)  # the same check over HTTP, with a smaller file
    login(client, leader.email)
    response = upload(client, cohort, "email,name,role\n" + "x" * 2_100)
    assert response.status_code == 400 and "too large" in response.get_data(as_text=True)
    forged = post(client, f"/cohorts/{cohort.id}/enrol/confirm",
                  {"csv_text": enrolment.encode_text("email,name,role\n" + "x" * 2_100), "checksum": "x"})
    assert forged.status_code == 400 and "too large" in forged.get_data(as_text=True)


def test_no_file_chosen(client, cohort, leader):
    login(client, leader.email)
    response = post(client, f"/cohorts/{cohort.id}/enrol", {}, content_type="multipart/form-data")
    assert response.status_code == 400 and "Choose a CSV file to upload." in response.get_data(as_text=True)


def test_a_changed_list_at_confirmation_is_not_trusted(client, cohort, leader):
    login(client, leader.email)
    html = upload(client, cohort, GOOD).get_data(as_text=True)
    forged = enrolment.encode_text(GOOD + "mallory@example.org,Mallory,leader\n")
    response = confirm(client, cohort, html, csv_text=forged)
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "The list changed since the preview" in page and "mallory@example.org" in page  # shown, not done
    assert people_in(cohort) == {leader.email: Role.leader}
    broken = confirm(client, cohort, html, csv_text="%%% not base64 %%%")
    assert broken.status_code == 400 and "damaged" in broken.get_data(as_text=True)
    assert people_in(cohort) == {leader.email: Role.leader}


def test_a_change_between_preview_and_confirmation_shows_the_new_preview(client, cohort, leader):
    login(client, leader.email)
    html = upload(client, cohort, GOOD).get_data(as_text=True)
    UserFactory(email="sara.nilsen@example.org", name="Sara Nilsen")  # registers in the meantime
    response = confirm(client, cohort, html)
    assert response.status_code == 409
    assert ("sara.nilsen@example.org", "added") in outcomes(response.get_data(as_text=True))
    assert people_in(cohort) == {leader.email: Role.leader}
    assert confirm(client, cohort, response.get_data(as_text=True)).status_code == 302
    assert len(people_in(cohort)) == 4


def test_the_invitation_link_works_once(client, make_client, cohort, leader):
    login(client, leader.email)
    confirm(client, cohort, upload(client, cohort, GOOD).get_data(as_text=True))
    body = outbox("sara.nilsen@example.org")[-1].body
    link = re.search(r"https?://[^\s]+(/password/reset/[^\s]+)", body).group(1)
    invited = make_client()
    assert invited.get(link).status_code == 200
    response = post(invited, link, {"password": "a long new password", "confirm": "a long new password"})
    assert response.status_code == 302
    assert invited.get(link).status_code == 410
    assert login(make_client(), "sara.nilsen@example.org", "a long new password").status_code == 302


@pytest.mark.parametrize("who, status", [("student", 403), ("instructor", 403), ("stranger", 404)])
def test_only_leaders_and_administrators_enrol(make_client, cohort, leader, who, status):
    person = member(cohort, Role(who)) if who != "stranger" else UserFactory()
    client = make_client()
    login(client, person.email)
    assert client.get(f"/cohorts/{cohort.id}/enrol").status_code == status
    assert upload(client, cohort, GOOD).status_code == status
    assert post(client, f"/cohorts/{cohort.id}/enrol/confirm",
                {"csv_text": enrolment.encode_text(GOOD), "checksum": "x"}).status_code == status
    assert people_in(cohort) == {leader.email: Role.leader, **({person.email: Role(who)} if who != "stranger" else {})}
    admin = make_client()
    login(admin, UserFactory(is_admin=True).email)
    assert admin.get(f"/cohorts/{cohort.id}/enrol").status_code == 200


# --- removing a member ---------------------------------------------------------------------------------------

def test_removing_a_student_asks_first_and_keeps_their_plan_versions_and_reviews(client, app):
    from app.reviews import services as review_services

    world = World()
    plan = world.to_state(PlanState.submitted)
    review_services.allocate(plan, world.reviewer, world.leader)
    review_services.save_review(plan, world.reviewer, scores={"language": {"level": "solid"}}, overall="Good")
    review_services.release(plan, world.reviewer)
    db.session.commit()
    membership_id = db.session.scalar(db.select(Membership.id).where(Membership.user_id == world.owner.id))
    login(client, world.leader.email)
    url = f"/cohorts/{world.cohort.id}/members/{membership_id}/remove"
    ask = post(client, url)
    assert ask.status_code == 200
    assert "Remove Olga Owner?" in ask.get_data(as_text=True) and "1 plan(s)" in ask.get_data(as_text=True)
    assert exists(membership_id)
    done = post(client, url, {"confirmed": "yes"})
    assert done.status_code == 302
    assert not exists(membership_id)
    assert db.session.get(User, world.owner.id) is not None
    assert db.session.get(Plan, plan.id).state == PlanState.returned
    assert db.session.scalar(db.select(db.func.count(PlanVersion.id)).where(PlanVersion.plan_id == plan.id)) == 1
    review = db.session.scalar(db.select(Review).where(Review.plan_id == plan.id))
    assert review is not None and review.released_at is not None and review.scores
    entry = db.session.scalar(db.select(AuditEntry).where(AuditEntry.kind == "membership.removed"))
    assert entry.data == {"user_id": world.owner.id, "role": "student"}
    html = client.get(f"/assignments/{world.assignment.id}/dashboard").get_data(as_text=True)
    assert "Olga Owner (no longer a member)" in html
    # the former student still reads their own plan, but no longer sees the cohort
    former = client.application.test_client()
    login(former, world.owner.email)
    assert former.get(f"/plans/{plan.id}").status_code == 200
    assert former.get(f"/cohorts/{world.cohort.id}").status_code == 404


def test_removing_a_reviewer_keeps_their_released_reviews_and_warns_about_open_ones(client, app):
    from app.reviews import services as review_services

    world = World()
    plan = world.to_state(PlanState.submitted)
    review_services.allocate(plan, world.reviewer, world.leader)
    review_services.save_review(plan, world.reviewer, scores={"language": {"level": "solid"}}, overall="Good")
    review_services.release(plan, world.reviewer)
    db.session.commit()
    membership = db.session.scalar(db.select(Membership).where(Membership.user_id == world.reviewer.id))
    login(client, world.leader.email)
    url = f"/cohorts/{world.cohort.id}/members/{membership.id}/remove"
    assert post(client, url, {"confirmed": "yes"}).status_code == 302
    review = db.session.scalar(db.select(Review).where(Review.plan_id == plan.id))
    assert review is not None and review.reviewer_id == world.reviewer.id and review.released_at is not None
    assert db.session.get(User, world.reviewer.id) is not None


def test_the_open_reviews_of_an_instructor_are_named_before_removal(client, app):
    world = World()
    plan = world.to_state(PlanState.in_review)
    assert plan.reviewer_id == world.reviewer.id
    membership = db.session.scalar(db.select(Membership).where(Membership.user_id == world.reviewer.id))
    login(client, world.leader.email)
    html = post(client, f"/cohorts/{world.cohort.id}/members/{membership.id}/remove").get_data(as_text=True)
    assert "They still have 1 open review(s)" in html


def test_the_last_course_leader_cannot_be_removed(client, cohort, leader):
    admin = UserFactory(is_admin=True)
    login(client, admin.email)
    membership = db.session.scalar(db.select(Membership).where(Membership.user_id == leader.id))
    response = post(client, f"/cohorts/{cohort.id}/members/{membership.id}/remove", {"confirmed": "yes"},
                    follow_redirects=True)
    assert "A cohort needs at least one course leader" in response.get_data(as_text=True)
    assert exists(membership.id)


@pytest.mark.parametrize("who, status", [("student", 403), ("instructor", 403), ("stranger", 404)])
def test_only_leaders_remove_members(make_client, cohort, leader, who, status):
    target = member(cohort, Role.student)
    membership = db.session.scalar(db.select(Membership).where(Membership.user_id == target.id))
    person = member(cohort, Role(who)) if who != "stranger" else UserFactory()
    client = make_client()
    login(client, person.email)
    response = post(client, f"/cohorts/{cohort.id}/members/{membership.id}/remove", {"confirmed": "yes"})
    assert response.status_code == status
    assert exists(membership.id)


def test_a_member_of_another_cohort_cannot_be_removed_through_this_one(client, cohort, leader):
    elsewhere = CohortFactory()
    target = member(elsewhere, Role.student)
    membership = db.session.scalar(db.select(Membership).where(Membership.user_id == target.id))
    login(client, leader.email)
    response = post(client, f"/cohorts/{cohort.id}/members/{membership.id}/remove", {"confirmed": "yes"})
    assert response.status_code == 404
    assert exists(membership.id)


def test_student_numbers_come_with_the_file_when_it_has_them(client, cohort, leader):
    UserFactory(email="per.dahl@example.org", name="Per Dahl")
    login(client, leader.email)
    text = ("email;name;role;studentnummer\n"
            "sara.nilsen@example.org;Sara Nilsen;student; s 100200 \n"
            "per.dahl@example.org;Per Dahl;student;s100300\n"
            "ola.moe@example.org;Ola Moe;student;\n"
            f"too.long@example.org;Too Long;student;{'9' * 33}\n")
    html = upload(client, cohort, text).get_data(as_text=True)
    assert "<th scope=\"col\">Student number</th>" in html and "<td>s 100200</td>" in html
    assert outcomes(html)[3] == ("too.long@example.org", "error")
    assert "A student number has at most 32 characters." in html
    assert confirm(client, cohort, html).status_code == 302
    numbers = dict(db.session.execute(db.select(User.email, Membership.student_number)
                                      .join(Membership, Membership.user_id == User.id)
                                      .where(Membership.cohort_id == cohort.id)).all())
    assert numbers == {leader.email: None, "sara.nilsen@example.org": "s 100200",
                       "per.dahl@example.org": "s100300", "ola.moe@example.org": None}
    # a file without the column shows no such column
    html = upload(client, cohort, GOOD).get_data(as_text=True)
    assert "Student number" not in html
