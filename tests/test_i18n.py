"""Every interface string has a Norwegian translation, and the language choice is remembered."""
from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from app.auth.models import user_by_email
from tests.conftest import login, post
from tests.factories import UserFactory

APP_DIR = Path(__file__).resolve().parent.parent / "app"
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None, "_l": None}


def source_messages() -> set[str]:
    with open(APP_DIR / "babel.cfg") as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    found = set()
    for _filename, _lineno, message, _comments, _context in extract_from_dir(
        str(APP_DIR), method_map, options_map, keywords=KEYWORDS
    ):
        found.add(message if isinstance(message, str) else message[0])
    return found


def test_every_interface_string_has_a_norwegian_translation():
    with open(APP_DIR / "translations/nb/LC_MESSAGES/messages.po", "rb") as po:
        catalog = read_po(po, locale="nb")
    translated = {}
    for message in catalog:
        if not message.id:
            continue
        key = message.id if isinstance(message.id, str) else message.id[0]
        value = message.string if isinstance(message.string, str) else (message.string or ("",))[0]
        translated[key] = "" if message.fuzzy else value
    messages = source_messages()
    assert len(messages) > 100
    missing = sorted(m for m in messages if not translated.get(m, "").strip())
    assert not missing, f"{len(missing)} strings have no Norwegian translation: {missing[:10]}"


def test_placeholders_survive_translation():
    import re

    with open(APP_DIR / "translations/nb/LC_MESSAGES/messages.po", "rb") as po:
        catalog = read_po(po, locale="nb")
    for message in catalog:
        if message.id and isinstance(message.id, str) and message.string:
            assert set(re.findall(r"%\(\w+\)[sd]", message.id)) == set(re.findall(r"%\(\w+\)[sd]", message.string)), message.id


def test_visitor_switches_to_norwegian(client):
    post(client, "/locale", {"locale": "nb", "next": "/login"})
    html = client.get("/login").get_data(as_text=True)
    assert '<html lang="nb">' in html and "Logg inn" in html and "Glemt passordet?" in html


def test_browser_language_is_respected_until_chosen(client):
    html = client.get("/", headers={"Accept-Language": "nb-NO,nb;q=0.9"}).get_data(as_text=True)
    assert "Slik fungerer det" in html


def test_signed_in_choice_is_kept_on_the_account(client, make_client):
    user = UserFactory(email="kari@example.org")
    login(client, user.email)
    post(client, "/locale", {"locale": "nb"})
    assert user_by_email("kari@example.org").locale == "nb"
    other = make_client()
    login(other, user.email)
    assert "Velkommen" in other.get("/").get_data(as_text=True)


def test_unknown_language_is_refused_politely(client):
    response = post(client, "/locale", {"locale": "xx"}, follow_redirects=True)
    assert response.status_code == 200 and "Unknown language." in response.get_data(as_text=True)


def test_form_library_messages_follow_the_page_language(make_client, app):
    """Messages the form library writes itself (a choice that is not on offer) come in the language of the page,
    for each language in turn in the same process."""
    from app.cohorts.models import Role
    from tests.factories import AssignmentFactory, member

    assignment = AssignmentFactory()
    leader = member(assignment.cohort, Role.leader)
    url = f"/cohorts/{assignment.cohort.id}/assignments/new"
    fields = {"title": "A title", "instructions": "", "case_version_id": "999999",
              "rubric_version_id": str(assignment.rubric_version_id), "opens_at": "2027-01-01T12:00",
              "due_at": "2027-01-10T12:00", "review_due_at": "2027-01-20T12:00"}
    for locale, message in (("nb", "Ikke et gyldig valg"), ("en", "Not a valid choice"), ("nb", "Ikke et gyldig valg")):
        client = make_client()
        login(client, leader.email)
        post(client, "/locale", {"locale": locale, "next": "/"})
        page = post(client, url, fields).get_data(as_text=True)
        assert message in page, (locale, page[page.find("error-summary"):][:900])


def test_messages_after_a_change_speak_the_accounts_language(client):
    """The confirmation after a change is written once the change is stored; it still speaks the account's
    language, and names the right person."""
    from app.db import db
    from app.plans.states import PlanState
    from tests.plan_helpers import World

    world = World()
    world.to_state(PlanState.submitted)
    world.reviewer.locale = "nb"
    db.session.commit()
    login(client, world.reviewer.email)
    response = post(client, f"/plans/{world.plan.id}/claim", follow_redirects=True)
    assert response.status_code == 200
    assert "Du skal nå vurdere planen fra Olga Owner." in response.get_data(as_text=True)


def test_the_time_a_save_shows_is_the_readers_wall_clock_in_both_languages_and_seasons(app):
    """"Saved 14:05" reads in Oslo time, summer and winter, and in Norwegian as in English (as Babel's "HH:mm")."""
    from datetime import UTC, datetime

    from flask_babel import force_locale, format_datetime

    from app.i18n import time_of_day

    winter, summer = datetime(2026, 12, 7, 13, 5, tzinfo=UTC), datetime(2026, 7, 1, 6, 59, 30, tzinfo=UTC)
    with app.test_request_context("/"):
        for language in ("en", "nb"):
            with force_locale(language):
                for stored in (winter, winter.replace(tzinfo=None)):  # as UTC, with or without its zone
                    assert time_of_day(stored) == "14:05" == format_datetime(stored, "HH:mm")
                assert time_of_day(summer) == "08:59" == format_datetime(summer, "HH:mm")
                assert time_of_day(None) == ""
