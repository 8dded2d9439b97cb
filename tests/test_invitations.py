"""Invitations to a cohort by e-mail: the course leader sends, re-sends and revokes; the link works once, for the
invited person, for 14 days."""
from __future__ import annotations

import re
from datetime import timedelta

from app.audit.models import AuditEntry
from app.auth.models import user_by_email
from app.cohorts.models import Invitation, Membership, Role
from app.db import db, utcnow
from tests.conftest import login, outbox, post
from tests.factories import CohortFactory, UserFactory, member

NEW_PASSWORD = "tea kettle on the windowsill"


def _leader_and_cohort(make_client):
    cohort = CohortFactory()
    leader = member(cohort, Role.leader)
    client = make_client()
    login(client, leader.email)
    return cohort, leader, client


def _invite(client, cohort, email="lived@example.org", role="instructor", name="Lise Levd"):
    return post(client, f"/cohorts/{cohort.id}/invitations", {"email": email, "role": role, "name": name})


def invitation_link(email="lived@example.org") -> str:
    body = outbox(email)[-1].body
    match = re.search(r"http://127\.0\.0\.1:5000(/invitations/\S+)", body)
    assert match, body
    return match.group(1)


def _accept_new(client, path, name="Lise Levd", password=NEW_PASSWORD):
    return post(client, path, {"name": name, "password": password, "confirm": password})


def _membership(cohort, user):
    return db.session.scalar(db.select(Membership).where(Membership.cohort_id == cohort.id,
                                                         Membership.user_id == user.id))


def test_leader_invites_and_the_person_sets_name_and_password_and_lands_in_the_cohort(make_client):
    cohort, leader, client = _leader_and_cohort(make_client)
    response = _invite(client, cohort)
    assert response.status_code == 302
    page = client.get(f"/cohorts/{cohort.id}").get_data(as_text=True)
    assert "lived@example.org" in page and "pending" in page
    mail = outbox("lived@example.org")[-1]
    assert cohort.name in mail.subject and "14 days" in mail.body
    path = invitation_link()
    assert user_by_email("lived@example.org") is None  # no account until the person accepts

    guest = make_client()
    form = guest.get(path).get_data(as_text=True)
    assert "instructor" in form and 'value="Lise Levd"' in form
    response = _accept_new(guest, path, name="Lise L.")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/cohorts/{cohort.id}")
    user = user_by_email("lived@example.org")
    assert user.name == "Lise L." and _membership(cohort, user).role == Role.instructor
    assert "Lise L." in guest.get("/").get_data(as_text=True)  # signed in
    assert "accepted" in client.get(f"/cohorts/{cohort.id}").get_data(as_text=True)
    kinds = set(db.session.scalars(db.select(AuditEntry.kind).where(AuditEntry.cohort_id == cohort.id)))
    assert {"invitation.sent", "invitation.accepted", "membership.added"} <= kinds


def test_a_link_works_once(make_client):
    cohort, leader, client = _leader_and_cohort(make_client)
    _invite(client, cohort)
    path = invitation_link()
    assert _accept_new(make_client(), path).status_code == 302
    again = make_client()
    response = again.get(path)
    assert response.status_code == 410 and "already been accepted" in response.get_data(as_text=True)
    response = _accept_new(again, path, password="another fine sentence here")
    assert response.status_code == 410
    assert len(list(db.session.scalars(db.select(Membership).where(Membership.cohort_id == cohort.id)))) == 2


def test_an_expired_link_says_so_and_creates_nothing(make_client):
    cohort, leader, client = _leader_and_cohort(make_client)
    _invite(client, cohort)
    path = invitation_link()
    invitation = db.session.scalar(db.select(Invitation))
    invitation.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    guest = make_client()
    response = guest.get(path)
    assert response.status_code == 410 and "expired" in response.get_data(as_text=True)
    assert _accept_new(guest, path).status_code == 410
    assert user_by_email("lived@example.org") is None
    assert "expired" in client.get(f"/cohorts/{cohort.id}").get_data(as_text=True)


