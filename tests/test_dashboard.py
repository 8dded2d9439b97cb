"""The progress dashboard: every number against a cohort built by hand, turnaround, level movements, the
language curve, filters and sorting, CSV export, access by the refusal rule, and a constant number of queries."""
from __future__ import annotations

import csv
import io
import re
from datetime import datetime, timedelta
from html.parser import HTMLParser

import pytest

from app.cohorts import services as cohort_services
from app.cohorts.models import Membership, Role
from app.dashboard import services
from app.db import db, utcnow
from app.i18n import format_moment
from app.plans import services as plan_services
from app.plans.states import PlanState
from app.reviews import services as review_services
from tests.conftest import QueryCounter, login
from tests.factories import AssignmentFactory, CohortFactory, UserFactory, member
from tests.plan_helpers import GOOD_CONTENT

ISO = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}[+-]\d{2}:\d{2}")
T0 = utcnow().replace(microsecond=0) - timedelta(days=20)


def hints(counts: dict, terms: list[tuple[str, str]] | None = None) -> dict:
    return {"counts": counts, "findings": [{"text": text, "category": category} for text, category in terms or []]}


class HandBuilt:
    """Nine students, one in each situation the dashboard has to count.

    anna  not started            bo    drafting, never submitted       cai   submitted, no reviewer
    dag   submitted, Rita, late  eva   in review with Rita              fia   returned by Rita
    gro   completed by Ivar after two versions (levels move)            hal   withdrew her only version
    ida   submitted, Ivar, then removed from the cohort
    """

    def __init__(self):
        self.assignment = AssignmentFactory(allow_late=True)
        cohort = self.cohort = self.assignment.cohort
        self.leader = member(cohort, Role.leader, name="Lena Leader")
        self.rita = member(cohort, Role.instructor, name="Rita Reviewer")
        self.ivar = member(cohort, Role.instructor, name="Ivar Instructor")
        names = ["Anna", "Bo", "Cai", "Dag", "Eva", "Fia", "Gro", "Hal", "Ida"]
        self.s = {name.lower(): member(cohort, Role.student, name=f"{name} Student") for name in names}
        self.plans = {}
        for key in ("bo", "cai", "dag", "eva", "fia", "gro", "hal", "ida"):
            plan = plan_services.start_plan(self.assignment, self.s[key])
            db.session.flush()
            plan_services.save_draft(plan, self.s[key], plan.save_token, GOOD_CONTENT)
            self.plans[key] = plan
        for key in ("cai", "dag", "eva", "fia", "gro", "hal", "ida"):
            plan = self.plans[key]
            plan_services.submit(plan, self.s[key], plan.save_token)
        plan_services.withdraw(self.plans["hal"], self.s["hal"])
        rv = review_services
        rv.allocate(self.plans["dag"], self.rita, self.leader)
        rv.allocate(self.plans["eva"], self.rita, self.leader)
        rv.allocate(self.plans["fia"], self.rita, self.leader)
        rv.allocate(self.plans["gro"], self.ivar, self.leader)
        rv.allocate(self.plans["ida"], self.ivar, self.leader)
        rv.save_review(self.plans["eva"], self.rita, scores={"language": {"level": "exemplary"}}, overall="Not yet")
        rv.save_review(self.plans["fia"], self.rita, overall="Good",
                       scores={"language": {"level": "solid"}, "voice": {"level": "emerging"}})
        rv.release(self.plans["fia"], self.rita)
        gro = self.plans["gro"]
        rv.save_review(gro, self.ivar, overall="First", scores={
            "language": {"level": "not_yet"}, "voice": {"level": "solid"}, "resources": {"level": "emerging"}})
        rv.release(gro, self.ivar)
        plan_services.save_draft(gro, self.s["gro"], gro.save_token, GOOD_CONTENT)
        plan_services.submit(gro, self.s["gro"], gro.save_token)
        rv.save_review(gro, self.ivar, overall="Second", scores={
            "language": {"level": "solid"}, "voice": {"level": "solid"}, "resources": {"level": "not_yet"},
            "measures": {"level": "exemplary"}})
        rv.complete(gro, self.ivar)
        db.session.commit()

        # Times and hints set by hand, so that every figure below is known exactly.
        when = {("cai", 1): T0 + timedelta(days=1), ("dag", 1): T0 + timedelta(days=2),
                ("eva", 1): T0 + timedelta(days=3), ("fia", 1): T0, ("gro", 1): T0, ("gro", 2): T0 + timedelta(days=3),
                ("hal", 1): T0, ("ida", 1): T0 + timedelta(days=4)}
        for (key, number), submitted_at in when.items():
            version = self.version(key, number)
            version.submitted_at = submitted_at
            version.hints = {}
        self.version("dag", 1).late = True
        self.version("fia", 1).hints = hints({"moral": 2}, [("clean", "moral"), ("Clean", "moral")])
        self.version("fia", 1).word_count = 400
        self.version("gro", 1).hints = hints({"label": 3, "jargon": 2},
                                             [("addict", "label"), ("addict", "label"), ("Pt", "jargon")])
        self.version("gro", 1).word_count = 500
        self.version("gro", 2).hints = hints({"label": 1, "jargon": 0}, [("addict", "label")])
        self.version("gro", 2).word_count = 1000
        released = {("fia", 1): T0 + timedelta(days=2), ("gro", 1): T0 + timedelta(days=1),
                    ("gro", 2): T0 + timedelta(days=7)}
        for (key, number), released_at in released.items():
            review_services.review_for(self.version(key, number)).released_at = released_at
        db.session.commit()
        cohort_services.remove_member(self.membership("ida"), actor=self.leader)
        db.session.commit()

    def version(self, key, number):
        return next(v for v in self.plans[key].versions if v.number == number)

    def membership(self, key):
        return db.session.scalar(db.select(Membership).where(Membership.cohort_id == self.cohort.id,
                                                             Membership.user_id == self.s[key].id))

    @property
    def before_due(self):
        return self.assignment.due_at - timedelta(hours=1)

    @property
    def after_review_due(self):
        return self.assignment.review_due_at + timedelta(hours=1)


