"""Every route, every method, every kind of person: the answer follows the one refusal rule.

404 to non-members and to other students (nothing leaks), 403 to members whose role does not allow the action,
the login page for anonymous visitors. A route without an entry in the table below fails this test."""
from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

from app.calibration import services as calibration_services
from app.cohorts import invitations
from app.cohorts.models import Membership, Role
from app.content import uploads
from app.db import db
from app.exports import services as export_services
from app.lti.models import LtiContext, LtiPlatform, LtiResourceLink
from app.notifications.models import Notification
from app.oidc import groups
from app.plans import services as plan_services
from app.plans.states import PlanState
from app.reviews import second_opinions
from app.reviews import services as review_services
from tests.conftest import csrf_token, login, post
from tests.factories import UserFactory
from tests.plan_helpers import GOOD_CONTENT, World
from tests.test_invitations import invitation_link

PERSONAS = ["anonymous", "owner", "other_student", "student_b", "reviewer", "instructor", "leader", "leader_b", "admin"]

# One letter per persona, in the order above: O = allowed (any answer but 401/403/404/5xx or the login page),
# F = 403, N = 404, L = sent to the login page.
PUBLIC = "OOOOOOOOO"
SIGNED_IN = "LOOOOOOOO"
ADMIN_ONLY = "LFFFFFFFO"
COHORT_MEMBER = "LOONOOONO"
COHORT_MANAGER = "LFFNFFONO"
LEADER_ONLY_IN_COHORT = "LFFNFFONF"
LIBRARY = "LFFFOOOOO"
PLAN_VIEW = "LONNOFONN"
PLAN_OWNER = "LONNFFFNN"
REVIEW_PAGE = "LFNNOFONN"
REVIEWER_WRITES = "LFNNOFFNN"   # course leaders read the review and may complete the plan, but do not write it
FEEDBACK_OWNER_ACTION = "LONNFFFNN"
BANK = "LFFFOOOOF"
BANK_ENTRY = "LNNNONNNN"
NOTE = "LONNNNNNN"
CONTENT_IMPORT = "LFFFFFOOO"    # course leaders of any cohort and administrators
OWN_UPLOAD = "LFFFFFONN"        # an upload waiting for confirmation is its uploader's alone
CALIBRATORS = "LFFNOOONF"       # instructors and course leaders of the cohort calibrate; students never see it
TEACHERS_REVIEW = "LNNNOFONN"   # the reviewer and course leaders; students of the cohort are told nothing exists
SECOND_RATER = "LNNNFOFNN"      # the instructor asked for the second opinion, alone
SECOND_OPINION_DECIDER = "LNNNFFONN"

