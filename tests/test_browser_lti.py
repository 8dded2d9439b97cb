"""In a real browser, as a learner opens the assignment from a course page in the LMS: the LMS shows Care Plan Lab
inside a frame of its own page, on another site, and the browser blocks third-party cookies.

Both sites speak HTTPS (a certificate made for the test), as they do in production: the LMS is a small platform of
the test's own at https://localhost:<port> (a course page with the frame, its OIDC authorisation end, which signs the
launch, and its key set), and Care Plan Lab is served at https://127.0.0.1:<port>, another site to the browser.

- Where the browser blocks third-party cookies but keeps partitioned ones (Chrome, Edge), the launch runs inside
  the frame and the learner goes on working there: its cookies are SameSite=None; Secure; Partitioned.
- Where the frame may keep no cookie at all, the frame says so and offers to open Care Plan Lab in a new window,
  where the launch ends with the learner signed in, and the course page stays open behind it."""
from __future__ import annotations

import datetime
import html
import ipaddress
import json
import os
import re
import ssl
import threading
import time

import jwt
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from jwt.algorithms import RSAAlgorithm
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from app.auth.models import User
from app.cohorts.models import Membership, Role
from app.db import db
from app.lti.models import LtiDeployment
from tests import conftest
from tests.a11y import assert_no_serious_violations
from tests.browser import sign_in
from tests.factories import AssignmentFactory, UserFactory
from tests.lti_helpers import INSTRUCTOR, LEARNER, lms_course, resource_link

pytestmark = pytest.mark.browser

SCREENSHOT_DIR = os.environ.get("SCREENSHOT_DIR", "")
CLIENT_ID = "10000000000001"
DEPLOYMENT = "1:abc"
LTI = "https://purl.imsglobal.org/spec/lti/claim/"


def shot(page, name):
    if SCREENSHOT_DIR:
        page.screenshot(path=os.path.join(SCREENSHOT_DIR, name), full_page=True)


# --- HTTPS for both sites -------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    """A certificate for localhost and 127.0.0.1: the browser is told to accept it, the tool's key-set fetch trusts
    it through REQUESTS_CA_BUNDLE."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1)).not_valid_after(now + datetime.timedelta(days=2))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost"),
                                                        x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                           critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    folder = tmp_path_factory.mktemp("tls")
    (folder / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (folder / "key.pem").write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                       serialization.NoEncryption()))
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(folder / "cert.pem", folder / "key.pem")
    return folder / "cert.pem", context


def serve(wsgi_app, context):
    server = make_server("127.0.0.1", 0, wsgi_app, threaded=True, ssl_context=context)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture(scope="module")
def tool(app, certificate):
    """Care Plan Lab over HTTPS, emptied between tests like the other live server."""
    served = conftest.InFlight(app)
    conftest._served.append(served)
    server = serve(served, certificate[1])
    yield f"https://127.0.0.1:{server.server_port}"
    server.shutdown()
    conftest._served.remove(served)