@pytest.fixture
def built(app):
    return HandBuilt()


def rows_by_name(dashboard):
    return {row.name.split()[0].lower(): row for row in dashboard.students}


def test_every_count_at_the_top(built):
    early = services.build(built.assignment, now=built.before_due)
    assert early.counts == {"not_started": 1, "draft": 2, "submitted": 3, "in_review": 1, "returned": 1,
                            "completed": 1, "overdue": 0}
    late = services.build(built.assignment, now=built.after_review_due)
    assert late.counts["overdue"] == 7  # anna, bo, hal (no submission); cai, dag, eva, ida (reviews)
    overdue = {key: row.overdue for key, row in rows_by_name(late).items()}
    assert overdue == {"anna": "submission", "bo": "submission", "hal": "submission", "cai": "review",
                       "dag": "review", "eva": "review", "ida": "review", "fia": None, "gro": None}


def test_each_students_row(built):
    rows = rows_by_name(services.build(built.assignment, now=built.before_due))
    assert len(rows) == 9
    assert rows["anna"].state == "not_started" and rows["anna"].versions == 0 and rows["anna"].plan_id is None
    assert rows["anna"].last_activity is None
    assert {key: row.state for key, row in rows.items()} == {
        "anna": "not_started", "bo": "draft", "cai": "submitted", "dag": "submitted", "eva": "in_review",
        "fia": "returned", "gro": "completed", "hal": "draft", "ida": "submitted"}
    assert {key: row.versions for key, row in rows.items()} == {
        "anna": 0, "bo": 0, "cai": 1, "dag": 1, "eva": 1, "fia": 1, "gro": 2, "hal": 1, "ida": 1}
    assert [key for key, row in rows.items() if row.late] == ["dag"]
    assert {key: row.reviewer_name for key, row in rows.items() if row.reviewer_name} == {
        "dag": "Rita Reviewer", "eva": "Rita Reviewer", "fia": "Rita Reviewer", "gro": "Ivar Instructor",
        "ida": "Ivar Instructor"}
    assert {key: row.waiting_since for key, row in rows.items() if row.waiting_since} == {
        "cai": T0 + timedelta(days=1), "dag": T0 + timedelta(days=2), "eva": T0 + timedelta(days=3),
        "ida": T0 + timedelta(days=4)}
    assert [key for key, row in rows.items() if not row.member] == ["ida"]
    for key in ("bo", "cai", "gro"):
        assert rows[key].last_activity is not None
    assert rows["gro"].last_activity >= T0 + timedelta(days=7)


