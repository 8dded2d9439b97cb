"""Sign in with Feide (any OpenID Connect provider): the whole authorization code flow against a real provider
(oidc-provider-mock) through the app's pages, and each way it can go wrong: a clear page, nothing created."""
from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from app.auth.models import User, user_by_email
from app.cohorts import invitations
from app.cohorts.models import Membership, Role
from app.db import db
from app.privacy import services as privacy
from tests.conftest import login, post
from tests.factories import PASSWORD, CohortFactory, UserFactory, member
from tests.oidc_helpers import at_provider, identities, provider_user, sign_in_with_provider, to_provider
from tests.test_invitations import invitation_link

EPPN = "https://n.feide.no/claims/eduPersonPrincipalName"


def _users() -> int:
    return db.session.scalar(db.select(db.func.count(User.id)))


def test_login_page_offers_the_provider_only_when_configured(client, app):
    assert "Sign in with Feide" not in client.get("/login").get_data(as_text=True)
    assert client.get("/login/oidc").status_code == 404
    app.config["FEIDE_CLIENT_ID"] = "x"
    try:
        assert "Sign in with Feide" in client.get("/login").get_data(as_text=True)
    finally:
        app.config["FEIDE_CLIENT_ID"] = ""


def test_the_authorization_request_uses_pkce_a_nonce_and_the_configured_redirect(client, provider):
    query = parse_qs(urlsplit(to_provider(client)).query)
    assert query["code_challenge_method"] == ["S256"] and len(query["code_challenge"][0]) >= 43
    assert query["nonce"][0] and query["state"][0]
    assert query["redirect_uri"] == ["http://127.0.0.1:5000/login/oidc/callback"]
    assert set(query["scope"][0].split()) >= {"openid", "profile", "email", "userid-feide", "groups-edu"}


def test_a_new_person_signs_in_and_gets_an_account_keyed_on_the_subject(client, provider):
    response = sign_in_with_provider(client, provider, "sub-nora", email="Nora@UiO.no", name="Nora Nordmann",
                                     **{EPPN: "nora@uio.no"})
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert "Welcome, Nora Nordmann" in client.get("/").get_data(as_text=True)
    user = user_by_email("nora@uio.no")
    assert user is not None and user.password_hash is None
    [identity] = identities()
    assert (identity.subject, identity.eppn, identity.email, identity.user_id) == (
        "sub-nora", "nora@uio.no", "nora@uio.no", user.id)
    assert identity.issuer == provider

    # Next time: the same account, found by the subject even though the provider's e-mail changed.
    provider_user(provider, "sub-nora", email="nora.nordmann@uio.no", name="Nora Nordmann")
    again = client.application.test_client()
    assert sign_in_with_provider(again, provider, "sub-nora").status_code == 302
    assert _users() == 1 and identities()[0].email == "nora.nordmann@uio.no"
    assert "Welcome, Nora Nordmann" in again.get("/").get_data(as_text=True)


def test_the_person_returns_to_the_page_they_wanted(client, provider):
    response = sign_in_with_provider(client, provider, "sub-ret", start="/login/oidc?next=/cohorts/",
                                     email="ret@uio.no", name="Ret Urn")
    assert response.headers["Location"] == "/cohorts/"
    response = sign_in_with_provider(client.application.test_client(), provider, "sub-ret",
                                     start="/login/oidc?next=https://evil.example/")
    assert response.headers["Location"] == "/"


def test_a_state_mismatch_shows_a_clear_page_and_creates_nothing(make_client, provider):
    provider_user(provider, "sub-x", email="x@uio.no", name="X")
    started = make_client()
    back = at_provider(to_provider(started), "sub-x")
    other = make_client()  # another browser: it never started this sign-in
    response = other.get(back)
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "started in another window" in html and 'href="/login"' in html
    forged = back.replace("state=", "state=forged")
    assert started.get(forged).status_code == 400
    assert _users() == 0 and identities() == []