class FakeLms:
    """The learning platform: a course page that frames the tool and posts the login initiation into the frame, an
    authorisation end that signs the learner's launch, and the key set it is checked with."""

    def __init__(self):
        self._key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.url = ""
        self.tool = ""
        self.returned: list[str] = []  # the deep-linking answers the tool sent back
        self.as_learner()

    def as_learner(self, link: str = "rl-1") -> None:
        self.person = {"sub": "lms-nora", "email": "nora.berg@uni.example", "name": "Nora Berg"}
        self.roles, self.message, self.link = [LEARNER], "LtiResourceLinkRequest", link

    def as_instructor(self, message: str = "LtiResourceLinkRequest", link: str = "rl-1") -> None:
        self.person = {"sub": "lms-ian", "email": "ian.teacher@uni.example", "name": "Ian Teacher"}
        self.roles, self.message, self.link = [INSTRUCTOR], message, link

    def __call__(self, environ, start_response):
        request = Request(environ)
        if request.path == "/course":
            response = self.course_page()
        elif request.path == "/auth":
            response = self.authorise(request)
        elif request.path == "/deep-link-return" and request.method == "POST":
            self.returned.append(request.form["JWT"])
            response = Response('<!doctype html><html lang="en"><head><title>Added</title></head><body>'
                                "<h1>The assignment is added to the course</h1></body></html>", mimetype="text/html")
        elif request.path == "/jwks":
            jwk = {**json.loads(RSAAlgorithm.to_jwk(self._key.public_key())), "kid": "lms-key", "alg": "RS256",
                   "use": "sig"}
            response = Response(json.dumps({"keys": [jwk]}), mimetype="application/json")
        else:
            response = Response("Not found", status=404)
        return response(environ, start_response)

    def course_page(self) -> Response:
        fields = {"iss": self.url, "login_hint": "nora", "client_id": CLIENT_ID, "lti_message_hint": "rl-1",
                  "target_link_uri": f"{self.tool}/lti/launch", "lti_deployment_id": DEPLOYMENT}
        inputs = "".join(f'<input type="hidden" name="{name}" value="{html.escape(value)}">'
                         for name, value in fields.items())
        return Response(f"""<!doctype html><html lang="en"><head><title>MED4500 · LMS</title></head><body>
<h1>MED4500 Care planning</h1><p>Course page of the learning platform.</p>
<form id="launch" method="post" target="tool" action="{self.tool}/lti/login">{inputs}</form>
<iframe name="tool" title="Care Plan Lab" width="1000" height="700"
        allow="storage-access-by-user-activation"></iframe>
<script>document.getElementById("launch").submit();</script></body></html>""", mimetype="text/html")

    def authorise(self, request: Request) -> Response:
        """The platform's OIDC authorisation end: the learner is signed in here, so it answers at once with the
        signed launch, posted by the browser to the tool's redirect_uri."""
        query = request.args
        now = int(time.time())
        claims = {
            "iss": self.url, "aud": CLIENT_ID, "iat": now, "exp": now + 300, "nonce": query["nonce"], **self.person,
            LTI + "deployment_id": DEPLOYMENT, LTI + "message_type": self.message,
            LTI + "version": "1.3.0", LTI + "roles": self.roles,
            LTI + "context": {"id": "course-7", "title": "MED4500 Autumn"},
            LTI + "target_link_uri": f"{self.tool}/lti/launch",
        }
        if self.message == "LtiResourceLinkRequest":
            claims[LTI + "resource_link"] = {"id": self.link, "title": "Care plan"}
        else:
            claims["https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"] = {
                "deep_link_return_url": f"{self.url}/deep-link-return", "accept_types": ["ltiResourceLink"],
                "accept_presentation_document_targets": ["iframe", "window"], "data": "opaque"}
        token = jwt.encode(claims, self._key, algorithm="RS256", headers={"kid": "lms-key"})
        return Response(f"""<!doctype html><html lang="en"><head><title>Signing in</title></head><body>
<form id="answer" method="post" action="{html.escape(query['redirect_uri'])}">
<input type="hidden" name="id_token" value="{token}"><input type="hidden" name="state" value="{html.escape(
            query['state'])}"></form><script>document.getElementById("answer").submit();</script></body></html>""",
                        mimetype="text/html")


@pytest.fixture(scope="module")
def lms_site(certificate):
    lms = FakeLms()
    server = serve(lms, certificate[1])
    lms.url = f"https://localhost:{server.server_port}"
    yield lms
    server.shutdown()


@pytest.fixture
def course(app, tool, lms_site, certificate, monkeypatch):
    """The LMS registered with the tool, its course linked to a cohort and its link to an assignment."""
    monkeypatch.setitem(app.config, "BASE_URL", tool)
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(certificate[0]))
    lms_site.tool = tool
    lms_site.as_learner()
    lms_site.returned.clear()
    assignment = AssignmentFactory()
    context = lms_course(assignment.cohort, name="Canvas", issuer=lms_site.url, client_id=CLIENT_ID,
                         auth_login_url=f"{lms_site.url}/auth", auth_token_url=f"{lms_site.url}/token",
                         key_set_url=f"{lms_site.url}/jwks")
    context.platform.deployments.append(LtiDeployment(deployment_id=DEPLOYMENT))
    resource_link(context, assignment)
    db.session.commit()
    return assignment


