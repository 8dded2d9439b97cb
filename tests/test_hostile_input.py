"""Hostile input: whatever arrives at a form or JSON endpoint, the answer is never a server error."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.plans.states import PlanState
from tests.conftest import csrf_token, login
from tests.plan_helpers import World

# Text as people and attackers type it: empty, very long, any unicode, control characters, markup.
nasty_text = st.one_of(
    st.just(""), st.text(max_size=40), st.text(min_size=3000, max_size=6000, alphabet="aé ø\n<>\"'&;{}"),
    st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=0x1F), max_size=30),
    st.sampled_from(["<script>alert(1)</script>", "'; DROP TABLE users; --", "\x00", "%(name)s", "{{ 7*7 }}",
                     "\ud7ff\ue000", "💥" * 100, "-1", "9" * 40, "null", "[]", "{}"]),
)
json_value = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), nasty_text),
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
              "/language/plans/{plan}/plan-hints"],
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
        "save_token": json_value, "content": json_value, "text": nasty_text | json_value, "lang": json_value,
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