def test_a_nonce_mismatch_is_refused(client, provider):
    provider_user(provider, "sub-n", email="n@uio.no", name="N")
    authorize = to_provider(client)
    with client.session_transaction() as session:
        for key, value in session.items():
            if key.startswith("_state_"):
                value["data"]["nonce"] = "not-the-nonce-sent"
                session[key] = value
    response = client.get(at_provider(authorize, "sub-n"))
    assert response.status_code == 400 and "could not be verified" in response.get_data(as_text=True)
    assert _users() == 0 and identities() == []


def test_denied_consent_says_so_and_creates_nothing(client, provider):
    response = client.get(at_provider(to_provider(client), deny=True))
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "did not allow Feide" in html and 'href="/login"' in html
    assert _users() == 0


def test_the_provider_down_shows_a_clear_page(client, provider, app):
    app.config["OIDC_DISCOVERY_URL"] = "http://127.0.0.1:9/.well-known/openid-configuration"
    response = client.get("/login/oidc")
    assert response.status_code == 502 and "not answering" in response.get_data(as_text=True)
    assert _users() == 0


def test_an_account_with_the_same_address_is_linked_only_with_its_password(make_client, provider):
    owner = UserFactory(email="kari@uio.no", name="Kari Local")
    browser = make_client()
    response = sign_in_with_provider(browser, provider, "sub-kari", email="kari@uio.no", name="Kari Feide")
    assert response.status_code == 302 and response.headers["Location"] == "/login/oidc/link"
    page = browser.get("/login/oidc/link").get_data(as_text=True)
    assert "kari@uio.no" in page and "Link your account" in page
    assert "Kari Local" not in browser.get("/").get_data(as_text=True)  # not signed in yet
    wrong = post(browser, "/login/oidc/link", {"password": "not the password at all"})
    assert wrong.status_code == 400 and "not correct" in wrong.get_data(as_text=True)
    assert identities() == []
    right = post(browser, "/login/oidc/link", {"password": PASSWORD})
    assert right.status_code == 302
    assert "Welcome, Kari Local" in browser.get("/").get_data(as_text=True)
    [identity] = identities()
    assert identity.user_id == owner.id and _users() == 1
    # From now on the provider alone signs the person in.
    assert sign_in_with_provider(make_client(), provider, "sub-kari").headers["Location"] == "/"


def test_linking_can_be_cancelled_and_wrong_passwords_are_limited(make_client, provider, app):
    UserFactory(email="per@uio.no")
    browser = make_client()
    sign_in_with_provider(browser, provider, "sub-per", email="per@uio.no", name="Per")
    app.config["LOGIN_RATE_LIMIT"] = "2 per minute"
    try:
        codes = [post(browser, "/login/oidc/link", {"password": f"wrong guess {n}"}).status_code for n in range(3)]
    finally:
        app.config["LOGIN_RATE_LIMIT"] = "10 per minute"
    assert codes == [400, 400, 429]
    browser = make_client()
    sign_in_with_provider(browser, provider, "sub-per")
    assert post(browser, "/login/oidc/link", {"cancel": "Cancel"}).status_code == 302
    assert browser.get("/login/oidc/link").status_code == 400 and identities() == []


def test_without_sign_up_only_known_people_get_in(client, provider, app):
    app.config["FEIDE_SIGN_UP"] = False
    response = sign_in_with_provider(client, provider, "sub-new", email="new@uio.no", name="New")
    assert response.status_code == 403 and "invitation" in response.get_data(as_text=True)
    assert _users() == 0


def test_an_unverified_address_makes_no_account(client, provider, app):
    app.config["FEIDE_TRUST_EMAIL"] = False
    response = sign_in_with_provider(client, provider, "sub-unv", email="unv@example.org", name="Unv")
    assert response.status_code == 403 and "verified e-mail" in response.get_data(as_text=True)
    assert _users() == 0
    provider_user(provider, "sub-ver", email="ver@example.org", email_verified=True, name="Ver")
    assert sign_in_with_provider(client, provider, "sub-ver").status_code == 302 and _users() == 1


