"""Hostile input: whatever arrives at a form or JSON endpoint, the answer is never a server error."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.plans.states import PlanState
from tests.conftest import csrf_token, login
from tests.plan_helpers import GOOD_CONTENT, World

# Text as people and attackers type it: empty, very long, any unicode, control characters, markup.
nasty_text = st.one_of(
    st.just(""), st.text(max_size=40), st.text(min_size=3000, max_size=6000, alphabet="aé ø\n<>\"'&;{}"),
    st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=0x1F), max_size=30),
    st.sampled_from(["<script>alert(1)</script>", "'; DROP TABLE users; --", "\x00", "%(name)s", "{{ 7*7 }}",
                     "\ud7ff\ue000", "💥" * 100, "-1", "9" * 40, "null", "[]", "{}"]),
)
# JSON also carries what a form cannot: lone surrogates (JSON.stringify writes them as \ud800 escapes).
json_text = nasty_text | st.text(alphabet=st.characters(min_codepoint=0xD7F0, max_codepoint=0xE00F, exclude_categories=()), max_size=12) | \
    st.sampled_from(["I want \ud800 a home", "\udfff", "\ud83d\ude00\ud83d", "a\udc00b"])
json_value = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), json_text),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=12,
)

FORMS = {
    "owner": [
        ("/plans/{plan}", ["save_token", "section-what_matters", "goal-0-id", "goal-0-text", "goal-0-timeframe",
                           "measure-0-what", "measure-0-goal_id", "measure-99999999999-due", "then"]),
        ("/plans/{plan}/submit", ["confirmed", "save_token"]),
        ("/plans/{plan}/withdraw", ["confirmed"]),
        ("/plans/{plan}/reflection", ["version", "text"]),
        ("/account", ["current", "password", "confirm"]),
        ("/join", ["join_code"]),
        ("/locale", ["locale", "next"]),
    ],
    "reviewer": [
        ("/plans/{plan}/review", ["level-language", "comment-language", "level-voice", "overall", "then", "key",
                                  "quote", "start", "body", "bank_text", "delete_comment"]),
        ("/plans/{plan}/review/comments", ["key", "quote", "start", "body"]),
        ("/reviews/bank", ["text", "back"]),
        ("/plans/{plan}/release", ["confirmed"]),
    ],
    "leader": [
        ("/cohorts/{cohort}/members", ["email", "name", "role"]),
        ("/cohorts/{cohort}/join-code", ["confirmed"]),
        ("/cohorts/{cohort}/assignments/new", ["title", "instructions", "case_version_id", "rubric_version_id",
                                               "opens_at", "due_at", "review_due_at", "allow_late"]),
        ("/assignments/{assignment}/edit", ["title", "opens_at", "due_at", "review_due_at", "confirmed"]),
        ("/plans/{plan}/allocate", ["reviewer_id"]),
    ],
    "anonymous": [
        ("/login", ["email", "password", "next"]),
        ("/password/forgot", ["email"]),
        ("/join", ["join_code", "name", "email", "password", "confirm"]),
    ],
}

JSON_ENDPOINTS = {
    "owner": ["/plans/{plan}/draft", "/plans/{plan}/preview", "/language/check", "/language/plans/{plan}/dismiss",
              "/language/plans/{plan}/plan-hints", "/plans/{plan}/conflict", "/plans/{plan}/resolve",
              "/plans/{plan}/reflection"],
    "reviewer": ["/plans/{plan}/review/comments", "/plans/{plan}/review/draft", "/reviews/bank", "/language/check"],
}


@pytest.fixture
def clients(app, make_client):
    world = World()
    world.write()
    world.to_state(PlanState.submitted)
    world.plan.reviewer_id = world.reviewer.id
    from app.db import db

    db.session.commit()
    result = {"world": world}
    for role, user in (("owner", world.owner), ("reviewer", world.reviewer), ("leader", world.leader)):
        c = make_client()
        login(c, user.email)
        result[role] = c
    result["anonymous"] = make_client()
    from app.extensions import limiter

    limiter.enabled = False
    yield result
    limiter.enabled = True


def _url(template: str, world) -> str:
    return template.format(plan=world.plan.id, cohort=world.cohort.id, assignment=world.assignment.id)


@pytest.mark.parametrize("role,index", [(role, i) for role, forms in FORMS.items() for i in range(len(forms))])
def test_forms_never_answer_with_a_server_error(clients, role, index):
    template, fields = FORMS[role][index]
    client, world = clients[role], clients["world"]
    token = csrf_token(client)

    @settings(max_examples=25, deadline=None)
    @given(st.fixed_dictionaries({name: nasty_text for name in fields}))
    def run(values):
        data = {k: v.replace("\x00", "") if k == "csrf_token" else v for k, v in values.items()}
        data["csrf_token"] = token
        response = client.post(_url(template, world), data=data)
        assert response.status_code < 500, (template, values, response.status_code)

    run()


@pytest.mark.parametrize("role,index", [(role, i) for role, urls in JSON_ENDPOINTS.items() for i in range(len(urls))])
def test_json_endpoints_never_answer_with_a_server_error(clients, role, index):
    template = JSON_ENDPOINTS[role][index]
    client, world = clients[role], clients["world"]
    token = csrf_token(client)

    @settings(max_examples=40, deadline=None)
    @given(st.one_of(json_value, st.fixed_dictionaries({
        "save_token": json_value, "content": json_value, "text": json_text | json_value, "lang": json_value,
        "plan_id": json_value, "field": json_value, "key": json_value, "quote": json_value, "start": json_value,
        "body": json_value, "rule": json_value, "reason": json_value, "context": json_value, "overall": json_value,
        "level-language": json_value, "comment-language": json_value})))
    def run(payload):
        response = client.post(_url(template, world), json=payload, headers={"X-CSRFToken": token})
        assert response.status_code < 500, (template, payload, response.status_code, response.get_data(as_text=True)[:500])

    run()


def test_raw_garbage_bodies_are_refused_cleanly(clients):
    client, world = clients["owner"], clients["world"]
    token = csrf_token(client)
    for body in (b"\xff\xfe\x00", b"{" * 5000, b'{"save_token": 1e999}', b"[" + b"1," * 10000 + b"1]"):
        response = client.post(f"/plans/{world.plan.id}/draft", data=body,
                               headers={"X-CSRFToken": token, "Content-Type": "application/json"})
        assert response.status_code in (400, 409, 413), body[:20]


def test_huge_ids_in_addresses_are_not_found(clients):
    client = clients["owner"]
    for url in ("/plans/99999999999999999999", "/plans/99999999999999999999/history",
                "/assignments/4294967296/case", "/cohorts/99999999999999"):
        assert client.get(url).status_code == 404
    world = clients["world"]
    assert client.get(f"/plans/{world.plan.id}/diff?from=99999999999999999999&to=1").status_code in (200, 400)


def test_nul_characters_are_refused_not_stored(clients):
    for role, url in (("anonymous", "/join"), ("reviewer", "/reviews/bank"), ("owner", "/account")):
        client = clients[role]
        token = csrf_token(client)
        response = client.post(url, data={"csrf_token": token, "join_code": "AB\x00CD", "text": "a\x00b",
                                          "current": "\x00"})
        assert response.status_code == 400 and "NUL" in response.get_data(as_text=True)
    client = clients["owner"]
    response = client.post("/language/check", data='{"text": "a\\u0000b", "lang": "en"}',
                           headers={"X-CSRFToken": csrf_token(client), "Content-Type": "application/json"})
    assert response.status_code == 400


# --- return addresses: every view that takes one sends people only to a path on this site ---------------------------

HOSTILE_RETURN_ADDRESSES = [
    "/\t/evil.example/x", "/\n/evil.example/x", "/\r\n/evil.example/x", "//evil.example/x", "/\\evil.example/x",
    "\\\\evil.example/x", "https://evil.example/x", "http:/evil.example", " //evil.example", "/\x0b/evil.example",
    "javascript:alert(1)", "/\u3000/evil.example", "/x\nLocation: https://evil.example",
]


def _off_site(location: str) -> bool:
    from urllib.parse import urlsplit

    parts = urlsplit(location)
    return bool(parts.netloc and parts.netloc != "localhost") or location.startswith(("//", "/\\")) or any(
        ch in location for ch in "\t\n\r\\")


@pytest.mark.parametrize("target", HOSTILE_RETURN_ADDRESSES)
def test_safe_next_refuses_anything_but_a_plain_local_path(target):
    from app.urls import safe_next

    assert safe_next(target) is None


def test_safe_next_keeps_local_paths():
    from app.urls import safe_next

    assert safe_next("/plans/3?tab=goals#g1") == "/plans/3?tab=goals#g1"
    assert safe_next("/reviews/bank") == "/reviews/bank"


def test_every_view_that_takes_a_return_address_stays_on_the_site(clients):
    """The views that accept `next` or `back`: the language switch, sign-in (query and form) and the comment bank."""
    world = clients["world"]
    for target in HOSTILE_RETURN_ADDRESSES:
        for role, method, url, data in (
            ("owner", "post", "/locale", {"locale": "en", "next": target}),
            ("anonymous", "post", "/locale", {"locale": "en", "next": target}),
            ("reviewer", "post", "/reviews/bank", {"text": "Well argued.", "back": target}),
            ("owner", "get", "/login", {"next": target}),
            ("anonymous", "post", "/login", {"email": world.other_student.email, "password": "correct horse battery",
                                               "next": target}),
        ):
            client = clients[role] if role != "anonymous" else clients["anonymous"]
            if method == "get":
                response = client.get(url, query_string=data)
            else:
                response = client.post(url, data={**data, "csrf_token": csrf_token(client)})
            assert response.status_code in (302, 303), (url, target, response.status_code)
            assert not _off_site(response.headers["Location"]), (url, target, response.headers["Location"])
            if role == "anonymous" and url == "/login":
                client.post("/logout", data={"csrf_token": csrf_token(client)})


# --- JSON nested deeper than anyone writes, and lone surrogates -----------------------------------------------------

def _json_urls(world):
    return [(role, _url(template, world)) for role, templates in JSON_ENDPOINTS.items() for template in templates]


@pytest.mark.parametrize("depth", [33, 1000, 100_000])
def test_json_nested_too_deeply_is_refused_with_a_clear_message(clients, depth):
    world = clients["world"]
    bodies = ('{"text": ' + "[" * depth + "]" * depth + ', "lang": "en"}', "[" * depth,
              '{"save_token": 1, "content": ' + '{"a": ' * depth + "1" + "}" * depth + "}")
    for role, url in _json_urls(world):
        client = clients[role]
        token = csrf_token(client)
        for body in bodies:
            response = client.post(url, data=body, headers={"X-CSRFToken": token, "Content-Type": "application/json"})
            if response.status_code == 413 and len(body) > 512 * 1024:  # larger than any draft may be: refused first
                continue
            assert response.status_code == 400, (url, depth, response.status_code)
            assert "nested too deeply" in response.get_json()["error"], url


def test_json_as_deep_as_people_send_it_is_read(clients):
    """Brackets inside strings do not count, and 32 levels are still read."""
    client = clients["owner"]
    token = csrf_token(client)
    response = client.post("/language/check", json={"text": "[[[[" * 200 + "{" * 100, "lang": "en"},
                           headers={"X-CSRFToken": token})
    assert response.status_code == 200
    nested: object = "x"
    for _ in range(31):
        nested = [nested]
    response = client.post("/language/check", json={"text": "fine", "lang": "en", "extra": nested},
                           headers={"X-CSRFToken": token})
    assert response.status_code == 200


def test_deep_json_is_refused_in_norwegian_too(clients):
    client = clients["owner"]
    token = csrf_token(client)
    client.post("/locale", data={"locale": "nb", "next": "/", "csrf_token": token})
    response = client.post("/language/check", data="[" * 50, headers={"X-CSRFToken": token,
                                                                       "Content-Type": "application/json"})
    assert response.status_code == 400 and "for dypt" in response.get_json()["error"]


LONE_SURROGATES = ["I want \ud800 a home", "\udfff", "a\udc00b\ud83d", "\ud83d\ude00 and \ud83d"]


def _escaped_json(value: str) -> str:
    """JSON as a browser's JSON.stringify writes a lone surrogate: as a \\u escape."""
    import json

    return json.dumps(value)  # ensure_ascii: every surrogate becomes \\udxxx