def test_reviewers_open_overdue_and_turnaround(built):
    dashboard = services.build(built.assignment, now=built.after_review_due)
    reviewers = {row.name: row for row in dashboard.reviewers}
    rita, ivar = reviewers["Rita Reviewer"], reviewers["Ivar Instructor"]
    assert (rita.open, rita.overdue, rita.released) == (2, 2, 1)
    assert (ivar.open, ivar.overdue, ivar.released) == (1, 1, 2)
    assert rita.median_days == 2.0 and rita.p90_days == 2.0
    assert ivar.median_days == 2.5 and ivar.p90_days == 3.7  # 1 and 4 days: 1 + 0.9 × 3
    assert dashboard.median_days == 2.0 and dashboard.p90_days == 3.6  # 1, 2 and 4 days: 2 + 0.8 × 2
    assert (dashboard.unallocated, dashboard.unallocated_overdue) == (1, 1)
    assert services.build(built.assignment, now=built.before_due).reviewers[1].overdue == 0


@pytest.mark.parametrize("values, p, expected", [
    ([5], 90, 5.0), ([1, 2], 50, 1.5), ([10, 20, 30, 40, 50, 60, 70, 80, 90, 100], 90, 91.0), ([], 90, None)])
def test_percentile_interpolates_between_ranks(values, p, expected):
    assert services.percentile(values, p) == expected


def test_rubric_levels_on_the_latest_released_review_and_their_movement(built):
    rubric = services.build(built.assignment, now=built.before_due).rubric
    assert rubric.plans_reviewed == 2 and rubric.plans_compared == 1
    reached = {key: dict(counter) for key, counter in rubric.reached.items()}
    assert reached == {"language": {"solid": 2}, "voice": {"emerging": 1, "solid": 1},
                       "resources": {"not_yet": 1, None: 1}, "measures": {"exemplary": 1, None: 1},
                       "coordination": {None: 2}, "determinants": {None: 2}, "consent": {None: 2}}
    movement = {key: dict(counter) for key, counter in rubric.movement.items() if counter}
    assert movement == {"language": {"up": 1}, "voice": {"same": 1}, "resources": {"down": 1}}


def test_language_curve_compares_first_and_latest_version_of_revised_plans(built):
    language = services.build(built.assignment, now=built.before_due).language
    assert language.has_hints and language.revised_plans == 1 and language.plans_with_hints == 2
    assert language.first_words == 500 and language.latest_words == 1000
    assert language.categories == [("label", 3, 1), ("jargon", 2, 0)]
    table = services.table(services.build(built.assignment, now=built.before_due), "language")
    assert table.rows == [["Label", 3, 6.0, 1, 1.0], ["Record language", 2, 4.0, 0, 0.0],
                          ["All categories", 5, 10.0, 1, 1.0]]
    assert language.terms == [("clean", "moral", 2, 2), ("addict", "label", 2, 1), ("pt", "jargon", 1, 0)]


def test_language_section_explains_when_no_hints_are_stored(client, built):
    from app.plans.models import PlanVersion

    for version in db.session.scalars(db.select(PlanVersion)):
        version.hints = {}
    db.session.commit()
    assert not services.build(built.assignment).language.has_hints
    login(client, built.leader.email)
    html = client.get(f"/assignments/{built.assignment.id}/dashboard").get_data(as_text=True)
    assert "No language hints are stored for these plans yet" in html