def test_a_revoked_link_stops_working_and_revoking_asks_first(make_client):
    cohort, leader, client = _leader_and_cohort(make_client)
    _invite(client, cohort)
    path = invitation_link()
    invitation = db.session.scalar(db.select(Invitation))
    url = f"/cohorts/{cohort.id}/invitations/{invitation.id}/revoke"
    asked = post(client, url)
    assert asked.status_code == 200 and "Revoke the invitation" in asked.get_data(as_text=True)
    db.session.refresh(invitation)
    assert invitation.revoked_at is None
    assert post(client, url, {"confirmed": "yes"}).status_code == 302
    guest = make_client()
    response = guest.get(path)
    assert response.status_code == 410 and "withdrawn" in response.get_data(as_text=True)
    assert _accept_new(guest, path).status_code == 410 and user_by_email("lived@example.org") is None


def test_sending_again_kills_the_old_link_and_the_new_one_works(make_client):
    cohort, leader, client = _leader_and_cohort(make_client)
    _invite(client, cohort)
    old = invitation_link()
    invitation = db.session.scalar(db.select(Invitation))
    assert post(client, f"/cohorts/{cohort.id}/invitations/{invitation.id}/resend").status_code == 302
    new = invitation_link()
    assert new != old
    assert make_client().get(old).status_code == 404
    assert _accept_new(make_client(), new).status_code == 302


def test_someone_else_signed_in_sees_a_clear_page_and_nothing_changes(make_client):
    cohort, leader, client = _leader_and_cohort(make_client)
    _invite(client, cohort)
    path = invitation_link()
    other = UserFactory(email="other@example.org")
    browser = make_client()
    login(browser, other.email)
    response = browser.get(path)
    assert response.status_code == 409 and "for someone else" in response.get_data(as_text=True)
    assert post(browser, path).status_code == 409
    assert _membership(cohort, other) is None
    assert db.session.scalar(db.select(Invitation)).status == "pending"


def test_the_invited_person_with_an_account_signs_in_and_accepts(make_client):
    cohort, leader, client = _leader_and_cohort(make_client)
    person = UserFactory(email="lived@example.org")
    _invite(client, cohort, role="student")
    path = invitation_link()
    browser = make_client()
    page = browser.get(path).get_data(as_text=True)
    assert "already have an account" in page and 'name="password"' not in page
    login(browser, person.email)
    assert "Accept the invitation" in browser.get(path).get_data(as_text=True)
    assert post(browser, path).status_code == 302
    assert _membership(cohort, person).role == Role.student


def test_inviting_a_member_or_an_invited_address_again_explains(make_client):
    cohort, leader, client = _leader_and_cohort(make_client)
    response = _invite(client, cohort, email=leader.email)
    assert response.status_code == 400 and "already a member" in response.get_data(as_text=True)
    _invite(client, cohort)
    response = _invite(client, cohort)
    assert response.status_code == 400 and "Send it again" in response.get_data(as_text=True)
    response = _invite(client, cohort, email="not an address")
    assert response.status_code == 400 and 'value="not an address"' in response.get_data(as_text=True)


def test_a_weak_password_is_refused_and_the_name_is_kept(make_client):
    cohort, leader, client = _leader_and_cohort(make_client)
    _invite(client, cohort)
    path = invitation_link()
    response = _accept_new(make_client(), path, name="Kari Nord", password="password1234")
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "common passwords" in html and 'value="Kari Nord"' in html
    assert user_by_email("lived@example.org") is None


def test_inviting_is_rate_limited(app, make_client):
    cohort, leader, client = _leader_and_cohort(make_client)
    app.config["INVITE_RATE_LIMIT"] = "3 per hour"
    try:
        codes = [_invite(client, cohort, email=f"p{n}@example.org").status_code for n in range(4)]
    finally:
        app.config["INVITE_RATE_LIMIT"] = "60 per hour"
    assert codes == [302, 302, 302, 429]


def test_invitation_links_use_the_configured_address_not_the_request_host(make_client):
    from tests.test_hostile_input import ForgedHost

    cohort = CohortFactory()
    leader = member(cohort, Role.leader)
    forged = ForgedHost(make_client())
    assert forged.login(leader.email).status_code == 302
    assert forged.post(f"/cohorts/{cohort.id}/invitations",
                       {"email": "lived@example.org", "role": "instructor"}).status_code == 302
    body = outbox("lived@example.org")[-1].body
    assert "evil.example" not in body and "http://127.0.0.1:5000/invitations/" in body
