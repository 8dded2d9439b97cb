"""`flask content import`: the shipped content imports, repeats safely, and any bad file names its line and
stops the whole import."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from app.assignments.models import Assignment
from app.audit.models import AuditEntry
from app.cases.models import Case, CaseVersion
from app.db import db
from app.rubrics.models import Rubric, RubricVersion
from tests.factories import AssignmentFactory, CohortFactory

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def content(tmp_path, app, monkeypatch):
    """A copy of the shipped cases/ and rubrics/ to break, shown relative to its own folder."""
    shutil.copytree(ROOT / "cases", tmp_path / "cases")
    shutil.copytree(ROOT / "rubrics", tmp_path / "rubrics")
    monkeypatch.setitem(app.config, "CONTENT_DIR", str(tmp_path))
    return tmp_path


def run(app, *args):
    result = app.test_cli_runner().invoke(args=["content", "import", *map(str, args)])
    db.session.expire_all()
    return result


def count(model) -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(model))


def nothing_written() -> bool:
    return all(count(model) == 0 for model in (Case, CaseVersion, Rubric, RubricVersion, AuditEntry))


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} should occur once in {path}"
    path.write_text(text.replace(old, new), encoding="utf-8")


# --- the shipped content -------------------------------------------------------------------------------

def test_shipped_content_imports_and_a_second_run_changes_nothing(app, monkeypatch):
    monkeypatch.setitem(app.config, "CONTENT_DIR", str(ROOT))
    first = run(app)
    assert first.exit_code == 0, first.output
    assert "case anna: created, version 1  (cases/anna/case.yaml)" in first.output
    assert "case odd: created, version 1" in first.output
    assert "rubric ip-default: created, version 1  (rubrics/ip-default.yaml)" in first.output
    assert "Imported: 3 created, 0 updated, 0 unchanged." in first.output
    assert (count(Case), count(CaseVersion), count(Rubric), count(RubricVersion)) == (2, 2, 1, 1)
    anna = db.session.scalar(db.select(Case).where(Case.slug == "anna")).latest
    assert anna.languages == ["en", "nb"] and anna.person_name == "Anna" and anna.person_age == 44
    assert [d.key for d in anna.documents] == ["story", "referral", "discharge", "interview", "services", "teaching_notes"]
    assert [d.audience for d in anna.documents].count("teachers") == 1
    assert all(set(d.bodies) == {"en", "nb"} for d in anna.documents)

    second = run(app)
    assert second.exit_code == 0, second.output
    assert "Imported: 0 created, 0 updated, 3 unchanged." in second.output
    assert (count(CaseVersion), count(RubricVersion)) == (2, 1)


def test_dry_run_reports_and_writes_nothing(app, content):
    result = run(app, "--dry-run")
    assert result.exit_code == 0, result.output
    assert "(dry run) case anna: created, version 1" in result.output
    assert "Would import: 3 created, 0 updated, 0 unchanged." in result.output
    assert nothing_written()

    assert run(app).exit_code == 0
    edit(content / "cases/anna/story.en.md", "fish soup", "fish stew")
    result = run(app, "--dry-run", content / "cases/anna")
    assert "(dry run) case anna: updated (new version), version 2" in result.output
    assert count(CaseVersion) == 2  # anna 1 and odd 1, still


def test_paths_select_what_is_imported(app, content):
    result = run(app, content / "cases/odd", content / "rubrics/ip-default.yaml")
    assert result.exit_code == 0, result.output
    assert [c.slug for c in db.session.scalars(db.select(Case))] == ["odd"]
    assert count(Rubric) == 1


# --- every kind of mistake names the file and the line, and nothing is written --------------------------

CASE = "cases/anna/case.yaml"
RUBRIC = "rubrics/ip-default.yaml"

MISTAKES = {
    "yaml syntax": (CASE, "  name: Anna\n", "  name: Anna: the cook\n",
                    "cases/anna/case.yaml:7: YAML syntax: mapping values are not allowed here"),
    "duplicate yaml key": (CASE, "documents:\n", 'summary:\n  en: "Again"\n  nb: "Igjen"\ndocuments:\n',
                           "cases/anna/case.yaml:12: YAML syntax: the key 'summary' appears twice"),
    "unknown key": (CASE, "person:\n", "sumary: oops\nperson:\n",
                    "cases/anna/case.yaml:6: unknown key 'sumary' in the case"),
    "missing required key": (CASE, "person:\n  name: Anna\n  age: 44\n", "",
                             "cases/anna/case.yaml:1: the case has no 'person'"),
    "slug differs from folder": (CASE, "slug: anna", "slug: annie",
                                 "cases/anna/case.yaml:1: slug 'annie' must equal the folder name 'anna'"),
    "missing language text": (CASE, '  en: "Anna, 44"\n  nb: "Anna, 44"\n', '  en: "Anna, 44"\n',
                              "cases/anna/case.yaml:3: title has no text in 'nb'"),
    "bad audience": (CASE, "audience: teachers", "audience: staff",
                     "cases/anna/case.yaml:25: audience of document 'teaching_notes' must be students or teachers, not 'staff'"),
    "duplicate document key": (CASE, "- key: discharge", "- key: referral",
                               "cases/anna/case.yaml:17: the document 'referral' is listed twice"),
    "person.age not a number": (CASE, "age: 44", "age: forty-four",
                                "cases/anna/case.yaml:8: person.age must be a whole number of years, not 'forty-four'"),
    "rubric descriptor missing in a language": (
        RUBRIC, "        nb: \"Målene er med personens ord, med tidsrammer, og personen ville kjent dem igjen som sine "
                "egne. Vurder om planen også viser hva personen selv bidrar med for å nå dem.\"\n", "",
        "rubrics/ip-default.yaml:48: criterion 'voice' has no descriptor for level 'solid' in 'nb'"),
    "rubric descriptor for an unknown level": (
        RUBRIC, "      solid:\n        en: \"The goals are in", "      excellent:\n        en: \"Yes.\"\n        nb: \"Ja.\"\n"
                                                                 "      solid:\n        en: \"The goals are in",
        "rubrics/ip-default.yaml:47: criterion 'voice' has a descriptor for unknown level 'excellent'"),
}


@pytest.mark.parametrize("mistake", list(MISTAKES))
def test_each_mistake_is_reported_with_file_and_line_and_nothing_is_imported(app, content, mistake):
    file, old, new, expected = MISTAKES[mistake]
    edit(content / file, old, new)
    result = run(app)
    assert result.exit_code == 1
    assert expected in result.output, result.output
    assert "nothing was imported" in result.output
    assert nothing_written()


def test_a_new_level_without_descriptors_is_reported_for_every_criterion(app, content):
    edit(content / RUBRIC, "  - key: exemplary\n", "  - key: outstanding\n    title: {en: \"Outstanding\", nb: \"Fremragende\"}\n"
                                                   "  - key: exemplary\n")
    result = run(app)
    assert result.exit_code == 1
    for criterion in ("language", "voice", "resources", "measures", "coordination", "determinants", "consent"):
        assert f"criterion '{criterion}' has no descriptor for level 'outstanding'" in result.output
    assert "7 problems found; nothing was imported." in result.output
    assert nothing_written()


def test_a_missing_document_file_is_reported_at_its_document(app, content):
    (content / "cases/anna/interview.nb.md").unlink()
    result = run(app)
    assert result.exit_code == 1
    assert ("cases/anna/case.yaml:19: document 'interview' has no file for 'nb': expected cases/anna/interview.nb.md"
            in result.output)
    assert nothing_written()


def test_a_stray_markdown_file_is_an_error(app, content):
    (content / "cases/anna/notes.en.md").write_text("## Notes\n\nLeft over.\n", encoding="utf-8")
    result = run(app)
    assert result.exit_code == 1
    assert "cases/anna/notes.en.md:1: this file belongs to no document in case.yaml" in result.output
    assert nothing_written()


def test_an_empty_document_is_an_error(app, content):
    (content / "cases/odd/story.nb.md").write_text("\n", encoding="utf-8")
    result = run(app)
    assert result.exit_code == 1
    assert "cases/odd/story.nb.md:1: the document is empty" in result.output
    assert nothing_written()


def test_all_problems_are_reported_at_once(app, content):
    edit(content / CASE, "age: 44", "age: old")
    edit(content / "cases/odd/case.yaml", "slug: odd", "slug: odd-one")
    result = run(app)
    assert result.exit_code == 1
    assert "cases/anna/case.yaml:8:" in result.output and "cases/odd/case.yaml:1:" in result.output
    assert "2 problems found; nothing was imported." in result.output


def test_a_good_and_a_bad_path_together_import_nothing(app, content):
    edit(content / CASE, "slug: anna", "slug: annie")
    result = run(app, content / "cases/odd", content / "rubrics/ip-default.yaml", content / "cases/anna")
    assert result.exit_code == 1
    assert "cases/anna/case.yaml:1:" in result.output
    assert nothing_written()


def test_a_path_that_does_not_exist_is_an_error(app, content):
    result = run(app, content / "cases/nobody")
    assert result.exit_code == 1
    assert "no such file or folder" in result.output
    assert nothing_written()


# --- versions ------------------------------------------------------------------------------------------

def test_a_changed_document_makes_version_2_and_assignments_keep_version_1(app, content):
    assert run(app).exit_code == 0
    anna_v1 = db.session.scalar(db.select(Case).where(Case.slug == "anna")).latest
    assignment = AssignmentFactory(cohort=CohortFactory(), case_version=anna_v1)

    edit(content / "cases/anna/interview.nb.md", "Skriv det sånn at", "Skriv det slik at")
    result = run(app)
    assert result.exit_code == 0, result.output
    assert "case anna: updated (new version), version 2" in result.output
    assert "case odd: unchanged, version 1" in result.output
    assert "Imported: 0 created, 1 updated, 2 unchanged." in result.output

    anna = db.session.scalar(db.select(Case).where(Case.slug == "anna"))
    assert [v.number for v in anna.versions] == [1, 2]
    assert "Skriv det slik at" in next(d for d in anna.latest.documents if d.key == "interview").bodies["nb"]
    assert "Skriv det slik at" not in next(d for d in anna.versions[0].documents if d.key == "interview").bodies["nb"]
    assert db.session.get(Assignment, assignment.id).case_version.number == 1

    again = run(app)
    assert "Imported: 0 created, 0 updated, 3 unchanged." in again.output
    assert count(CaseVersion) == 3  # anna 1 and 2, odd 1


def test_a_changed_rubric_makes_a_new_version(app, content):
    assert run(app).exit_code == 0
    edit(content / RUBRIC, 'title: {en: "Individual care plan"', 'title: {en: "Individual care plan (2026)"')
    result = run(app, content / RUBRIC)
    assert "rubric ip-default: updated (new version), version 2" in result.output
    rubric = db.session.scalar(db.select(Rubric))
    assert [v.title["en"] for v in rubric.versions] == ["Individual care plan", "Individual care plan (2026)"]


def test_the_consent_criterion_arrives_as_a_new_rubric_version_and_earlier_assignments_keep_theirs(app, content):
    rubric_file = content / RUBRIC
    shipped = rubric_file.read_text(encoding="utf-8")
    start = shipped.index("  - key: consent\n")
    end = shipped.find("\n  - key: ", start + 1)
    rubric_file.write_text(shipped[:start] + (shipped[end + 1:] if end != -1 else ""), encoding="utf-8")
    assert run(app).exit_code == 0
    before = db.session.scalar(db.select(Rubric)).latest
    assignment = AssignmentFactory(cohort=CohortFactory(), rubric_version=before)
    assert "consent" not in before.criterion_keys()

    rubric_file.write_text(shipped, encoding="utf-8")
    result = run(app)
    assert "rubric ip-default: updated (new version), version 2" in result.output, result.output
    latest = db.session.scalar(db.select(Rubric)).latest
    assert latest.criterion_keys() == [*before.criterion_keys(), "consent"]
    consent = latest.criteria[-1]
    assert consent["title"] == {"en": "Consent, sharing and the person's own part",
                                "nb": "Samtykke, deling og personens egen del"}
    assert set(consent["descriptors"]) == set(latest.level_keys())
    assert all(set(text) == {"en", "nb"} for text in consent["descriptors"].values())
    assert db.session.get(Assignment, assignment.id).rubric_version.number == 1