EXPECTED = {
    ("core.index", "GET"): PUBLIC, ("core.healthz", "GET"): PUBLIC, ("core.change_locale", "POST"): PUBLIC,
    ("static", "GET"): PUBLIC,
    ("auth.login", "GET"): PUBLIC, ("auth.login", "POST"): PUBLIC, ("auth.join", "GET"): PUBLIC,
    ("auth.join", "POST"): PUBLIC, ("auth.forgot_password", "GET"): PUBLIC, ("auth.forgot_password", "POST"): PUBLIC,
    ("auth.reset_password", "GET"): PUBLIC, ("auth.reset_password", "POST"): PUBLIC, ("auth.logout", "POST"): PUBLIC,
    ("auth.account", "GET"): SIGNED_IN, ("auth.account", "POST"): SIGNED_IN,
    ("privacy.my_data", "GET"): SIGNED_IN, ("privacy.users", "GET"): ADMIN_ONLY,
    ("privacy.anonymise", "POST"): ADMIN_ONLY, ("privacy.delete", "POST"): ADMIN_ONLY,
    ("cohorts.index", "GET"): SIGNED_IN, ("cohorts.create", "GET"): ADMIN_ONLY, ("cohorts.create", "POST"): ADMIN_ONLY,
    ("cohorts.detail", "GET"): COHORT_MEMBER,
    ("cohorts.regenerate_join_code", "POST"): COHORT_MANAGER, ("cohorts.appoint", "POST"): COHORT_MANAGER,
    ("cohorts.change_role", "POST"): COHORT_MANAGER, ("cohorts.enrol", "GET"): COHORT_MANAGER,
    ("cohorts.enrol", "POST"): COHORT_MANAGER, ("cohorts.enrol_confirm", "POST"): COHORT_MANAGER,
    ("cohorts.remove_member", "POST"): COHORT_MANAGER, ("cohorts.set_student_number", "POST"): COHORT_MANAGER,
    ("cohorts.invite", "POST"): COHORT_MANAGER, ("cohorts.resend_invitation", "POST"): COHORT_MANAGER,
    ("cohorts.revoke_invitation", "POST"): COHORT_MANAGER,
    ("invitations.accept", "GET"): PUBLIC, ("invitations.accept", "POST"): PUBLIC,
    ("oidc.start", "GET"): PUBLIC, ("oidc.callback", "GET"): PUBLIC, ("oidc.link", "GET"): PUBLIC,
    ("oidc.link", "POST"): PUBLIC,
    ("oidc.group_mappings", "GET"): COHORT_MANAGER, ("oidc.group_mappings", "POST"): COHORT_MANAGER,
    ("oidc.delete_group_mapping", "POST"): COHORT_MANAGER,
    ("assignments.create", "GET"): COHORT_MANAGER, ("assignments.create", "POST"): COHORT_MANAGER,
    ("assignments.edit", "GET"): COHORT_MANAGER, ("assignments.edit", "POST"): COHORT_MANAGER,
    ("assignments.close", "POST"): COHORT_MANAGER, ("assignments.reopen", "POST"): COHORT_MANAGER,
    ("audit.full_log", "GET"): ADMIN_ONLY, ("audit.cohort_log", "GET"): COHORT_MANAGER,
    ("dashboard.show", "GET"): LEADER_ONLY_IN_COHORT, ("dashboard.export", "GET"): LEADER_ONLY_IN_COHORT,
    ("cases.library", "GET"): LIBRARY, ("cases.case_detail", "GET"): LIBRARY, ("cases.preview", "GET"): LIBRARY,
    ("cases.diff", "GET"): LIBRARY, ("rubrics.rubric_detail", "GET"): LIBRARY, ("rubrics.version", "GET"): LIBRARY,
    ("rubrics.diff", "GET"): LIBRARY,
    ("content.upload", "GET"): CONTENT_IMPORT, ("content.upload", "POST"): CONTENT_IMPORT,
    ("content.preview", "GET"): OWN_UPLOAD, ("content.confirm", "POST"): OWN_UPLOAD,
    ("content.discard", "POST"): OWN_UPLOAD,
    ("cases.assignment_case", "GET"): COHORT_MEMBER, ("rubrics.assignment_rubric", "GET"): COHORT_MEMBER,
    ("plans.index", "GET"): SIGNED_IN, ("plans.start", "POST"): "LOONFFFNF",
    ("plans.show", "GET"): PLAN_VIEW, ("plans.history", "GET"): PLAN_VIEW, ("plans.version", "GET"): PLAN_VIEW,
    ("plans.diff", "GET"): PLAN_VIEW, ("plans.print_view", "GET"): PLAN_VIEW, ("plans.pdf", "GET"): PLAN_VIEW,
    ("plans.version_fhir", "GET"): PLAN_VIEW, ("plans.version_sip", "GET"): PLAN_VIEW,
    ("plans.preview", "POST"): PLAN_VIEW,
    ("plans.save_form", "POST"): PLAN_OWNER, ("plans.autosave", "POST"): PLAN_OWNER,
    ("plans.conflict_parts", "POST"): PLAN_OWNER, ("plans.resolve", "POST"): PLAN_OWNER,
    ("plans.submit", "GET"): PLAN_OWNER, ("plans.submit", "POST"): PLAN_OWNER, ("plans.withdraw", "POST"): PLAN_OWNER,
    ("language.check", "POST"): SIGNED_IN, ("language.dismiss", "POST"): PLAN_OWNER,
    ("language.plan_hints", "POST"): PLAN_OWNER,
    ("reviews.queue", "GET"): SIGNED_IN, ("reviews.bank", "GET"): BANK, ("reviews.bank", "POST"): BANK,
    ("reviews.bank_edit", "POST"): BANK_ENTRY, ("reviews.bank_delete", "POST"): BANK_ENTRY,
    ("reviews.claim", "POST"): "LNNNOOFNF", ("reviews.allocate", "POST"): "LNNNFFONF",
    ("reviews.allocation", "GET"): LEADER_ONLY_IN_COHORT, ("reviews.allocate_all", "POST"): LEADER_ONLY_IN_COHORT,
    ("reviews.review", "GET"): REVIEW_PAGE, ("reviews.review_case", "GET"): REVIEW_PAGE,
    ("reviews.save", "POST"): REVIEWER_WRITES,
    ("reviews.add_comment", "POST"): REVIEWER_WRITES, ("reviews.autosave", "POST"): REVIEWER_WRITES,
    ("reviews.release", "GET"): REVIEW_PAGE,
    ("reviews.release", "POST"): REVIEW_PAGE, ("reviews.complete", "GET"): REVIEW_PAGE,
    ("reviews.complete", "POST"): REVIEW_PAGE, ("reviews.changes", "GET"): REVIEW_PAGE,
    ("reviews.delete_comment", "POST"): REVIEWER_WRITES,
    ("reviews.feedback", "GET"): PLAN_VIEW, ("reviews.addressed", "POST"): FEEDBACK_OWNER_ACTION,
    ("reviews.reflect", "POST"): FEEDBACK_OWNER_ACTION,
    ("reviews.reply", "POST"): FEEDBACK_OWNER_ACTION, ("reviews.rate", "POST"): FEEDBACK_OWNER_ACTION,
    ("reviews.edit_reply", "POST"): FEEDBACK_OWNER_ACTION, ("reviews.delete_reply", "POST"): FEEDBACK_OWNER_ACTION,
    ("reviews.revision_plan", "POST"): FEEDBACK_OWNER_ACTION,
    # A second opinion: asked by the reviewer or a leader; scored by the instructor asked (here: "instructor");
    # decided by the course leader (the reviewer may read both scorings); cancelled by who asked (here: the leader).
    ("reviews.request_second_opinion", "GET"): TEACHERS_REVIEW, ("reviews.request_second_opinion", "POST"): TEACHERS_REVIEW,
    ("reviews.second_opinion", "GET"): SECOND_RATER, ("reviews.second_opinion", "POST"): SECOND_RATER,
    ("reviews.resolve_second_opinion", "GET"): TEACHERS_REVIEW,
    ("reviews.resolve_second_opinion", "POST"): SECOND_OPINION_DECIDER,
    ("reviews.cancel_second_opinion", "POST"): SECOND_OPINION_DECIDER,
    ("notifications.index", "GET"): SIGNED_IN, ("notifications.read_all", "POST"): SIGNED_IN,
    ("notifications.open", "GET"): NOTE,
    ("auth.email_choices", "POST"): SIGNED_IN,
    ("exports.start", "POST"): LEADER_ONLY_IN_COHORT, ("exports.show", "GET"): LEADER_ONLY_IN_COHORT,
    ("exports.step", "POST"): LEADER_ONLY_IN_COHORT, ("exports.download", "GET"): LEADER_ONLY_IN_COHORT,
    ("lti.login", "GET"): PUBLIC, ("lti.login", "POST"): PUBLIC, ("lti.launch", "POST"): PUBLIC,
    ("lti.jwks", "GET"): PUBLIC, ("lti.config", "GET"): PUBLIC,
    ("lti.link_account", "GET"): PUBLIC, ("lti.link_account", "POST"): PUBLIC,
    ("lti.set_up_link", "GET"): "LFFNOOONO", ("lti.set_up_link", "POST"): "LFFNOOONO",
    ("lti.deep_link", "GET"): "LNNNNNNNN", ("lti.deep_link", "POST"): "LNNNNNNNN",
    ("lti.platforms", "GET"): ADMIN_ONLY, ("lti.new_platform", "GET"): ADMIN_ONLY,
    ("lti.new_platform", "POST"): ADMIN_ONLY, ("lti.edit_platform", "GET"): ADMIN_ONLY,
    ("lti.edit_platform", "POST"): ADMIN_ONLY, ("lti.switch_platform", "POST"): ADMIN_ONLY,
    ("lti.delete_platform", "POST"): ADMIN_ONLY, ("lti.register", "GET"): ADMIN_ONLY,
    ("lti.register", "POST"): ADMIN_ONLY,
    ("lti_services.roster_preview", "GET"): COHORT_MANAGER, ("lti_services.roster_apply", "POST"): COHORT_MANAGER,
    ("lti_services.retry_scores", "POST"): COHORT_MANAGER,
    ("dashboard.reviewers", "GET"): LEADER_ONLY_IN_COHORT, ("dashboard.reviewers_csv", "GET"): LEADER_ONLY_IN_COHORT,
    ("calibration.index", "GET"): CALIBRATORS, ("calibration.calibrate", "GET"): CALIBRATORS,
    ("calibration.calibrate", "POST"): CALIBRATORS,
    ("calibration.settings", "POST"): LEADER_ONLY_IN_COHORT, ("calibration.new", "GET"): LEADER_ONLY_IN_COHORT,
    ("calibration.new", "POST"): LEADER_ONLY_IN_COHORT, ("calibration.written", "POST"): LEADER_ONLY_IN_COHORT, ("calibration.reference", "GET"): LEADER_ONLY_IN_COHORT,
    ("calibration.reference", "POST"): LEADER_ONLY_IN_COHORT,
}