def test_a_lone_surrogate_in_an_autosave_breaks_no_page(clients):
    world = clients["world"]
    owner, reviewer, leader = clients["owner"], clients["reviewer"], clients["leader"]
    # Back to a draft the owner can save (the fixture submitted it), then save text with lone surrogates.
    from app.plans import workflow
    from app.plans.workflow import PlanAction

    workflow.apply(world.plan, PlanAction.withdraw, world.owner)
    from app.db import db

    db.session.commit()
    token = csrf_token(owner)
    content = dict(GOOD_CONTENT, sections=dict(GOOD_CONTENT["sections"], what_matters="@@WM@@"),
                   goals=[{"id": "g1", "text": "@@GOAL@@", "timeframe": "by May"}])
    import json

    body = json.dumps({"save_token": world.plan.save_token, "content": content})
    body = body.replace('"@@WM@@"', _escaped_json(LONE_SURROGATES[0])).replace('"@@GOAL@@"', _escaped_json(
        LONE_SURROGATES[2]))
    response = owner.post(f"/plans/{world.plan.id}/draft", data=body,
                          headers={"X-CSRFToken": token, "Content-Type": "application/json"})
    assert response.status_code == 200, response.get_data(as_text=True)
    db.session.refresh(world.plan)
    stored = world.plan.draft["sections"]["what_matters"]
    assert stored == "I want \ufffd a home"
    assert world.plan.draft["goals"][0]["text"] == "a\ufffdb\ufffd"
    plan = world.plan.id
    for url in (f"/plans/{plan}", f"/plans/{plan}/print", f"/plans/{plan}/pdf", "/account/data",
                f"/plans/{plan}/history"):
        assert owner.get(url).status_code == 200, url
    # Submitted with that text: the frozen version, its print and the review page for reviewer and leader.
    submit = owner.post(f"/plans/{plan}/submit", data={"csrf_token": token, "confirmed": "yes",
                                                      "save_token": world.plan.save_token})
    assert submit.status_code in (302, 303), submit.status_code
    db.session.refresh(world.plan)
    workflow.apply(world.plan, PlanAction.allocate, world.leader, reviewer=world.reviewer)
    db.session.commit()
    for url in (f"/plans/{plan}/versions/1", f"/plans/{plan}/versions/2", f"/plans/{plan}/print", "/account/data"):
        assert owner.get(url).status_code == 200, url
    for client in (reviewer, leader):
        response = client.get(f"/plans/{plan}/review")
        assert response.status_code == 200
        assert "I want \ufffd a home" in response.get_data(as_text=True)