def test_a_password_sign_in_still_works_beside_the_provider(client, provider):
    user = UserFactory()
    assert login(client, user.email).status_code == 302


def test_an_invited_person_accepts_by_signing_in_with_the_provider(make_client, provider, app):
    app.config["FEIDE_SIGN_UP"] = False  # the invitation alone lets the account be made
    cohort = CohortFactory()
    invitations.invite(cohort, "lived@example.org", Role.instructor, actor=member(cohort, Role.leader))
    db.session.commit()
    path = invitation_link("lived@example.org")
    browser = make_client()
    page = browser.get(path).get_data(as_text=True)
    start = f"/login/oidc?invitation={path.rsplit('/', 1)[1]}"
    assert start in page.replace("&amp;", "&")
    response = sign_in_with_provider(browser, provider, "sub-lived", start=start, email="lived@uni.no", name="Liv")
    assert response.status_code == 302 and response.headers["Location"] == path
    assert "Accept the invitation" in browser.get(path).get_data(as_text=True)
    assert post(browser, path).status_code == 302
    user = user_by_email("lived@uni.no")
    membership = db.session.scalar(db.select(Membership).where(Membership.user_id == user.id))
    assert membership.cohort_id == cohort.id and membership.role == Role.instructor
    assert make_client().get(path).status_code == 410  # used once


def test_the_sign_in_choices_read_in_norwegian(client, provider):
    page = client.get("/login", headers={"Accept-Language": "nb"}).get_data(as_text=True)
    assert "Logg inn med Feide" in page and "Eller logg inn med e-post og passord" in page
    response = client.get(at_provider(to_provider(client), deny=True), headers={"Accept-Language": "nb"})
    assert "Du tillot ikke Feide" in response.get_data(as_text=True)


def test_anonymising_an_account_removes_its_sign_in_and_its_data_download_lists_it(make_client, provider):
    sign_in_with_provider(make_client(), provider, "sub-anon", email="anon@uio.no", name="Anon",
                          **{EPPN: "anon@uio.no"})
    user = user_by_email("anon@uio.no")
    assert privacy.export_user_data(user)["sign_ins"][0]["user_id"] == "anon@uio.no"
    privacy.anonymise_user(user, UserFactory(is_admin=True))
    db.session.commit()
    assert identities() == []
    response = sign_in_with_provider(make_client(), provider, "sub-anon")
    assert response.status_code == 302 and _users() == 3  # a new account: the anonymous one stays anonymous


def test_the_account_page_shows_the_linked_sign_in(client, provider):
    sign_in_with_provider(client, provider, "sub-acc", email="acc@uio.no", name="Acc", **{EPPN: "acc@uio.no"})
    page = client.get("/account").get_data(as_text=True)
    assert "Sign-in with Feide" in page and "acc@uio.no" in page and "no password" in page
    assert 'name="current"' not in page  # nothing to change


def test_an_account_made_by_a_course_leader_without_a_password_is_linked_by_the_verified_address(client, provider,
                                                                                                 app):
    appointed = UserFactory(email="appointed@uio.no", name="Appointed")
    appointed.password_hash = None
    db.session.commit()
    response = sign_in_with_provider(client, provider, "sub-app", email="appointed@uio.no", name="Appointed F")
    assert response.headers["Location"] == "/" and identities()[0].user_id == appointed.id
    assert "Welcome, Appointed" in client.get("/").get_data(as_text=True)


def test_an_account_without_a_password_and_an_unverified_address_is_not_linked(client, provider, app):
    app.config["FEIDE_TRUST_EMAIL"] = False
    appointed = UserFactory(email="appointed@example.org")
    appointed.password_hash = None
    db.session.commit()
    response = sign_in_with_provider(client, provider, "sub-unv2", email="appointed@example.org", name="X")
    assert response.headers["Location"] == "/login/oidc/link"
    page = client.get("/login/oidc/link").get_data(as_text=True)
    assert "did not confirm that the address is yours" in page and 'name="password"' not in page
    assert identities() == []