# Routes whose POST would change what the later checks rely on run last (signing out the very last:
# it ends every session of the account).
LAST = {"reviews.delete_comment": 1, "cohorts.remove_member": 1, "auth.logout": 2}


def _routes(app):
    found = []
    for rule in app.url_map.iter_rules():
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            found.append((rule, method))
    return found


def _build_world():
    world = World()
    world.write()
    plan = world.to_state(PlanState.submitted)
    plan.reviewer_id = world.reviewer.id
    review_services.save_review(plan, world.reviewer, scores={"voice": {"level": "solid", "comment": "ok"}},
                                overall="First round")
    released_comment = review_services.add_comment(plan, world.reviewer, key="what_matters", quote="home",
                                                   start=None, body="Say more")
    review_services.release(plan, world.reviewer)
    released_reply = review_services.add_reply(plan, world.owner, released_comment, "question", "Which words?")
    plan_services.save_draft(plan, world.owner, plan.save_token, GOOD_CONTENT)
    plan_services.submit(plan, world.owner, plan.save_token)
    review_services.save_review(plan, world.reviewer, scores={}, overall="Second round")
    draft_comment = review_services.add_comment(plan, world.reviewer, key="what_matters", quote="Luna",
                                                start=None, body="Unreleased")
    second_opinions.request(plan, world.leader, world.instructor, "Unsure on the measures")
    entry = review_services.bank_add(world.reviewer, "Saved words")
    export = export_services.start_export(world.assignment, world.leader, locale="en")
    calibration = calibration_services.mark_version(world.assignment, world.leader, plan.versions[0], title="Cal",
                                                    consent=True)
    rubric_file = (Path(__file__).resolve().parent.parent / "rubrics" / "ip-default.yaml").read_bytes()
    staged = uploads.stage_upload(rubric_file.replace(b"Individual", b"An individual", 1), "ip-default.yaml", world.leader)
    discarded = uploads.stage_upload(rubric_file, "ip-default.yaml", world.leader)
    db.session.commit()
    b = World()
    admin = UserFactory(is_admin=True)
    # Two invitations to people who are none of the personas: one to send again and revoke, one whose link is
    # opened (by anyone signed in: "for someone else"; anonymously: the form to accept).
    managed = invitations.invite(world.cohort, "invited.one@example.org", Role.instructor, actor=world.leader)
    invitations.invite(world.cohort, "invited.two@example.org", Role.instructor, actor=world.leader)
    db.session.commit()
    invitation_path = invitation_link("invited.two@example.org")
    mapping = groups.add_mapping(world.cohort, "fs:fc:emne:uio.no:MED4500:1", Role.student, None, actor=world.leader)
    db.session.commit()
    lms = LtiPlatform(name="LMS", issuer="https://lms.example.edu", client_id="1", auth_login_url="https://lms/a",
                      auth_token_url="https://lms/t", key_set_url="https://lms/k")
    course = LtiContext(platform=lms, deployment_id="1", context_id="course", cohort_id=world.cohort.id)
    lms_link = LtiResourceLink(context=course, resource_link_id="link")
    db.session.add_all([lms, course, lms_link])
    db.session.commit()
    note = db.session.scalar(db.select(Notification).where(Notification.user_id == world.owner.id))
    member = db.session.scalar(db.select(Membership).where(Membership.user_id == world.other_student.id))
    values = {
        "plan_id": plan.id, "cohort_id": world.cohort.id, "assignment_id": world.assignment.id, "number": 1,
        "slug": "anna", "token": "not-a-token", "user_id": world.other_student.id, "member_id": member.id,
        "notification_id": note.id, "entry_id": entry.id, "filename": "css/app.css",
        "comment_id": draft_comment.id, "released_comment_id": released_comment.id,
        "export_id": export.id,
        "upload_id": staged.token, "discarded_upload_id": discarded.token,
        "invitation_id": managed.id, "mapping_id": mapping.id, "invitation_token": invitation_path.rsplit("/", 1)[1],
        "link_id": lms_link.id, "platform_id": lms.id, "kind": "comments", "target_id": released_comment.id, "reply_id": released_reply.id,
        "calibration_id": calibration.id,
    }
    personas = {"owner": world.owner, "other_student": world.other_student, "student_b": b.owner,
                "reviewer": world.reviewer, "instructor": world.instructor, "leader": world.leader,
                "leader_b": b.leader, "admin": admin}
    assert plan.state == PlanState.in_review
    return world, personas, values