@pytest.mark.parametrize("role,index", [(role, i) for role, urls in JSON_ENDPOINTS.items() for i in range(len(urls))])
def test_lone_surrogates_in_json_are_replaced_never_stored(clients, role, index):
    template = JSON_ENDPOINTS[role][index]
    client, world = clients[role], clients["world"]
    token = csrf_token(client)
    for text in LONE_SURROGATES:
        escaped = _escaped_json(text)
        fields = ", ".join(f'"{name}": {escaped}' for name in ("quote", "body", "overall", "rule", "reason"))
        for body in (f'{{"text": {escaped}, "lang": "en"}}',
                     f'{{"save_token": 1, "content": {{"sections": {{"what_matters": {escaped}}}}}}}',
                     f'{{"key": "section:what_matters", "start": 0, {fields}}}', escaped,
                     # UTF-8 bytes of a surrogate, which Python's JSON reader would otherwise let through
                     '{"text": "a\xed\xa0\x80b"}'.encode("latin-1")):
            response = client.post(_url(template, world), data=body,
                                   headers={"X-CSRFToken": token, "Content-Type": "application/json"})
            assert response.status_code < 500, (template, body, response.status_code)
            response.get_data(as_text=True).encode("utf-8")
    # Whatever was stored can be shown and encoded.
    from app.db import db
    from app.reviews.models import AnchoredComment, CommentBankEntry

    for model in (AnchoredComment, CommentBankEntry):
        for row in db.session.scalars(db.select(model)):
            for value in vars(row).values():
                if isinstance(value, str):
                    value.encode("utf-8")
    assert clients["owner"].get(f"/plans/{world.plan.id}").status_code == 200
    assert clients["reviewer"].get(f"/plans/{world.plan.id}/review").status_code == 200


