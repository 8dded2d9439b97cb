"""The case library for teachers, and the case and rubric as a cohort reads them for an assignment."""
from __future__ import annotations

import html
import re
import shutil
from datetime import timedelta
from pathlib import Path

import pytest

from app.cases.models import Case
from app.cases.services import Segment, word_diff
from app.cohorts.models import Role
from app.content.services import import_content
from app.db import db, utcnow
from tests.conftest import login
from tests.factories import (
    AssignmentFactory,
    CohortFactory,
    MembershipFactory,
    UserFactory,
    import_shipped_content,
    member,
    rubric_version,
)

ROOT = Path(__file__).resolve().parent.parent
ANNA = ROOT / "cases" / "anna"
DOCUMENTS = ["story", "referral", "discharge", "interview", "services"]
TITLES = {
    "en": ["Anna's story", "Referral letter", "Discharge summary", "Anna in her own words", "Services around Anna"],
    "nb": ["Annas historie", "Henvisning", "Epikrise", "Anna med egne ord", "Tjenestene rundt Anna"],
}
TEACHING_TITLES = ["Teaching notes", "Veiledningsnotater"]


def text_of(response) -> str:
    """The page as a reader sees its text: entities decoded, tags kept (they never split a sentence here)."""
    return html.unescape(response.get_data(as_text=True))


def distinctive_sentence(path: Path) -> str:
    """A run of plain words from the longest plain paragraph or table cell of a document file."""
    pieces = []
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line.startswith("|"):
            pieces += [cell.strip() for cell in line.strip("|").split("|")]
        elif not re.match(r"([-+>#]|\d+\.)", line):
            pieces.append(line)
    plain = [piece for piece in pieces if not re.search(r"[*_`\[\]<>#]", piece)]
    return " ".join(max(plain, key=len).split()[:12])


def sentences(key: str) -> dict[str, str]:
    return {lang: distinctive_sentence(ANNA / f"{key}.{lang}.md") for lang in ("en", "nb")}


TEACHING_SENTENCES = list(sentences("teaching_notes").values())


def marked(kind: str, page: str) -> str:
    """The words a diff page marks as added or removed, each run introduced by its hidden text label."""
    tag = {"added": "ins", "removed": "del"}[kind]
    runs = re.findall(rf'<{tag}><span class="visually-hidden">{kind}: </span>(.*?)</{tag}>', page, flags=re.S)
    return " ".join(runs)


def assert_no_teaching_notes(page: str) -> None:
    for sentence in TEACHING_SENTENCES:
        assert sentence not in page
    for title in TEACHING_TITLES:
        assert title not in page
    assert "doc-teaching_notes" not in page


@pytest.fixture
def cohort_with_assignment(app):
    import_shipped_content()
    cohort = CohortFactory(name="MED3100 autumn")
    assignment = AssignmentFactory(cohort=cohort, title="Care plan for Anna")
    return cohort, assignment


# --- who may browse the library ------------------------------------------------------------------------

@pytest.mark.parametrize("role", [Role.leader, Role.instructor])
def test_leaders_and_instructors_browse_the_library(client, role):
    import_shipped_content()
    user = member(CohortFactory(), role)
    login(client, user.email)
    page = client.get("/library")
    assert page.status_code == 200
    body = text_of(page)
    for expected in ("Anna, 44", "Odd, 79", "Individual care plan", "English", "Norsk bokmål", "7 criteria"):
        assert expected in body
    assert 'href="/library"' in body and ">Case library<" in body  # the link in the main navigation


def test_administrators_browse_the_library_without_a_role(client):
    import_shipped_content()
    login(client, UserFactory(is_admin=True).email)
    assert client.get("/library").status_code == 200
    assert client.get("/library/cases/anna").status_code == 200