def test_filters_and_sorting_on_the_server(client, built):
    login(client, built.leader.email)
    url = f"/assignments/{built.assignment.id}/dashboard"

    def names(query):
        html = client.get(url + query).get_data(as_text=True)
        return table_cells(html, "table-students", first_column_only=True)

    assert names("?state=submitted") == ["Cai Student", "Dag Student", "Ida Student (no longer a member)"]
    assert names(f"?reviewer={built.rita.id}") == ["Dag Student", "Eva Student", "Fia Student"]
    assert names("?reviewer=none") == ["Anna Student", "Bo Student", "Cai Student", "Hal Student"]
    assert names("?sort=versions&dir=desc")[0] == "Gro Student"
    assert names("?sort=waiting") == ["Cai Student", "Dag Student", "Eva Student",
                                      "Ida Student (no longer a member)", "Anna Student", "Bo Student",
                                      "Fia Student", "Gro Student", "Hal Student"]
    assert names("?state=nonsense&sort=bogus&reviewer=x")[:2] == ["Anna Student", "Bo Student"]
    for hostile in ("?reviewer=%C2%B2", "?reviewer=99999999999999999999999"):
        assert client.get(url + hostile).status_code == 200, hostile
    assert client.get(url + "?state=%00&dir=%00&overdue=%00").status_code == 400  # NUL is refused, with a message


def test_overdue_filter(built):
    dashboard = services.build(built.assignment, now=built.after_review_due)
    rows = services.filtered_students(dashboard, services.Filters(overdue=True, sort="state"))
    assert [r.name for r in rows] == ["Anna Student", "Bo Student", "Hal Student", "Cai Student", "Dag Student",
                                      "Ida Student", "Eva Student"]


class _Cells(HTMLParser):
    def __init__(self, table_id):
        super().__init__()
        self.table_id, self.inside, self.rows, self.cell = table_id, 0, [], None

    def handle_starttag(self, tag, attrs):
        if tag == "table" and dict(attrs).get("id") == self.table_id:
            self.inside = 1
        elif self.inside and tag == "tbody":
            self.inside = 2
        elif self.inside == 2 and tag == "tr":
            self.rows.append([])
        elif self.inside == 2 and tag in ("td", "th"):
            self.cell = []

    def handle_endtag(self, tag):
        if self.inside == 2 and tag in ("td", "th") and self.cell is not None:
            self.rows[-1].append(" ".join("".join(self.cell).split()))
            self.cell = None
        elif tag == "table" and self.inside:
            self.inside = 0

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)


def table_cells(html: str, table_id: str, first_column_only: bool = False):
    parser = _Cells(table_id)
    parser.feed(html)
    return [row[0] for row in parser.rows] if first_column_only else parser.rows


@pytest.mark.parametrize("table", services.TABLES)
def test_csv_export_equals_the_table_on_the_page(client, built, table):
    login(client, built.leader.email)
    query = "?sort=state&dir=desc" if table == "students" else ""
    html = client.get(f"/assignments/{built.assignment.id}/dashboard{query}").get_data(as_text=True)
    response = client.get(f"/assignments/{built.assignment.id}/dashboard.csv{query + ('&' if query else '?')}"
                          f"table={table}")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith("attachment; filename=")
    assert response.headers["Content-Disposition"].endswith(f'-{table}.csv"')
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    page_rows = table_cells(html, f"table-{table}")
    # the same cells, dates in ISO 8601 with their offset in the CSV and as the page reads them on the page
    with client.application.test_request_context():
        as_read = [[format_moment(datetime.fromisoformat(cell)).replace("\u202f", " ") if ISO.fullmatch(cell) else cell
                    for cell in row] for row in rows[1:]]
    expected = services.table(services.build(built.assignment), table,
                              services.Filters(sort="state", direction="desc") if query else None)
    width = len(expected.columns)  # the students' file has more columns after the page's (tested below)
    assert [row[:width] for row in as_read] == page_rows and page_rows
    assert rows[0][:width] == expected.columns
    assert len(rows) - 1 == len(expected.rows)