def test_surrogates_in_forms_and_addresses_are_replaced_never_stored(clients):
    """A form field or address carrying the UTF-8 bytes of a surrogate (or a percent-escaped one)."""
    from app.db import db
    from app.reviews.models import CommentBankEntry

    client = clients["reviewer"]
    token = csrf_token(client)
    body = f"csrf_token={token}&text=bank%ED%A0%80text".encode()
    response = client.post("/reviews/bank", data=body, headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert response.status_code in (302, 303)
    boundary = "b0undary"
    multipart = (f'--{boundary}\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n{token}\r\n'
                 f'--{boundary}\r\nContent-Disposition: form-data; name="text"\r\n\r\n').encode() + (
        "multi\udc80part".encode("utf-8", "surrogatepass") + f"\r\n--{boundary}--\r\n".encode())
    response = client.post("/reviews/bank", data=multipart,
                           headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})
    assert response.status_code in (302, 303)
    texts = [entry.text for entry in db.session.scalars(db.select(CommentBankEntry))]
    assert len(texts) == 2
    for text in texts:
        text.encode("utf-8")
    assert client.get("/reviews/bank").status_code == 200
    assert client.get("/reviews/bank?q=%ED%A0%80").status_code == 200


# --- absolute links: built from BASE_URL, never from the request's Host ---------------------------------------------

