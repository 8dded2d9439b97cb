"""The header every page shows: rendered for the person reading it, with their name, their menu and their session's
CSRF token, however many people are signed in at once and whatever an edit of it has it show."""
from __future__ import annotations

import re

from jinja2 import ChoiceLoader, DictLoader

from tests.conftest import login
from tests.plan_helpers import World


def _header(client, url: str = "/cohorts/") -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.get_data(as_text=True).split('<main id="main"', 1)[0]


def _menu(header: str) -> list[str]:
    return re.findall(r'<li><a href="([^"]+)"', header)


def test_two_people_signed_in_at_once_each_see_their_own_name_and_menu(app, make_client, monkeypatch):
    """Two people read the same page in turn. The header is rendered with each page, in that page's context, so
    each sees their own name, menu and session token; also after an edit that has the menu show something of the
    person it did not show before (here the account's e-mail address beside "Account")."""
    world = World()
    source = app.jinja_env.loader.get_source(app.jinja_env, "_nav.html")[0]
    edited = source.replace('{{ _("Account") }}', '{{ _("Account") }} ({{ current_user.email }})')
    assert edited != source
    monkeypatch.setattr(app.jinja_env, "loader", ChoiceLoader([DictLoader({"_nav.html": edited}),
                                                               app.jinja_env.loader]))
    student, leader = make_client(), make_client()
    login(student, world.owner.email)
    login(leader, world.leader.email)
    for _ in range(2):  # each in turn, twice: neither sees what the other saw last
        for client, me, other in ((student, world.owner, world.leader), (leader, world.leader, world.owner)):
            header = _header(client)
            assert f'<span class="who">{me.name}</span>' in header and f"Account ({me.email})" in header
            assert other.name not in header and other.email not in header
    assert _menu(_header(student)) == ["/", "/plans", "/cohorts/", "/notifications/", "/account"]
    assert _menu(_header(leader)) == ["/", "/reviews", "/cohorts/", "/library", "/notifications/", "/account"]
    # Each header's forms carry the token of the reader's own session: the other person's is refused.
    token = re.search(r'class="logout-form">\s*<input type="hidden" name="csrf_token" value="([^"]+)"',
                      _header(student)).group(1)
    assert leader.post("/logout", data={"csrf_token": token}).status_code == 400
    assert student.post("/logout", data={"csrf_token": token}).status_code == 302