def test_students_are_refused_the_library_and_do_not_see_its_link(client):
    import_shipped_content()
    student = member(CohortFactory(), Role.student)
    login(client, student.email)
    for url in ("/library", "/library/cases/anna", "/library/cases/anna/versions/1", "/library/cases/anna/diff",
                "/library/rubrics/ip-default", "/library/rubrics/ip-default/versions/1", "/library/rubrics/ip-default/diff",
                "/library/cases/no-such-case"):
        assert client.get(url).status_code == 403, url
    assert "Case library" not in client.get("/").get_data(as_text=True)


def test_someone_who_teaches_in_one_cohort_and_studies_in_another_sees_the_library(client):
    import_shipped_content()
    user = member(CohortFactory(), Role.student)
    MembershipFactory(cohort=CohortFactory(), user=user, role=Role.instructor)
    login(client, user.email)
    assert client.get("/library").status_code == 200


def test_anonymous_visitors_are_sent_to_sign_in(client, cohort_with_assignment):
    _, assignment = cohort_with_assignment
    for url in ("/library", "/library/cases/anna", "/library/cases/anna/versions/1", "/library/rubrics/ip-default",
                f"/assignments/{assignment.id}/case", f"/assignments/{assignment.id}/rubric"):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"], url


def test_empty_library_explains_how_to_import(client):
    login(client, member(CohortFactory(), Role.leader).email)
    body = text_of(client.get("/library"))
    assert "Nothing has been imported yet." in body
    assert "flask --app app content import" in body and "docs/content.md" in body


def test_unknown_case_rubric_or_version_is_404(client):
    import_shipped_content()
    login(client, member(CohortFactory(), Role.leader).email)
    for url in ("/library/cases/nobody", "/library/cases/anna/versions/9", "/library/cases/anna/versions/0",
                "/library/cases/nobody/versions/1", "/library/cases/nobody/diff", "/library/rubrics/nothing",
                "/library/rubrics/ip-default/versions/2", "/library/rubrics/nothing/diff"):
        assert client.get(url).status_code == 404, url


# --- the library pages ---------------------------------------------------------------------------------

def test_case_overview_lists_versions_with_dates_summary_and_person(client):
    import_shipped_content()
    login(client, member(CohortFactory(), Role.leader).email)
    body = text_of(client.get("/library/cases/anna"))
    assert "Anna, 44" in body and "Anna has lived with alcohol and benzodiazepine use" in body
    assert "44 years old" in body and "Version 1" in body and "First version" in body
    assert str(utcnow().year) in body  # the import date
    assert "/library/cases/anna/versions/1?lang=nb" in body


@pytest.mark.parametrize("lang", ["en", "nb"])
def test_preview_shows_every_document_as_students_read_it_and_teaching_notes_apart(client, lang):
    import_shipped_content()
    cohort = CohortFactory()
    AssignmentFactory(cohort=cohort)  # an instructor who teaches the case reads its teaching notes in the library
    login(client, member(cohort, Role.instructor).email)
    response = client.get(f"/library/cases/anna/versions/1?lang={lang}")
    assert response.status_code == 200
    body = text_of(response)
    for key, title in zip(DOCUMENTS, TITLES[lang]):
        assert title in body
        assert sentences(key)[lang] in body, key
    assert sentences("teaching_notes")[lang] in body
    # the teaching notes come last, in their own marked section
    assert body.index("For instructors and course leaders only.") > body.index(sentences("services")[lang])
    assert body.index(sentences("teaching_notes")[lang]) > body.index("For instructors and course leaders only.")
    assert body.count("<h1") == 1


def test_preview_and_reading_view_share_one_layout(client, make_client, cohort_with_assignment):
    cohort, assignment = cohort_with_assignment
    login(client, member(cohort, Role.leader).email)
    student = make_client()
    login(student, member(cohort, Role.student).email)
    preview = text_of(client.get("/library/cases/anna/versions/1?lang=en"))
    reading = text_of(student.get(f"/assignments/{assignment.id}/case?lang=en"))

    def article(page):
        return page[page.index('<article class="reading-body">'):page.index("</article>")]

    assert article(preview) == article(reading)