def _url(rule, values) -> str:
    args = {}
    for name in rule.arguments:
        if name == "comment_id" and rule.endpoint == "reviews.addressed":
            args[name] = values["released_comment_id"]
        elif name == "upload_id" and rule.endpoint == "content.discard":
            args[name] = values["discarded_upload_id"]
        elif name == "token" and rule.endpoint == "invitations.accept":
            args[name] = values["invitation_token"]
        elif name == "slug" and rule.endpoint.startswith("rubrics."):
            args[name] = "ip-default"
        else:
            args[name] = values[name]
    return rule.build(args, append_unknown=False)[1]


def _classify(response) -> str:
    status = response.status_code
    assert status < 500, f"server error {status}"
    if status in (401,) or (status == 302 and urlsplit(response.headers.get("Location", "")).path.startswith("/login")):
        return "L"
    if status == 403:
        return "F"
    if status == 404:
        return "N"
    return "O"


def test_every_route_has_an_expected_answer_for_every_person(app, make_client, provider):
    """With sign-in through an OpenID Connect provider configured (its routes answer 404 without it)."""
    routes = _routes(app)
    missing = sorted({(rule.endpoint, method) for rule, method in routes} - set(EXPECTED))
    assert not missing, f"routes without an expected answer in the access matrix: {missing}"

    world, personas, values = _build_world()
    clients = {"anonymous": make_client()}
    for name, user in personas.items():
        clients[name] = make_client()
        login(clients[name], user.email)
    tokens = {name: csrf_token(client) for name, client in clients.items()}

    from app.extensions import limiter

    limiter.enabled = False
    failures = []
    try:
        ordered = sorted(routes, key=lambda item: LAST.get(item[0].endpoint, 0))
        for rule, method in ordered:
            expected = EXPECTED[(rule.endpoint, method)]
            url = _url(rule, values)
            for persona, want in zip(PERSONAS, expected):
                client = clients[persona] if rule.endpoint != "auth.logout" else make_client()
                if rule.endpoint == "auth.logout" and persona != "anonymous":
                    login(client, personas[persona].email)
                token = tokens[persona] if rule.endpoint != "auth.logout" else csrf_token(client)
                if method == "GET":
                    response = client.get(url)
                else:
                    data = {"csrf_token": token, "version": "1"}
                    response = client.post(url, data=data, headers={"X-CSRFToken": token})
                got = _classify(response)
                response.close()
                if got != want:
                    failures.append(f"{method} {url} as {persona}: expected {want}, got {got} ({response.status_code})")
    finally:
        limiter.enabled = True
    assert not failures, "\n".join(failures)