def learner_in(cohort):
    user = db.session.scalar(db.select(User).where(User.email == "nora.berg@uni.example"))
    if user is None:
        return None
    return db.session.scalar(db.select(Membership.role).where(Membership.user_id == user.id,
                                                              Membership.cohort_id == cohort.id))


def open_course_page(page, lms_site):
    page.goto(f"{lms_site.url}/course")
    page.get_by_role("heading", name="MED4500 Care planning").wait_for()
    return page.frame_locator("iframe[name=tool]")


def tool_frame(page):
    return next(frame for frame in page.frames if frame.name == "tool")


# --- the tests ------------------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def chromium_without_third_party_cookies(browser):
    """Chromium as Chrome is where third-party cookies are blocked: partitioned cookies are still kept."""
    blocking = browser.browser_type.launch(executable_path=conftest.CHROMIUM, headless=True,
                                           args=[*conftest.CHROMIUM_ARGS, "--test-third-party-cookie-phaseout"])
    yield blocking
    blocking.close()


@pytest.fixture
def lms_page(chromium_without_third_party_cookies):
    context = chromium_without_third_party_cookies.new_context(ignore_https_errors=True, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def test_with_third_party_cookies_blocked_the_learner_is_launched_and_works_inside_the_frame(course, lms_site,
                                                                                            tool, lms_page):
    page = lms_page
    frame = open_course_page(page, lms_site)
    tool_frame(page).wait_for_url(f"**/assignments/{course.id}/case")
    # The browser does block third-party cookies here: an ordinary cookie of the tool's site is not kept.
    kept = tool_frame(page).evaluate("""() => {
        document.cookie = "probe=1; path=/; SameSite=None; Secure";
        return document.cookie.includes("probe=");
    }""")
    assert kept is False
    assert learner_in(course.cohort) == Role.student
    assert page.url.startswith(lms_site.url)  # still the course page, with the tool inside it
    shot(page, "lti-frame-launched.png")
    assert_no_serious_violations(tool_frame(page))
    # The learner goes on inside the frame: a form (its CSRF token and the frame's session) starts the plan,
    # and what they type is saved by the autosave's requests from the frame.
    frame.get_by_role("link", name="My plans").click()
    frame.get_by_role("button", name="Start my plan").click()
    tool_frame(page).wait_for_url(f"{tool}/plans/**")  # the editor's script is running
    frame.get_by_label("What matters to me").fill("Anna wants a flat of her own near her daughter.")
    frame.locator("#save-status.is-saved").wait_for()
    assert page.url.startswith(lms_site.url)
    shot(page, "lti-frame-working.png")


def test_where_the_frame_may_keep_no_cookie_the_learner_opens_the_tool_in_a_new_window(course, lms_site, tool,
                                                                                       tmp_path, browser):
    # The browser refuses every cookie of the tool's site inside the LMS's pages (Safari's way, and Chrome's when
    # a person turns all of them off), and keeps them when the tool is opened on its own.
    profile = tmp_path / "profile"
    (profile / "Default").mkdir(parents=True)
    (profile / "Default" / "Preferences").write_text(json.dumps({"profile": {
        "cookie_controls_mode": 1, "block_third_party_cookies": True,
        "content_settings": {"exceptions": {"cookies": {f"{tool},{lms_site.url}": {"setting": 2}}}}}}))
    context = browser.browser_type.launch_persistent_context(
        str(profile), executable_path=conftest.CHROMIUM, headless=True, args=conftest.CHROMIUM_ARGS,
        ignore_https_errors=True, locale="en-GB")
    page = context.pages[0] if context.pages else context.new_page()
    page.set_default_timeout(15_000)
    context.set_default_timeout(15_000)
    frame = open_course_page(page, lms_site)
    new_window = frame.get_by_role("link", name="Open Care Plan Lab in a new window")
    new_window.wait_for()
    assert "does not let Care Plan Lab keep you signed in" in frame.locator("#lti-cookies-check").inner_text()
    assert learner_in(course.cohort) is None  # nothing happened yet
    shot(page, "lti-frame-cookies-blocked.png")
    assert_no_serious_violations(tool_frame(page))
    with context.expect_page() as opened:
        new_window.click()
    window = opened.value
    window.wait_for_url(f"{tool}/assignments/{course.id}/case")
    assert "Nora Berg" in window.get_by_role("banner").inner_text()
    assert learner_in(course.cohort) == Role.student
    shot(window, "lti-new-window-launched.png")
    assert page.get_by_role("heading", name="MED4500 Care planning").is_visible()  # the course page stays
    context.close()


def pick_in_frame(page, lms_site, heading: str, assignment, button: str, screenshot: str):
    """The instructor's launch opens a page asking which assignment; they choose one and press `button`."""
    frame = open_course_page(page, lms_site)
    frame.get_by_role("heading", name=heading).wait_for()
    assert_no_serious_violations(tool_frame(page))
    shot(page, screenshot)
    frame.get_by_label("Assignment", exact=True).select_option(label=assignment.title)
    frame.get_by_role("button", name=button).click()
    return frame


def test_an_instructor_chooses_the_assignment_a_new_link_in_the_course_opens(course, lms_site, tool, lms_page):
    lms_site.as_instructor(link="rl-2")  # a link the instructor has just added in the LMS
    frame = pick_in_frame(lms_page, lms_site, "Choose the assignment", course, "Open this assignment from the link",
                          "lti-set-up-link.png")
    tool_frame(lms_page).wait_for_url(f"{tool}/assignments/{course.id}/case")
    assert f'The link now opens "{course.title}".' in frame.get_by_role("status").first.inner_text()
    # A learner opening the same link lands on the assignment.
    lms_site.as_learner(link="rl-2")
    open_course_page(lms_page, lms_site)
    tool_frame(lms_page).wait_for_url(f"{tool}/assignments/{course.id}/case")


def test_an_instructor_adds_an_assignment_to_the_course_by_deep_linking(course, lms_site, tool, lms_page, client):
    lms_site.as_instructor(message="LtiDeepLinkingRequest")
    frame = pick_in_frame(lms_page, lms_site, "Add an assignment to your course", course, "Add this assignment",
                          "lti-deep-link.png")
    # The answer goes back to the platform inside the same frame, signed by the tool.
    frame.get_by_role("heading", name="The assignment is added to the course").wait_for()
    assert len(lms_site.returned) == 1
    keys = client.get("/lti/jwks").get_json()["keys"]
    header = jwt.get_unverified_header(lms_site.returned[0])
    key = next(jwt.PyJWK(k) for k in keys if k["kid"] == header["kid"])
    answer = jwt.decode(lms_site.returned[0], key.key, algorithms=["RS256"], audience=lms_site.url)
    (item,) = answer["https://purl.imsglobal.org/spec/lti-dl/claim/content_items"]
    assert item["title"] == course.title and item["url"] == f"{tool}/lti/launch"
    assert item["lineItem"]["scoreMaximum"] == 100 and item["custom"] == {"assignment_id": str(course.id)}


def test_a_person_with_an_account_here_links_it_once_with_their_password(course, lms_site, tool, lms_page):
    UserFactory(email="nora.berg@uni.example", name="Nora Berg")
    db.session.commit()
    frame = open_course_page(lms_page, lms_site)
    frame.get_by_role("heading", name="Link your account").wait_for()
    assert "nora.berg@uni.example" in frame.locator("main").inner_text()
    assert_no_serious_violations(tool_frame(lms_page))
    frame.get_by_label("Password of your account here").fill("not my password")
    frame.get_by_role("button", name="Link and sign in").click()
    frame.get_by_role("heading", name="Link your account").wait_for()
    assert "Please check the form" in frame.locator(".error-summary").inner_text()
    shot(lms_page, "lti-link-account-error.png")
    assert learner_in(course.cohort) is None
    frame.get_by_label("Password of your account here").fill("correct horse battery")
    frame.get_by_role("button", name="Link and sign in").click()
    tool_frame(lms_page).wait_for_url(f"{tool}/assignments/{course.id}/case")
    assert learner_in(course.cohort) == Role.student


def test_an_administrator_registers_a_platform_reads_the_values_to_paste_and_removes_it(page, app):
    admin = UserFactory(is_admin=True, name="Ada Admin")
    db.session.commit()
    sign_in(page, admin.email)
    page.goto("/")
    page.get_by_role("link", name="Learning platforms (LMS)").click()
    page.get_by_role("heading", name="Learning platforms").wait_for()
    assert "No learning platform is registered yet." in page.locator("main").inner_text()
    assert_no_serious_violations(page)
    page.get_by_role("link", name="What to paste into the platform").click()
    assert "/lti/launch" in page.locator("main").inner_text() and "/lti/jwks" in page.locator("main").inner_text()
    assert_no_serious_violations(page)
    shot(page, "lti-config.png")
    page.go_back()
    page.get_by_role("link", name="Add a platform").click()
    page.get_by_label("Name").fill("Canvas at our university")
    page.get_by_label("Issuer").fill("https://canvas.instructure.com")
    page.get_by_label("Client id").fill("10000000000042")
    page.get_by_label("Deployment ids").fill("12:abc\n12:abc\n13:def")
    page.get_by_label("Authentication request URL").fill("canvas.instructure.com/api/lti/authorize_redirect")
    page.get_by_role("button", name="Save").click()
    # The mistake is named; nothing typed is lost.
    assert "Enter an address starting with https://." in page.locator("main").inner_text()
    assert page.get_by_label("Name").input_value() == "Canvas at our university"
    assert page.get_by_label("Deployment ids").input_value() == "12:abc\n12:abc\n13:def"
    assert_no_serious_violations(page)
    shot(page, "lti-platform-errors.png")
    page.get_by_label("Authentication request URL").fill("https://sso.canvaslms.com/api/lti/authorize_redirect")
    page.get_by_label("Access token URL").fill("https://sso.canvaslms.com/login/oauth2/token")
    page.get_by_label("Public keyset URL").fill("https://sso.canvaslms.com/api/lti/security/jwks")
    page.get_by_label("LMS instructors and teaching assistants become").select_option(label="course leaders")
    page.get_by_role("button", name="Save").click()
    page.get_by_text("Canvas at our university is registered.").wait_for()
    row = page.get_by_role("row", name=re.compile("Canvas at our university"))
    assert "12:abc" in row.inner_text() and "13:def" in row.inner_text() and "course leader" in row.inner_text()
    assert_no_serious_violations(page)
    shot(page, "lti-platforms.png")
    row.get_by_role("button", name="Switch off").click()
    page.get_by_text("Launches from Canvas at our university are refused").wait_for()
    page.get_by_role("row", name=re.compile("Canvas at our university")).get_by_role("button", name="Delete").click()
    page.get_by_role("heading", name="Delete Canvas at our university?").wait_for()
    page.get_by_role("link", name="Cancel").click()  # changing one's mind keeps it
    assert page.get_by_role("row", name=re.compile("Canvas at our university")).is_visible()
    page.get_by_role("row", name=re.compile("Canvas at our university")).get_by_role("button", name="Delete").click()
    page.get_by_role("button", name="Delete the platform").click()
    page.get_by_text("The platform is deleted.").wait_for()
    assert "No learning platform is registered yet." in page.locator("main").inner_text()