def test_unknown_language_falls_back_to_the_interface_language(client):
    import_shipped_content()
    login(client, member(CohortFactory(), Role.leader).email)
    body = text_of(client.get("/library/cases/anna/versions/1?lang=xx"))
    assert TITLES["en"][0] in body and TITLES["nb"][0] not in body


def test_documents_have_one_h1_and_no_repeated_title(client):
    import_shipped_content()
    login(client, member(CohortFactory(), Role.leader).email)
    body = text_of(client.get("/library/cases/anna/versions/1?lang=en"))
    assert body.count("<h1") == 1
    assert body.count(">Anna's story</h2>") == 1  # the file's own "## Anna's story" is not shown twice
    assert "<h3>Diagnoses</h3>" in body  # headings inside a document sit below its title


def test_rubric_page_shows_every_criterion_at_every_level(client):
    import_shipped_content()
    login(client, member(CohortFactory(), Role.instructor).email)
    overview = text_of(client.get("/library/rubrics/ip-default"))
    assert "Individual care plan" in overview and "Version 1" in overview
    body = text_of(client.get("/library/rubrics/ip-default/versions/1?lang=en"))
    version = rubric_version()
    assert len(version.criteria) == 7 and len(version.levels) == 4
    for criterion in version.criteria:
        assert criterion["title"]["en"] in body
        for level in version.levels:
            assert level["title"]["en"] in body
            assert criterion["descriptors"][level["key"]]["en"] in body
    assert body.count("<td lang=") == 28
    nb = text_of(client.get("/library/rubrics/ip-default/versions/1?lang=nb"))
    assert "Respektfullt og klart språk" in nb and "Eksemplarisk" in nb


# --- differences between versions ----------------------------------------------------------------------

def test_word_diff_marks_words_and_shortens_long_unchanged_passages():
    assert word_diff("Anna cooks fish soup today.", "Anna cooks fish stew today.") == [
        Segment("same", "Anna cooks fish "), Segment("removed", "soup "), Segment("added", "stew"), Segment("same", " "),
        Segment("same", "today."),
    ]
    long = " ".join(f"w{i}" for i in range(100))
    segments = word_diff(long + " end.", long + " ending.", context=5)
    assert [s.kind for s in segments] == ["skipped", "same", "removed", "added"]
    assert segments[0].words == 95 and segments[1].text == "w95 w96 w97 w98 w99 "
    assert word_diff("same words", "same words") == [Segment("same", "same words")]


def second_version_of_anna(tmp_path: Path, story_change=("fish soup", "fish stew"), drop_teaching_notes=False):
    folder = tmp_path / "cases" / "anna"
    shutil.copytree(ANNA, folder)
    story = folder / "story.en.md"
    story.write_text(story.read_text(encoding="utf-8").replace(*story_change), encoding="utf-8")
    nb = folder / "story.nb.md"
    nb.write_text(nb.read_text(encoding="utf-8").replace("fiskesuppe", "fiskegryte"), encoding="utf-8")
    import_content([folder], tmp_path)
    db.session.commit()


def test_diff_shows_the_changed_words_with_labels(client, tmp_path):
    import_shipped_content()
    second_version_of_anna(tmp_path)
    login(client, member(CohortFactory(), Role.leader).email)
    response = client.get("/library/cases/anna/diff?from=1&to=2&lang=en")
    assert response.status_code == 200
    body = text_of(response)
    assert marked("removed", body).strip() == "soup," and marked("added", body).strip() == "stew,"
    assert "Anna's story" in body and "Changed" in body and "5 documents are unchanged." in body
    assert "unchanged words" in body  # long unchanged passages are shortened
    nb = text_of(client.get("/library/cases/anna/diff?from=1&to=2&lang=nb"))
    assert "fiskegryte" in nb and "Annas historie" in nb