class ForgedHost:
    """A browser whose every request says `Host: evil.example` (its cookies live under that name too)."""

    def __init__(self, client, host: str = "evil.example"):
        self.client, self.base = client, f"http://{host}"

    def get(self, url, **kwargs):
        return self.client.get(url, base_url=self.base, **kwargs)

    def post(self, url, data=None, **kwargs):
        import re

        html = self.get("/").get_data(as_text=True)
        token = re.search(r'name="csrf-token" content="([^"]+)"', html).group(1)
        return self.client.post(url, data={**(data or {}), "csrf_token": token}, base_url=self.base, **kwargs)

    def login(self, email: str):
        return self.post("/login", {"email": email, "password": "correct horse battery"})


def test_a_forged_host_changes_no_link_sent_or_shown(app, make_client):
    """Password resets, invitations, notifications and the join link to share all use BASE_URL."""
    from app.db import db
    from tests.conftest import outbox

    world = World()
    world.write()
    world.to_state(PlanState.submitted)
    base = app.config["BASE_URL"].rstrip("/")
    assert "evil.example" not in base

    visitor = ForgedHost(make_client())
    assert visitor.post("/password/forgot", {"email": world.owner.email}).status_code == 200
    leader = ForgedHost(make_client())
    assert leader.login(world.leader.email).status_code == 302
    appointed = leader.post(f"/cohorts/{world.cohort.id}/members", {"email": "new.teacher@example.org",
                                                                      "name": "New Teacher", "role": "instructor"})
    assert appointed.status_code in (200, 302)
    allocated = leader.post(f"/plans/{world.plan.id}/allocate", {"reviewer_id": world.reviewer.id})
    assert allocated.status_code in (200, 302)
    db.session.expire_all()
    messages = {message.kind: message.body for message in outbox()}
    assert {"password_reset", "invitation"} <= set(messages) and any(k.startswith("notification.") for k in messages)
    for kind, body in messages.items():
        assert "evil.example" not in body, kind
        assert f"{base}/" in body, (kind, body)
    shared = leader.get(f"/cohorts/{world.cohort.id}").get_data(as_text=True)
    assert "evil.example" not in shared and f"{base}/join?code=" in shared