def test_the_students_file_has_what_a_course_leader_needs(client, built):
    built.membership("fia").student_number = "s123456"
    db.session.commit()
    login(client, built.leader.email)
    text = client.get(f"/assignments/{built.assignment.id}/dashboard.csv?table=students").get_data(as_text=True)
    assert text.startswith("\ufeff")
    header, *rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    by_name = {row[0].split()[0]: dict(zip(header, row)) for row in rows}
    gro, fia, eva, anna = by_name["Gro"], by_name["Fia"], by_name["Eva"], by_name["Anna"]
    assert fia["E-mail"] == built.s["fia"].email and fia["Student number"] == "s123456"
    assert gro["Student number"] == "" and anna["E-mail"] == built.s["anna"].email
    assert gro["State"] == "Completed" and gro["Versions"] == "2" and gro["Reviewer"] == "Ivar Instructor"
    language, voice = "Respectful, plain language", "The person's voice and goals"
    resources, measures = "Resource orientation", "Concrete measures and responsibilities"
    first, latest = "{}: first reviewed version", "{}: latest reviewed version"
    assert (gro[first.format(language)], gro[latest.format(language)]) == ("Not yet there", "Solid")
    assert (gro[first.format(voice)], gro[latest.format(voice)]) == ("Solid", "Solid")
    assert (gro[first.format(resources)], gro[latest.format(resources)]) == ("On the way", "Not yet there")
    assert (gro[first.format(measures)], gro[latest.format(measures)]) == ("", "Exemplary")
    # one released review: it is both the first and the latest
    assert (fia[first.format(voice)], fia[latest.format(voice)]) == ("On the way", "On the way")
    # a review not released yet shows no levels
    assert eva[first.format(language)] == "" and eva[latest.format(language)] == ""
    for name, dates in {"gro": (T0, T0 + timedelta(days=3), T0 + timedelta(days=7)),
                        "fia": (T0, T0, T0 + timedelta(days=2))}.items():
        row = by_name[name.title()]
        cells = (row["First submitted"], row["Last submitted"], row["Feedback last released"])
        assert all(ISO.fullmatch(cell) for cell in cells), cells
        assert tuple(datetime.fromisoformat(cell) for cell in cells) == tuple(d.replace(second=0) for d in dates)
    assert anna["First submitted"] == "" and anna["Feedback last released"] == ""


def test_csv_cells_cannot_start_a_formula(client, built):
    evil = built.s["anna"]
    evil.name = "=HYPERLINK(\"http://example.org\")"
    built.s["bo"].name = "@SUM(1+1)"
    built.s["cai"].name = "+1"
    built.s["dag"].name = "-2"
    db.session.commit()
    login(client, built.leader.email)
    text = client.get(f"/assignments/{built.assignment.id}/dashboard.csv?table=students").get_data(as_text=True)
    names = [row[0] for row in csv.reader(io.StringIO(text.lstrip("\ufeff")))][1:]
    assert "'=HYPERLINK(\"http://example.org\")" in names and "'@SUM(1+1)" in names
    assert "'+1" in names and "'-2" in names
    assert not any(name[0] in "=+-@" for name in names)
    assert services.csv_safe(-3) == -3 and services.csv_safe(-1.5) == "-1.5"  # numbers stay numbers


def test_unknown_table_is_404(client, built):
    login(client, built.leader.email)
    assert client.get(f"/assignments/{built.assignment.id}/dashboard.csv?table=secrets").status_code == 404


def test_page_shows_charts_with_title_description_and_tables(client, built):
    login(client, built.leader.email)
    response = client.get(f"/assignments/{built.assignment.id}/dashboard")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    charts = re.findall(r"<svg[^>]*>", html)
    assert len(charts) == 5  # states, reviewers, rubric, movement, language
    for tag in charts:
        chart_id = re.search(r'id="([^"]+)"', tag).group(1)
        assert 'role="img"' in tag and f'aria-labelledby="{chart_id}-title {chart_id}-desc"' in tag
        assert f'<title id="{chart_id}-title">' in html and f'<desc id="{chart_id}-desc">' in html
    assert "style=" not in html.split("<main", 1)[1]  # the security policy forbids inline styles
    assert "Ida Student (no longer a member)" in html
    for table in services.TABLES:
        assert f'id="table-{table}"' in html


@pytest.mark.parametrize("who, status", [("leader", 200), ("rita", 403), ("student", 403), ("admin", 403),
                                         ("leader_elsewhere", 404), ("stranger", 404)])
def test_access_by_the_refusal_rule(make_client, built, who, status):
    other_cohort = CohortFactory()
    people = {
        "leader": built.leader, "rita": built.rita, "student": built.s["bo"],
        "admin": UserFactory(is_admin=True), "stranger": UserFactory(),
        "leader_elsewhere": member(other_cohort, Role.leader),
    }
    client = make_client()
    login(client, people[who].email)
    for url in (f"/assignments/{built.assignment.id}/dashboard",
                f"/assignments/{built.assignment.id}/dashboard.csv?table=students"):
        assert client.get(url).status_code == status, url