def test_diff_defaults_to_the_latest_change_and_shows_no_differences(client, tmp_path):
    import_shipped_content()
    second_version_of_anna(tmp_path)
    login(client, member(CohortFactory(), Role.leader).email)
    assert "stew" in text_of(client.get("/library/cases/anna/diff"))
    same = text_of(client.get("/library/cases/anna/diff?from=2&to=2"))
    assert "there are no differences" in same and "<ins>" not in same


def test_diff_in_a_language_that_did_not_change(client, tmp_path):
    import_shipped_content()
    folder = tmp_path / "cases" / "anna"
    shutil.copytree(ANNA, folder)
    (folder / "story.nb.md").write_text((folder / "story.nb.md").read_text(encoding="utf-8") + "\nEn ny setning.\n",
                                        encoding="utf-8")
    import_content([folder], tmp_path)
    db.session.commit()
    login(client, member(CohortFactory(), Role.leader).email)
    body = text_of(client.get("/library/cases/anna/diff?from=1&to=2&lang=en"))
    assert "No differences in this language." in body and "differ in another language" in body
    assert "En ny setning." in text_of(client.get("/library/cases/anna/diff?from=1&to=2&lang=nb"))


def test_diff_marks_added_and_removed_documents_and_audience_changes(client, tmp_path):
    import_shipped_content()
    folder = tmp_path / "cases" / "anna"
    shutil.copytree(ANNA, folder)
    yaml = (folder / "case.yaml").read_text(encoding="utf-8")
    yaml = yaml.replace("""  - key: services
    title: {en: "Services around Anna", nb: "Tjenestene rundt Anna"}
""", "").replace("    audience: teachers\n", "")
    yaml += """  - key: letter
    title: {en: "A letter from Hilde", nb: "Et brev fra Hilde"}
"""
    (folder / "case.yaml").write_text(yaml, encoding="utf-8")
    for lang in ("en", "nb"):
        (folder / f"services.{lang}.md").unlink()
        (folder / f"letter.{lang}.md").write_text("## Letter\n\nDear Anna, Luna misses you.\n", encoding="utf-8")
    import_content([folder], tmp_path)
    db.session.commit()
    login(client, member(CohortFactory(), Role.leader).email)
    body = text_of(client.get("/library/cases/anna/diff?from=1&to=2"))
    assert "A letter from Hilde" in body and "Added" in body and "Luna misses you." in body
    assert "Services around Anna" in body and "Removed" in body
    assert "Students now see this document" in body


@pytest.mark.parametrize("query, message", [
    ("from=one&to=2", "is not a version number"),
    ("from=1&to=7", "has no version 7"),
    ("from=-1&to=1", "is not a version number"),
    ("from=0&to=1", "has no version 0"),
    ("from=²&to=1", "is not a version number"),
    ("from=1&to=99999999999999999999", "has no version 99999999999999999999"),
])
def test_bad_diff_parameters_are_400_with_a_clear_message(client, query, message):
    import_shipped_content()
    login(client, member(CohortFactory(), Role.leader).email)
    for url in (f"/library/cases/anna/diff?{query}", f"/library/rubrics/ip-default/diff?{query}"):
        response = client.get(url)
        assert response.status_code == 400, url
        assert message in text_of(response)


def test_rubric_diff_shows_changed_descriptors(client, tmp_path):
    import_shipped_content()
    rubric = (ROOT / "rubrics" / "ip-default.yaml").read_text(encoding="utf-8")
    changed = tmp_path / "rubrics" / "ip-default.yaml"
    changed.parent.mkdir()
    changed.write_text(rubric.replace("try putting it in their own words", "try saying it as they would"),
                       encoding="utf-8")
    import_content([changed], tmp_path)
    db.session.commit()
    login(client, member(CohortFactory(), Role.leader).email)
    body = text_of(client.get("/library/rubrics/ip-default/diff?from=1&to=2&lang=en"))
    assert "Respectful, plain language" in body and re.search(r"Level: <span lang=\"en\">Solid</span>", body)
    assert "putting" in marked("removed", body) and "own words" in marked("removed", body)
    assert "saying" in marked("added", body) and "would" in marked("added", body)
    assert "6 criteria are unchanged." in body
    assert "No differences in this language." in text_of(client.get("/library/rubrics/ip-default/diff?from=1&to=2&lang=nb"))