def test_no_cross_student_reads_of_plan_text(app, make_client):
    """The other student sees not a single word of the plan anywhere, whatever they try."""
    world, personas, values = _build_world()
    client = make_client()
    login(client, world.other_student.email)
    secret = "I want a home of my own with Luna."
    for rule, method in _routes(app):
        if method != "GET" or not rule.arguments or rule.endpoint == "static":
            continue
        url = _url(rule, values)
        body = client.get(url).get_data(as_text=True)
        assert secret not in body, url
        assert "Second round" not in body and "Unreleased" not in body, url


def _author_made_instructor():
    world = World()
    plan = world.write() or world.to_state(PlanState.submitted)
    membership = db.session.scalar(db.select(Membership).where(Membership.user_id == world.owner.id,
                                                                Membership.cohort_id == world.cohort.id))
    membership.role = Role.instructor
    db.session.commit()
    return world, plan


def test_a_student_whose_role_is_changed_to_instructor_cannot_claim_their_own_plan(app, make_client):
    world, plan = _author_made_instructor()
    client = make_client()
    login(client, world.owner.email)
    queue = client.get("/reviews").get_data(as_text=True)
    assert f"/plans/{plan.id}/claim" not in queue  # their own plan is not offered to them
    response = post(client, f"/plans/{plan.id}/claim")
    assert response.status_code == 403
    assert "Nobody reviews their own plan" in response.get_data(as_text=True)
    db.session.refresh(plan)
    assert plan.reviewer_id is None and plan.state == PlanState.submitted
    assert post(client, f"/plans/{plan.id}/review", {"overall": "Well done, me."}).status_code in (403, 404)
    db.session.refresh(plan)
    assert plan.state == PlanState.submitted


