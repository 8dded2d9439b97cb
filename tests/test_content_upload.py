"""A course leader uploads a case's zip or a rubric's file: every bad file shows what is wrong and imports nothing; a
good one is previewed in each language and imported, on confirmation only, as a new version."""
from __future__ import annotations

import io
import stat
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest

from app.audit.models import AuditEntry
from app.cases.models import Case, CaseVersion
from app.cohorts.models import Role
from app.content import archive, views
from app.content.models import StagedUpload
from app.content.services import write_content
from app.content.uploads import check_upload
from app.db import db, utcnow
from app.plans import services as plan_services
from app.rubrics.models import Rubric, RubricVersion
from tests.conftest import csrf_token, login
from tests.factories import AssignmentFactory, CohortFactory, UserFactory, import_shipped_content, member

ROOT = Path(__file__).resolve().parent.parent
ANNA = ROOT / "cases" / "anna"
RUBRIC = ROOT / "rubrics" / "ip-default.yaml"


def case_files(folder: Path = ANNA) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir()) if path.is_file()}


def make_zip(files: dict[str, bytes], prefix: str = "anna/") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive_file:
        for name, body in files.items():
            archive_file.writestr(prefix + name, body)
    return buffer.getvalue()


def changed(files: dict[str, bytes], name: str, old: str, new: str) -> dict[str, bytes]:
    text = files[name].decode("utf-8")
    assert text.count(old) >= 1, f"{old!r} is not in {name}"
    return {**files, name: text.replace(old, new, 1).encode("utf-8")}


def count(model) -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(model))


def snapshot() -> tuple[int, ...]:
    return tuple(count(model) for model in (Case, CaseVersion, Rubric, RubricVersion, AuditEntry, StagedUpload))


@pytest.fixture
def leader(app):
    cohort = CohortFactory()
    return member(cohort, Role.leader, name="Lena Leader")


@pytest.fixture
def leader_client(make_client, leader):
    client = make_client()
    login(client, leader.email)
    return client


def upload(client, data: bytes, filename: str = "anna.zip", **kwargs):
    return client.post("/library/import", data={"csrf_token": csrf_token(client), "file": (io.BytesIO(data), filename)},
                       content_type="multipart/form-data", **kwargs)


def staged_token() -> str:
    return db.session.scalar(db.select(StagedUpload.token).order_by(StagedUpload.id.desc()))


def confirm(client, token: str, based_on: int):
    return client.post(f"/library/import/{token}/confirm", data={"csrf_token": csrf_token(client), "based_on": based_on})


# --- bad files: the error is shown, nothing is imported, nothing is kept ------------------------------------------