# --- the case of an assignment -------------------------------------------------------------------------

@pytest.mark.parametrize("lang", ["en", "nb"])
def test_student_reads_every_document_of_the_assignment_case(client, cohort_with_assignment, lang):
    cohort, assignment = cohort_with_assignment
    login(client, member(cohort, Role.student).email)
    response = client.get(f"/assignments/{assignment.id}/case?lang={lang}")
    assert response.status_code == 200
    body = text_of(response)
    for key, title in zip(DOCUMENTS, TITLES[lang]):
        assert title in body
        assert f'href="#doc-{key}"' in body and f'id="doc-{key}"' in body  # the table of contents
        assert sentences(key)[lang] in body, key
    assert_no_teaching_notes(body)
    assert body.count("<h1") == 1 and "Care plan for Anna" in body
    assert f'href="/assignments/{assignment.id}/rubric?lang={lang}"' in body


def test_reading_language_follows_the_interface_language_by_default(client, cohort_with_assignment):
    cohort, assignment = cohort_with_assignment
    login(client, member(cohort, Role.student, locale="nb").email)
    body = text_of(client.get(f"/assignments/{assignment.id}/case"))
    assert TITLES["nb"][0] in body and TITLES["en"][0] not in body
    assert 'lang="nb"' in body and 'aria-current="true"' in body


@pytest.mark.parametrize("role", [Role.instructor, Role.leader])
def test_teachers_read_the_teaching_notes_in_their_own_section(client, cohort_with_assignment, role):
    cohort, assignment = cohort_with_assignment
    login(client, member(cohort, role).email)
    body = text_of(client.get(f"/assignments/{assignment.id}/case?lang=nb"))
    assert "Veiledningsnotater" in body and sentences("teaching_notes")["nb"] in body
    assert body.index("For instructors and course leaders only.") < body.index(sentences("teaching_notes")["nb"])


def test_administrators_read_the_case_and_teaching_notes(client, cohort_with_assignment):
    _, assignment = cohort_with_assignment
    login(client, UserFactory(is_admin=True).email)
    body = text_of(client.get(f"/assignments/{assignment.id}/case?lang=en"))
    assert sentences("teaching_notes")["en"] in body


def test_students_cannot_reach_the_teaching_notes_by_any_url(client, cohort_with_assignment, tmp_path):
    cohort, assignment = cohort_with_assignment
    second_version_of_anna(tmp_path)
    later = AssignmentFactory(cohort=cohort, case_version=db.session.scalar(
        db.select(Case).where(Case.slug == "anna")).latest, opens_at=utcnow() + timedelta(days=3))
    student = member(cohort, Role.student)
    login(client, student.email)
    urls = []
    for a in (assignment, later):
        for suffix in ("", "?lang=en", "?lang=nb", "?doc=teaching_notes", "?lang=nb&doc=teaching_notes",
                       "?audience=teachers", "?teachers=1", "#doc-teaching_notes"):
            urls += [f"/assignments/{a.id}/case{suffix}", f"/assignments/{a.id}/rubric{suffix}"]
    for slug in ("anna", "odd"):
        urls += [f"/library/cases/{slug}", f"/library/cases/{slug}/versions/1", f"/library/cases/{slug}/versions/1?lang=nb",
                 f"/library/cases/{slug}/versions/1?doc=teaching_notes", f"/library/cases/{slug}/diff",
                 f"/library/cases/{slug}/diff?from=1&to=2&lang=nb", f"/library/cases/{slug}/diff?from=2&to=1"]
    urls += ["/library", "/library/rubrics/ip-default", "/library/rubrics/ip-default/versions/1",
             "/library/rubrics/ip-default/diff", "/", "/cohorts/", f"/cohorts/{cohort.id}",
             f"/assignments/{assignment.id}/case/teaching_notes", f"/assignments/{assignment.id}/teaching_notes"]
    seen_a_case = False
    for url in urls:
        response = client.get(url)
        assert response.status_code in (200, 403, 404), url
        body = text_of(response)
        assert_no_teaching_notes(body)
        seen_a_case = seen_a_case or sentences("story")["en"] in body
    assert seen_a_case  # the student did read the case itself