def test_a_leader_cannot_allocate_a_plan_to_its_author(app, make_client):
    world, plan = _author_made_instructor()
    client = make_client()
    login(client, world.leader.email)
    page = client.get(f"/assignments/{world.assignment.id}/allocation").get_data(as_text=True)
    options = re.search(rf'<select id="rev-{plan.id}".*?</select>', page, re.S).group(0)
    assert world.reviewer.name in options and world.owner.name not in options
    response = post(client, f"/plans/{plan.id}/allocate", {"reviewer_id": world.owner.id})
    assert response.status_code == 403
    db.session.refresh(plan)
    assert plan.reviewer_id is None
    post(client, f"/assignments/{world.assignment.id}/allocate-all")
    db.session.refresh(plan)
    assert plan.reviewer_id not in (None, world.owner.id)


def test_a_plan_given_to_its_author_earlier_is_not_in_their_review_queue(app, make_client):
    world, plan = _author_made_instructor()
    plan.reviewer_id = world.owner.id  # given to its author before that was refused
    db.session.commit()
    client = make_client()
    login(client, world.owner.email)
    assert f"/plans/{plan.id}/review" not in client.get("/reviews").get_data(as_text=True)
    from app.reviews import queries

    assert queries.review_counts(world.owner) == (0, 0)


def test_allocating_all_says_so_when_only_the_authors_could_review(app, make_client):
    world, plan = _author_made_instructor()
    for instructor in (world.reviewer, world.instructor):
        db.session.delete(db.session.scalar(db.select(Membership).where(Membership.user_id == instructor.id)))
    db.session.commit()
    client = make_client()
    login(client, world.leader.email)
    page = post(client, f"/assignments/{world.assignment.id}/allocate-all", follow_redirects=True)
    assert "could not be allocated" in page.get_data(as_text=True)
    db.session.refresh(plan)
    assert plan.reviewer_id is None