def test_admin_who_leads_the_cohort_sees_it_and_anonymous_goes_to_login(make_client, built):
    admin = UserFactory(is_admin=True)
    db.session.add(Membership(cohort_id=built.cohort.id, user_id=admin.id, role=Role.leader))
    db.session.commit()
    client = make_client()
    login(client, admin.email)
    assert client.get(f"/assignments/{built.assignment.id}/dashboard").status_code == 200
    anonymous = make_client().get(f"/assignments/{built.assignment.id}/dashboard")
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    assert make_client().get("/assignments/999999/dashboard").status_code == 302
    assert client.get("/assignments/999999/dashboard").status_code == 404


def test_cohort_page_links_the_dashboard_for_leaders_only(make_client, built):
    leader = make_client()
    login(leader, built.leader.email)
    html = leader.get(f"/cohorts/{built.cohort.id}").get_data(as_text=True)
    assert f"/assignments/{built.assignment.id}/dashboard" in html
    assert f"/cohorts/{built.cohort.id}/enrol" in html and f"/cohorts/{built.cohort.id}/audit" in html
    instructor = make_client()
    login(instructor, built.rita.email)
    assert f"/assignments/{built.assignment.id}/dashboard" not in instructor.get(
        f"/cohorts/{built.cohort.id}").get_data(as_text=True)


# --- a constant number of queries --------------------------------------------------------------------------

def fill(assignment, students: int) -> None:
    """Students with two versions each, a released review with levels on each, and hints: built directly."""
    from app.auth.models import User
    from app.plans.models import Plan, PlanVersion
    from app.reviews.models import CriterionScore, Review

    cohort = assignment.cohort
    reviewer = member(cohort, Role.instructor)
    now = utcnow()
    for index in range(students):
        user = User(email=f"bulk{index}-{cohort.id}@example.org", name=f"Bulk Student {index:03d}")
        db.session.add(user)
        db.session.flush()
        db.session.add(Membership(cohort_id=cohort.id, user_id=user.id, role=Role.student))
        if index % 5 == 0:
            continue  # some have not started
        plan = Plan(assignment_id=assignment.id, student_id=user.id, case_version_id=assignment.case_version_id,
                    rubric_version_id=assignment.rubric_version_id, state=PlanState.in_review,
                    reviewer_id=reviewer.id, draft=GOOD_CONTENT)
        db.session.add(plan)
        db.session.flush()
        for number in (1, 2):
            version = PlanVersion(plan_id=plan.id, number=number, content=GOOD_CONTENT, word_count=300,
                                  draft_token=number, submitted_at=now - timedelta(days=10 - number),
                                  hints=hints({"label": 3 - number}, [("addict", "label")] * (3 - number)))
            db.session.add(version)
            db.session.flush()
            review = Review(plan_id=plan.id, plan_version_id=version.id, reviewer_id=reviewer.id,
                            released_at=now - timedelta(days=8 - number) if number == 1 else None)
            review.scores = [CriterionScore(criterion_key="language", level_key="emerging" if number == 1 else
                                            "solid")]
            db.session.add(review)
    db.session.commit()


def queries_for(client, url: str) -> int:
    db.session.commit()
    with QueryCounter() as counter:
        response = client.get(url)
    assert response.status_code == 200
    return counter.count


def test_the_number_of_queries_does_not_grow_with_the_cohort(make_client, app):
    counts = {}
    for size in (10, 100):
        assignment = AssignmentFactory()
        leader = member(assignment.cohort, Role.leader)
        fill(assignment, size)
        client = make_client()
        login(client, leader.email)
        html = client.get(f"/assignments/{assignment.id}/dashboard").get_data(as_text=True)
        assert f"Bulk Student {size - 1:03d}" in html
        counts[size] = (queries_for(client, f"/assignments/{assignment.id}/dashboard"),
                        queries_for(client, f"/assignments/{assignment.id}/dashboard.csv?table=students"),
                        queries_for(client, f"/assignments/{assignment.id}/dashboard?state=in_review&sort=activity"))
    assert counts[10] == counts[100], counts
    assert counts[100][0] <= 20