def test_non_members_get_404(client, cohort_with_assignment):
    _, assignment = cohort_with_assignment
    outsider = member(CohortFactory(), Role.leader)
    login(client, outsider.email)
    assert client.get(f"/assignments/{assignment.id}/case").status_code == 404
    assert client.get(f"/assignments/{assignment.id}/rubric").status_code == 404
    assert client.get("/assignments/999999/case").status_code == 404


def test_students_are_refused_before_the_assignment_opens_with_the_date(client, make_client):
    import_shipped_content()
    cohort = CohortFactory()
    opens = utcnow() + timedelta(days=5)
    assignment = AssignmentFactory(cohort=cohort, opens_at=opens, due_at=opens + timedelta(days=14),
                                   review_due_at=opens + timedelta(days=28))
    login(client, member(cohort, Role.student).email)
    for url in (f"/assignments/{assignment.id}/case", f"/assignments/{assignment.id}/rubric"):
        response = client.get(url)
        assert response.status_code == 403
        body = text_of(response)
        assert "This assignment opens on" in body and str(opens.year) in body
        assert sentences("story")["en"] not in body
    instructor = make_client()
    login(instructor, member(cohort, Role.instructor).email)
    assert instructor.get(f"/assignments/{assignment.id}/case").status_code == 200  # teachers prepare beforehand


def test_members_read_the_assignment_rubric(client, cohort_with_assignment):
    cohort, assignment = cohort_with_assignment
    login(client, member(cohort, Role.student).email)
    response = client.get(f"/assignments/{assignment.id}/rubric?lang=nb")
    assert response.status_code == 200
    body = text_of(response)
    assert "Individuell plan" in body and "Ikke der ennå" in body and body.count("<td lang=") == 28
    assert_no_teaching_notes(body)


def test_the_reading_view_keeps_the_version_of_the_assignment(client, cohort_with_assignment, tmp_path):
    cohort, assignment = cohort_with_assignment
    second_version_of_anna(tmp_path)
    login(client, member(cohort, Role.student).email)
    body = text_of(client.get(f"/assignments/{assignment.id}/case?lang=en"))
    assert "fish soup" in body and "fish stew" not in body


def test_case_markdown_goes_through_the_sanitiser(client, tmp_path):
    folder = tmp_path / "cases" / "anna"
    shutil.copytree(ANNA, folder)
    story = folder / "story.en.md"
    story.write_text(story.read_text(encoding="utf-8") + '\n<script>alert("x")</script>\n\n# A heading one\n',
                     encoding="utf-8")
    import_content([folder], tmp_path)
    db.session.commit()
    login(client, member(CohortFactory(), Role.leader).email)
    page = client.get("/library/cases/anna/versions/1?lang=en").get_data(as_text=True)
    assert "<script>alert" not in page
    assert page.count("<h1") == 1 and "<h2>A heading one</h2>" not in page and "A heading one</h3>" in page


# --- teaching notes follow the person's role where the page belongs ----------------------------------------

TEACHER_LIBRARY_PAGES = ["/library/cases/anna", "/library/cases/anna/versions/1", "/library/cases/anna/versions/1?lang=nb",
                         "/library/cases/anna/versions/2", "/library/cases/anna/diff?from=1&to=2",
                         "/library/cases/anna/diff?from=2&to=1&lang=nb"]