def _zip_with_entry(info: zipfile.ZipInfo, body: bytes, extra: dict[str, bytes] | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive_file:
        for name, content in (extra or {}).items():
            archive_file.writestr("anna/" + name, content)
        archive_file.writestr(info, body)
    return buffer.getvalue()


def _symlink() -> bytes:
    info = zipfile.ZipInfo("anna/story.en.md")
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    files = case_files()
    files.pop("story.en.md")
    return _zip_with_entry(info, b"/etc/passwd", files)


def _bomb() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive_file:
        for name, body in case_files().items():
            if name != "story.nb.md":
                archive_file.writestr("anna/" + name, body)
        archive_file.writestr("anna/story.nb.md", b"a" * (archive.MAX_UNPACKED_BYTES + 1))
    return buffer.getvalue()


def _lying_sizes() -> bytes:
    """A zip whose header claims a small file that unpacks to far more (the declared size is not trusted)."""
    big = make_zip({**case_files(), "story.en.md": b"# Story\n" + b"a" * (archive.MAX_FILE_BYTES + 10)})
    small_size = (archive.MAX_FILE_BYTES + 18).to_bytes(4, "little")
    return big.replace(small_size, (100).to_bytes(4, "little"))


BAD_CASES = {
    "bad YAML, with its line": (
        lambda: make_zip(changed(case_files(), "case.yaml", "languages:", "languages: [en, nb\n  oops:")),
        ["anna/case.yaml", "YAML syntax"]),
    "a document missing in one language": (
        lambda: make_zip({k: v for k, v in case_files().items() if k != "story.nb.md"}),
        ["document &#39;story&#39; has no file for &#39;nb&#39;", "anna/story.nb.md"]),
    "a path outside the folder": (
        lambda: make_zip({**case_files(), "../../evil.md": b"# x"}),
        ["anna/../../evil.md", "points outside the case folder"]),
    "an absolute path": (
        lambda: make_zip({**case_files(), "/etc/evil.md": b"# x"}, prefix=""),
        ["/etc/evil.md", "absolute path"]),
    "a link": (_symlink, ["anna/story.en.md", "is a link"]),
    "a zip bomb": (_bomb, ["unpacks to more than 10 MB"]),
    "sizes that lie": (_lying_sizes, ["anna/story.en.md", "cannot be unpacked"]),
    "too many files": (
        lambda: make_zip({**case_files(), **{f"extra{i}.en.md": b"x" for i in range(archive.MAX_ENTRIES)}}),
        ["a case has at most 100"]),
    "a zip inside the zip": (
        lambda: make_zip({**case_files(), "more.zip": make_zip(case_files())}),
        ["anna/more.zip", "A zip inside the zip"]),
    "a file of another kind": (
        lambda: make_zip({**case_files(), "photo.png": b"\x89PNG\r\n"}),
        ["anna/photo.png", "Only case.yaml and .md documents"]),
    "a folder inside the case": (
        lambda: make_zip({**case_files(), "notes/extra.en.md": b"# x"}),
        ["anna/notes/extra.en.md", "cannot have folders inside"]),
    "text that is not UTF-8": (
        lambda: make_zip({**case_files(), "story.nb.md": "# Historien\n\nHun bor på Røa.".encode("latin-1")}),
        ["anna/story.nb.md", "not UTF-8"]),
    "two case folders": (
        lambda: make_zip({**{"anna/" + k: v for k, v in case_files().items()},
                          **{"odd/" + k: v for k, v in case_files(ROOT / "cases" / "odd").items()}}, prefix=""),
        ["holds files in several folders"]),
}


@pytest.mark.parametrize("name", list(BAD_CASES))
def test_a_bad_case_zip_shows_the_problem_and_imports_nothing(leader_client, name):
    build, expected = BAD_CASES[name]
    before = snapshot()
    response = upload(leader_client, build())
    html = response.get_data(as_text=True)
    assert response.status_code == 400, html[:2000]
    assert "nothing was imported" in html
    for text in expected:
        assert text in html, f"{text!r} not shown for {name}"
    assert snapshot() == before


def test_bad_yaml_names_the_line_it_is_on(leader_client):
    files = changed(case_files(), "case.yaml", "title:", "title: [unclosed\n  - x: y: z\ntitle2:")
    html = upload(leader_client, make_zip(files)).get_data(as_text=True)
    line = files["case.yaml"].decode().split("\n").index("  - x: y: z") + 1
    assert f'<td class="num">{line}</td>' in html or f'<td class="num">{line + 1}</td>' in html


def test_not_a_zip_nor_yaml_wrong_type_and_too_big(leader_client, monkeypatch):
    before = snapshot()
    response = upload(leader_client, b"%PDF-1.4 not content", "anna.pdf")
    assert response.status_code == 400
    assert "neither a case nor a rubric" in response.get_data(as_text=True)

    broken = make_zip(case_files())[:200]  # starts like a zip, but is cut off
    response = upload(leader_client, broken, "anna.zip")
    assert response.status_code == 400
    assert "not a zip file that can be opened" in response.get_data(as_text=True)

    response = upload(leader_client, make_zip(case_files()), "ip-default.yaml")  # a zip is a case whatever its name
    assert response.status_code == 302

    # Smaller limits than the real 5 MB, so that the test sends no file the size of one.
    monkeypatch.setattr(archive, "MAX_UPLOAD_BYTES", 100_000)
    monkeypatch.setattr(views, "REQUEST_OVERHEAD", 1_000)
    for size in (100_001, 150_000):  # within the request's margin (read, then refused); past it (refused unread)
        response = upload(leader_client, b"x" * size, "huge.zip")
        html = response.get_data(as_text=True)
        assert response.status_code == 413
        assert "The file is larger than 0.1 MB" in html and "<form" in html  # the form again, with the reason
    assert snapshot()[:5] == before[:5]


def test_a_bad_rubric_names_file_and_line(leader_client):
    text = RUBRIC.read_text(encoding="utf-8").replace("criteria:", "criteria:\n  - key: Bad Key\n    title: x", 1)
    before = snapshot()
    response = upload(leader_client, text.encode("utf-8"), "ip-default.yaml")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "ip-default.yaml" in html and "criterion key &#39;Bad Key&#39;" in html
    assert snapshot() == before


def test_an_empty_form_asks_for_a_file(leader_client):
    response = leader_client.post("/library/import", data={"csrf_token": csrf_token(leader_client)})
    assert response.status_code == 400
    assert "Choose a case" in response.get_data(as_text=True)


def test_the_upload_needs_its_csrf_token(leader_client):
    response = leader_client.post("/library/import", data={"file": (io.BytesIO(make_zip(case_files())), "anna.zip")},
                                  content_type="multipart/form-data")
    assert response.status_code == 400
    assert count(StagedUpload) == 0


# --- a good case: preview, then import on confirmation ----------------------------------------------------------

def test_a_new_case_is_previewed_in_both_languages_and_imported_only_on_confirmation(leader_client, leader):
    response = upload(leader_client, make_zip(case_files()))
    assert response.status_code == 302
    token = staged_token()
    assert response.headers["Location"].endswith(f"/library/import/{token}")
    assert count(CaseVersion) == 0

    html = leader_client.get(f"/library/import/{token}").get_data(as_text=True)
    assert "A new case, “anna”." in html
    assert "Import as version 1" in html
    # Every document in both languages, rendered through the one sanitiser.
    assert 'lang="en"' in html and 'lang="nb"' in html
    assert html.count('class="upload-language"') == 2 * 6
    assert "For instructors and course leaders only" in html
    assert count(CaseVersion) == 0

    response = confirm(leader_client, token, 0)
    assert response.status_code == 302 and response.headers["Location"].endswith("/library/cases/anna")
    case = db.session.scalar(db.select(Case).where(Case.slug == "anna"))
    assert [v.number for v in case.versions] == [1]
    entry = db.session.scalar(db.select(AuditEntry).where(AuditEntry.kind == "content.case_imported"))
    assert entry.actor_id == leader.id and entry.data["version"] == 1
    assert count(StagedUpload) == 0
    page = leader_client.get("/library/cases/anna").get_data(as_text=True)
    assert "imported as version 1" in page


def test_a_case_zipped_without_its_folder_is_read_the_same(leader_client):
    response = upload(leader_client, make_zip(case_files(), prefix=""), "Anna (2).zip")
    assert response.status_code == 302
    assert "A new case, “anna”." in leader_client.get(response.headers["Location"]).get_data(as_text=True)


def test_an_error_in_a_case_zipped_without_its_folder_names_the_file_as_in_the_zip(leader_client):
    files = {k: v for k, v in case_files().items() if k != "story.nb.md"}
    html = upload(leader_client, make_zip(files, prefix="")).get_data(as_text=True)
    assert "<code>story.nb.md</code>" in html or "expected story.nb.md" in html


def test_operating_system_extras_in_a_zip_are_left_out(leader_client):
    files = {**case_files(), ".DS_Store": b"\x00\x01", }
    data = make_zip(files)
    buffer = io.BytesIO(data)
    with zipfile.ZipFile(buffer, "a") as archive_file:
        archive_file.writestr("__MACOSX/anna/._story.en.md", b"\x00\x05")
    assert upload(leader_client, buffer.getvalue()).status_code == 302


def test_a_changed_case_becomes_a_new_version_and_plans_keep_theirs(app, leader_client, leader):
    import_shipped_content()
    assignment = AssignmentFactory(cohort=CohortFactory(), title="Care plan for Anna")
    student = member(assignment.cohort, Role.student)
    plan = plan_services.start_plan(assignment, student)
    db.session.commit()
    old_version_id = plan.case_version_id

    files = changed(case_files(), "story.en.md", "fish soup", "fish stew")
    response = upload(leader_client, make_zip(files))
    token = staged_token()
    html = leader_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "importing adds version 2" in html
    assert "What changes from version 1" in html
    assert "Nothing changes in this language." in html  # the Norwegian text is the same
    assert "<ins><span class=\"visually-hidden\">added: </span>stew,</ins>" in html

    assert confirm(leader_client, token, 1).status_code == 302
    case = db.session.scalar(db.select(Case).where(Case.slug == "anna"))
    assert [v.number for v in case.versions] == [1, 2]
    assert "fish stew" in case.versions[1].documents[0].bodies["en"]

    db.session.expire_all()
    assert plan.case_version_id == old_version_id and plan.case_version.number == 1
    student_client = app.test_client()
    login(student_client, student.email)
    reading = student_client.get(f"/assignments/{assignment.id}/case").get_data(as_text=True)
    assert "fish soup" in reading and "fish stew" not in reading


def test_an_identical_upload_says_so_and_keeps_nothing(leader_client):
    import_shipped_content()
    before = snapshot()
    response = upload(leader_client, make_zip(case_files()))
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "This is identical to version 1 of “anna”" in html and "There is nothing to import" in html
    assert "Import as version" not in html
    assert snapshot() == before


def test_a_version_imported_meanwhile_shows_the_preview_again(leader_client):
    import_shipped_content()
    upload(leader_client, make_zip(changed(case_files(), "story.en.md", "fish soup", "fish stew")))
    token = staged_token()
    # Someone else imports another change before this upload is confirmed.
    other = check_upload(make_zip(changed(case_files(), "story.en.md", "fish soup", "pea soup")), "anna.zip")
    write_content([other.content], [], actor=None)
    db.session.commit()

    response = confirm(leader_client, token, 1)
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Version 2 was imported meanwhile" in html and "Import as version 3" in html
    anna = db.session.scalar(db.select(Case).where(Case.slug == "anna"))
    assert [v.number for v in anna.versions] == [1, 2]
    assert "pea soup" in anna.versions[1].documents[0].bodies["en"]


def test_a_rubric_file_is_previewed_in_each_language_and_imported(leader_client, leader):
    response = upload(leader_client, RUBRIC.read_bytes(), "ip-default.yaml")
    assert response.status_code == 302
    html = leader_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "A new rubric, “ip-default”." in html
    assert html.count('class="table rubric-table"') == 2
    assert confirm(leader_client, staged_token(), 0).headers["Location"].endswith("/library/rubrics/ip-default")
    assert [v.number for v in db.session.scalar(db.select(Rubric)).versions] == [1]
    entry = db.session.scalar(db.select(AuditEntry).where(AuditEntry.kind == "content.rubric_imported"))
    assert entry.actor_id == leader.id


def test_discarding_an_upload_imports_nothing(leader_client):
    upload(leader_client, make_zip(case_files()))
    token = staged_token()
    response = leader_client.post(f"/library/import/{token}/discard", data={"csrf_token": csrf_token(leader_client)})
    assert response.status_code == 302
    assert count(StagedUpload) == 0 and count(CaseVersion) == 0
    assert leader_client.get(f"/library/import/{token}").status_code == 404


def test_an_upload_is_its_uploaders_alone_and_expires(make_client, leader_client):
    upload(leader_client, make_zip(case_files()))
    token = staged_token()
    other_leader = member(CohortFactory(), Role.leader)
    admin = UserFactory(is_admin=True)
    for person in (other_leader, admin):
        client = make_client()
        login(client, person.email)
        assert client.get(f"/library/import/{token}").status_code == 404
        assert confirm(client, token, 0).status_code == 404
    assert count(CaseVersion) == 0

    staged = db.session.scalar(db.select(StagedUpload))
    staged.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    response = leader_client.get(f"/library/import/{token}")
    assert response.status_code == 302 and response.headers["Location"].endswith("/library/import")
    assert confirm(leader_client, token, 0).status_code == 302
    assert count(CaseVersion) == 0


def test_who_sees_the_way_to_upload(make_client, leader_client):
    import_shipped_content()
    assert "Upload a case or rubric" in leader_client.get("/library").get_data(as_text=True)
    for url in ("/library/cases/anna", "/library/rubrics/ip-default"):
        assert "Upload a new version" in leader_client.get(url).get_data(as_text=True)
    instructor = member(CohortFactory(), Role.instructor)
    client = make_client()
    login(client, instructor.email)
    page = client.get("/library")
    assert page.status_code == 200 and "Upload a case or rubric" not in page.get_data(as_text=True)
    for url in ("/library/cases/anna", "/library/rubrics/ip-default"):
        page = client.get(url)
        assert page.status_code == 200 and "Upload a new version" not in page.get_data(as_text=True)
    assert client.get("/library/import").status_code == 403


def test_uploads_are_rate_limited_per_person(app, leader_client, monkeypatch):
    monkeypatch.setitem(app.config, "CONTENT_UPLOAD_RATE_LIMIT", "2 per hour")
    statuses = [upload(leader_client, b"not content", "x.txt").status_code for _ in range(3)]
    assert statuses == [400, 400, 429]


def test_a_changed_rubric_becomes_a_new_version_and_plans_keep_theirs(app, leader_client):
    import_shipped_content()
    assignment = AssignmentFactory(cohort=CohortFactory(), title="Care plan for Anna")
    student = member(assignment.cohort, Role.student)
    plan = plan_services.start_plan(assignment, student)
    db.session.commit()

    text = RUBRIC.read_text(encoding="utf-8").replace('en: "Individual care plan"', 'en: "Care plan with the person"', 1)
    response = upload(leader_client, text.encode("utf-8"), "ip-default.yaml")
    assert "importing adds version 2" in leader_client.get(response.headers["Location"]).get_data(as_text=True)
    assert confirm(leader_client, staged_token(), 1).status_code == 302
    assert [v.number for v in db.session.scalar(db.select(Rubric)).versions] == [1, 2]

    db.session.expire_all()
    assert plan.rubric_version.number == 1
    student_client = app.test_client()
    login(student_client, student.email)
    page = student_client.get(f"/assignments/{assignment.id}/rubric").get_data(as_text=True)
    assert "Individual care plan" in page and "Care plan with the person" not in page


def test_the_pages_speak_norwegian(leader, leader_client):
    leader.locale = "nb"
    db.session.commit()
    html = upload(leader_client, b"not content", "notes.txt").get_data(as_text=True)
    assert "Last opp en case eller en vurderingsveiledning" in html
    assert "verken en case eller en vurderingsveiledning" in html
    response = upload(leader_client, make_zip(case_files()))
    html = leader_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Sjekk før import" in html and "Importer som versjon 1" in html