# --- Markdown that would exhaust the renderer: nested too deeply, or brackets that never close ---------------------

PATHOLOGICAL_MARKDOWN = {
    "nested lists": "- " * 9_000 + "x",
    "nested numbered lists": "1. " * 6_000 + "x",
    "nested quotes": ">" * 10_000 + " x",
    "quoted lists": "> - " * 4_000 + "x",
    "brackets": "[" * 20_000,
    "images in brackets": "[![" * 6_000,
    "links never closed": "[x](" * 5_000,
    "brackets closed at the end": "[" * 10_000 + "]" * 10_000,
    "brackets and markup": "<[" * 10_000,
    "one-character lines": "-\n" * 10_000,
    "headings underlined": "=\n" * 10_000,
    "rules between lines": "a\n***\n" * 3_000,
}


@pytest.mark.parametrize("name", PATHOLOGICAL_MARKDOWN)
def test_pathological_markdown_renders_quickly_as_text(app, name):
    import time

    from app.markdown import render_markdown

    render_markdown.__globals__["_render"].cache_clear()
    source = PATHOLOGICAL_MARKDOWN[name]
    began = time.monotonic()
    html = str(render_markdown(source))
    took = time.monotonic() - began
    assert took < 2, (name, took)
    import html as html_module
    import re

    shown = html_module.unescape(re.sub(r"<[^>]+>", "", html))
    assert "".join(shown.split()) == "".join(source.split()), "the text is shown as written"


def test_ordinary_markdown_is_unchanged_by_the_bounds(app):
    from app.markdown import render_markdown

    html = str(render_markdown("- one\n    - two\n\n> quoted\n\nA [link](https://example.org) and [another](/x).\n\n"
                               "Not a link: [draft] [1] (see above)."))
    assert '<a href="https://example.org" rel="noopener noreferrer nofollow">link</a>' in html
    assert '<a href="/x">another</a>' in html and "[draft] [1] (see above)" in html
    assert "<blockquote>" in html and html.count("<ul>") == 2


def test_pathological_markdown_in_a_plan_breaks_no_page(clients):
    from app.db import db
    from app.plans import workflow
    from app.plans.workflow import PlanAction

    world = clients["world"]
    workflow.apply(world.plan, PlanAction.withdraw, world.owner)
    db.session.commit()
    owner = clients["owner"]
    token = csrf_token(owner)
    keys = list(GOOD_CONTENT["sections"])
    sections = dict(GOOD_CONTENT["sections"])
    for key, name in zip(keys, ["nested lists", "nested quotes", "quoted lists", "brackets",
                                "links never closed", "brackets closed at the end", "brackets and markup"]):
        sections[key] = PATHOLOGICAL_MARKDOWN[name]
    response = owner.post(f"/plans/{world.plan.id}/draft", json={"save_token": world.plan.save_token,
                                                                 "content": dict(GOOD_CONTENT, sections=sections)},
                          headers={"X-CSRFToken": token})
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    plan = world.plan.id
    for name, source in PATHOLOGICAL_MARKDOWN.items():
        assert owner.post(f"/plans/{plan}/preview", json={"text": source},
                          headers={"X-CSRFToken": token}).status_code == 200, name
    for url in (f"/plans/{plan}", f"/plans/{plan}/print", f"/plans/{plan}/pdf"):
        assert owner.get(url).status_code == 200, url
    db.session.refresh(world.plan)
    assert owner.post(f"/plans/{plan}/submit", data={"csrf_token": token, "confirmed": "yes",
                                                     "save_token": world.plan.save_token}).status_code in (302, 303)
    workflow.apply(world.plan, PlanAction.allocate, world.leader, reviewer=world.reviewer)
    db.session.commit()
    assert owner.get(f"/plans/{plan}/versions/2").status_code == 200
    assert clients["reviewer"].get(f"/plans/{plan}/review").status_code == 200