def _notes_in(page: str) -> bool:
    return any(sentence in page for sentence in TEACHING_SENTENCES) or any(t in page for t in TEACHING_TITLES)


def _anna_with_teaching_notes_changed(tmp_path: Path) -> None:
    """A second version of Anna whose teaching notes changed too, so the differences page would show them."""
    folder = tmp_path / "cases" / "anna"
    shutil.copytree(ANNA, folder)
    for lang in ("en", "nb"):
        notes = folder / f"teaching_notes.{lang}.md"
        notes.write_text(notes.read_text(encoding="utf-8") + "\nOne more note for teachers.\n", encoding="utf-8")
    import_content([folder], tmp_path)
    db.session.commit()


def test_a_student_of_the_case_who_teaches_it_elsewhere_reads_no_notes_where_they_study(client, tmp_path):
    import_shipped_content()
    _anna_with_teaching_notes_changed(tmp_path)
    studies, teaches = CohortFactory(name="Where I study"), CohortFactory(name="Where I teach")
    as_student = AssignmentFactory(cohort=studies)
    as_teacher = AssignmentFactory(cohort=teaches)
    person = member(studies, Role.student)
    MembershipFactory(cohort=teaches, user=person, role=Role.instructor)
    login(client, person.email)
    body = text_of(client.get(f"/assignments/{as_student.id}/case?lang=en"))
    assert sentences("story")["en"] in body
    assert_no_teaching_notes(body)
    for url in TEACHER_LIBRARY_PAGES:  # the library belongs to no cohort: a student of the case reads no notes there
        response = client.get(url)
        assert response.status_code == 200, url
        assert not _notes_in(text_of(response)), url
    # where they teach, they prepare with the notes
    assert sentences("teaching_notes")["en"] in text_of(client.get(f"/assignments/{as_teacher.id}/case?lang=en"))


def test_an_administrator_or_leader_who_studies_the_case_reads_no_notes_as_a_student(client, make_client):
    import_shipped_content()
    studies = CohortFactory()
    assignment = AssignmentFactory(cohort=studies)
    admin = member(studies, Role.student, is_admin=True)
    leader = member(studies, Role.student)
    MembershipFactory(cohort=CohortFactory(), user=leader, role=Role.leader)
    for person in (admin, leader):
        browser = make_client()
        login(browser, person.email)
        assert_no_teaching_notes(text_of(browser.get(f"/assignments/{assignment.id}/case?lang=en")))
        for url in TEACHER_LIBRARY_PAGES[:3]:
            assert not _notes_in(text_of(browser.get(url))), (person.email, url)


def test_library_notes_go_to_those_who_teach_the_case_and_to_leaders_and_administrators(client, make_client):
    """Course leaders (of any cohort) and administrators choose and prepare cases, so they read every case's notes
    in the library; an instructor reads them for the cases their cohorts use, not for other cases."""
    import_shipped_content()
    teaching_anna = CohortFactory()
    AssignmentFactory(cohort=teaching_anna)
    readers = {"instructor of an assignment on Anna": member(teaching_anna, Role.instructor),
               "leader of a cohort without Anna": member(CohortFactory(), Role.leader),
               "administrator": UserFactory(is_admin=True)}
    for who, person in readers.items():
        browser = make_client()
        login(browser, person.email)
        body = text_of(browser.get("/library/cases/anna/versions/1?lang=en"))
        assert sentences("teaching_notes")["en"] in body, who
        assert "Teaching notes" in text_of(browser.get("/library/cases/anna")), who
    elsewhere = member(CohortFactory(), Role.instructor)  # teaches, but no assignment on Anna
    login(client, elsewhere.email)
    response = client.get("/library/cases/anna/versions/1?lang=en")
    assert response.status_code == 200 and sentences("story")["en"] in text_of(response)
    assert not _notes_in(text_of(response))
    assert not _notes_in(text_of(client.get("/library/cases/anna")))
