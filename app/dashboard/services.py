"""The progress dashboard of one assignment: who is where, reviewer load and turnaround, rubric results and the
language learning curve. Everything is computed here from the rows of `app.dashboard.queries`; views and
templates only show it. Every table has the same columns on the page and in its CSV export."""
from __future__ import annotations

import csv
import io
import json
import math
import re
import statistics
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from functools import cached_property

from flask_babel import format_decimal, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.assignments.models import Assignment
from app.calibration import queries as calibration_queries
from app.cases.models import localized
from app.dashboard import queries
from app.db import utcnow
from app.i18n import format_moment, iso_moment
from app.language.services import category_label as hint_category_label
from app.plans.states import NOT_STARTED, NOTHING_SUBMITTED_VALUES, OPEN_FOR_REVIEW_VALUES
from app.plans.states import PROGRESS as STATES
from app.plans.states import PROGRESS_LABELS as STATE_LABELS
from app.reviews import agreement as agreement_figures
from app.reviews import queries as review_queries
from app.reviews.agreement import Rating

OVERDUE_LABELS = {"submission": _l("submission overdue"), "review": _l("review overdue")}

# The language assistant's categories, in the order it explains them (also when it is not installed).
CATEGORY_ORDER = ("label", "moral", "doubt", "deficit", "jargon", "coercion", "passive")

SORT_KEYS = ("name", "state", "versions", "activity", "late", "reviewer", "waiting", "overdue")
TOP_TERMS = 15


def category_label(key: str) -> str:
    """The assistant's own name for a kind of hint, so the dashboard and the editor speak alike."""
    return str(hint_category_label(key))


# --- the numbers --------------------------------------------------------------------------------------------

@dataclass
class StudentRow:
    student_id: int
    name: str
    email: str
    member: bool
    plan_id: int | None = None
    state: str = NOT_STARTED
    versions: int = 0
    last_activity: datetime | None = None
    late: bool = False
    reviewer_id: int | None = None
    reviewer_name: str = ""
    waiting_since: datetime | None = None
    overdue: str | None = None  # "submission" | "review"
    last_release: datetime | None = None
    first_submitted: datetime | None = None
    last_submitted: datetime | None = None
    student_number: str = ""


@dataclass
class ReviewerRow:
    user_id: int
    name: str
    open: int = 0
    overdue: int = 0
    released: int = 0
    turnaround_days: list = field(default_factory=list)

    @property
    def median_days(self) -> float | None:
        return median(self.turnaround_days)

    @property
    def p90_days(self) -> float | None:
        return percentile(self.turnaround_days, 90)


@dataclass
class RubricResults:
    criteria: list  # [(key, title)]
    levels: list  # [(key, title)], lowest first
    reached: dict  # criterion -> Counter(level key or None)
    movement: dict  # criterion -> Counter("up" | "same" | "down")
    plans_reviewed: int = 0
    plans_compared: int = 0


@dataclass
class LanguageCurve:
    has_hints: bool
    plans_with_hints: int
    revised_plans: int
    categories: list  # [(key, first hints, latest hints)]
    first_words: int
    latest_words: int
    terms: list  # [(term, category, in first versions, in latest versions)]

    @staticmethod
    def rate(hints: int, words: int) -> float | None:
        return round(hints * 1000 / words, 1) if words else None


class Dashboard:
    """The figures of one assignment. Each part is read from the database the first time it is used, so that
    the CSV export of one table runs only the queries that table needs."""

    def __init__(self, assignment, now: datetime, locale: str):
        self.assignment, self.now, self.locale = assignment, now, locale

    @cached_property
    def students(self) -> list[StudentRow]:
        return _student_rows(self.assignment, self.now)

    @cached_property
    def counts(self) -> dict:
        counts = Counter(row.state for row in self.students)
        summary = {state: counts.get(state, 0) for state in STATES}
        summary["overdue"] = sum(1 for row in self.students if row.overdue)
        return summary

    @cached_property
    def _review_load(self):
        return _reviewer_rows(self.assignment, self.students, self.now)

    @property
    def reviewers(self) -> list[ReviewerRow]:
        return self._review_load[0]

    @property
    def unallocated(self) -> int:
        return self._review_load[1]

    @property
    def unallocated_overdue(self) -> int:
        return self._review_load[2]

    @property
    def turnaround_days(self) -> list[float]:
        return self._review_load[3]

    @cached_property
    def rubric(self) -> RubricResults:
        return _rubric(self.assignment, self.locale)

    @cached_property
    def language(self) -> LanguageCurve:
        return _language(self.assignment)

    @property
    def median_days(self) -> float | None:
        return median(self.turnaround_days)

    @property
    def p90_days(self) -> float | None:
        return percentile(self.turnaround_days, 90)

    def reviewer_choices(self) -> list[tuple[int, str]]:
        return [(row.user_id, row.name) for row in self.reviewers]


def median(values: list) -> float | None:
    return round(statistics.median(values), 1) if values else None


def percentile(values: list, p: float) -> float | None:
    """The p-th percentile with linear interpolation between the closest ranks (as spreadsheets do)."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * p / 100
    low, high = math.floor(position), math.ceil(position)
    value = ordered[low] + (ordered[high] - ordered[low]) * (position - low)
    return round(value, 1)


def _days(start: datetime, end: datetime) -> float:
    return (end - start).total_seconds() / 86400


def overdue_kind(state: str, has_submission: bool, assignment, now: datetime) -> str | None:
    """A review is overdue when its plan waits past the review date; a submission when the due date has passed
    and the student has no version under way (never submitted, or withdrew it)."""
    if state in OPEN_FOR_REVIEW_VALUES and now > assignment.review_due_at:
        return "review"
    if state in NOTHING_SUBMITTED_VALUES and not has_submission and now > assignment.due_at:
        return "submission"
    return None


def build(assignment, *, now: datetime | None = None, locale: str = "en") -> Dashboard:
    return Dashboard(assignment, now or utcnow(), locale)


def _student_rows(assignment, now: datetime) -> list[StudentRow]:
    """One row per student of the cohort, and per former student who has a plan for this assignment."""
    rows: dict[int, StudentRow] = {}
    for student_id, name, email, student_number in queries.student_members(assignment.cohort_id):
        rows[student_id] = StudentRow(student_id=student_id, name=name, email=email, member=True,
                                      student_number=student_number or "")
    for plan in queries.plans(assignment):
        row = rows.get(plan.student_id)
        if row is None:
            row = rows[plan.student_id] = StudentRow(student_id=plan.student_id, name=plan.student_name,
                                                     email=plan.student_email, member=False)
        state = plan.state.value if hasattr(plan.state, "value") else str(plan.state)
        has_kept = plan.first_kept is not None
        row.plan_id, row.state, row.versions = plan.id, state, plan.versions
        row.late = bool(has_kept and plan.first_kept_late)
        row.reviewer_id, row.reviewer_name = plan.reviewer_id, plan.reviewer_name or ""
        row.last_release = plan.last_release
        row.first_submitted, row.last_submitted = plan.first_submitted, plan.last_submitted
        moments = (plan.updated_at, plan.draft_saved_at, plan.last_submitted, plan.last_release)
        row.last_activity = max((m for m in moments if m is not None), default=None)
        if state in OPEN_FOR_REVIEW_VALUES and has_kept:
            row.waiting_since = plan.latest_kept_at
        row.overdue = overdue_kind(state, has_kept, assignment, now)
    for row in rows.values():
        if row.plan_id is None:
            row.overdue = overdue_kind(NOT_STARTED, False, assignment, now)
    return sorted(rows.values(), key=lambda r: (r.name.casefold(), r.student_id))


def _reviewer_rows(assignment, students, now):
    by_id: dict[int, ReviewerRow] = {}
    for user_id, name in queries.instructors(assignment.cohort_id):
        by_id[user_id] = ReviewerRow(user_id=user_id, name=name)
    unallocated = unallocated_overdue = 0
    overdue = now > assignment.review_due_at
    for row in students:
        if row.state not in OPEN_FOR_REVIEW_VALUES:
            continue
        if row.reviewer_id is None:
            unallocated += 1
            unallocated_overdue += overdue
            continue
        reviewer = by_id.setdefault(row.reviewer_id, ReviewerRow(user_id=row.reviewer_id, name=row.reviewer_name))
        reviewer.open += 1
        reviewer.overdue += overdue
    all_turnaround = []
    for reviewer_id, name, days in queries.turnaround(assignment):
        days = float(days)
        all_turnaround.append(days)
        if reviewer_id is None:
            continue
        reviewer = by_id.setdefault(reviewer_id, ReviewerRow(user_id=reviewer_id, name=name or ""))
        reviewer.released += 1
        reviewer.turnaround_days.append(days)
    ordered = sorted(by_id.values(), key=lambda r: (r.name.casefold(), r.user_id))
    return ordered, unallocated, unallocated_overdue, all_turnaround


def _rubric(assignment, locale: str) -> RubricResults:
    rubric = assignment.rubric_version
    levels = [(level["key"], localized(level["title"], locale)) for level in rubric.levels]
    criteria = [(criterion["key"], localized(criterion["title"], locale)) for criterion in rubric.criteria]
    order = {key: index for index, (key, _title) in enumerate(levels)}
    reviewed, compared = queries.reviewed_plan_counts(assignment)
    reached: defaultdict[str, Counter[str | None]] = defaultdict(Counter)
    movement: defaultdict[str, Counter[str]] = defaultdict(Counter)
    for criterion, after, plans, up, same, down in queries.levels_and_moves(assignment, order):
        counter = reached[criterion]  # a criterion scored without a level counts as not scored, below
        if after is not None:
            counter[levels[int(after)][0]] += plans
        movement[criterion].update({"up": int(up or 0), "same": int(same or 0), "down": int(down or 0)})
    known = {key for key, _title in criteria}
    for criterion in sorted(set(reached) - known):
        criteria.append((criterion, criterion))  # scored on another rubric version of the same assignment
    for key, _title in criteria:
        # a criterion without a level on a plan's latest released review counts as not scored
        reached[key][None] = reviewed - sum(reached[key].values())
    return RubricResults(criteria=criteria, levels=levels,
                         reached={key: +reached[key] for key, _t in criteria},
                         movement={key: +movement[key] for key, _t in criteria},
                         plans_reviewed=reviewed, plans_compared=compared)


def _counts_of(hints) -> dict | None:
    """The hint counts of a version by category, or None when no hints were stored for it."""
    counts = hints.get("counts") if isinstance(hints, dict) else None
    if not isinstance(counts, dict):
        return None
    return {str(key): int(value) for key, value in counts.items() if isinstance(value, (int, float))}


def _findings_of(hints) -> list:
    findings = hints.get("findings") if isinstance(hints, dict) else None
    return findings if isinstance(findings, list) else []


def _terms(hints) -> Counter:
    return Counter((finding.get("text"), str(finding.get("category") or "")) for finding in _findings_of(hints)
                   if isinstance(finding, dict) and isinstance(finding.get("text"), str))


def _language(assignment) -> LanguageCurve:
    # Each version is boiled down to its words, counts and terms as it is read; the full hints are let go.
    by_plan: defaultdict[int, dict[int, tuple[int, dict | None, Counter]]] = defaultdict(dict)
    for plan_id, number, words, text in queries.first_and_latest_hints(assignment):
        try:
            hints = json.loads(text) if text else None
        except ValueError:
            hints = None
        counts = _counts_of(hints)
        by_plan[plan_id][number] = (words or 0, counts, _terms(hints) if counts is not None else Counter())
    first_counts: Counter[str] = Counter()
    latest_counts: Counter[str] = Counter()
    raw_terms: dict[str, Counter[tuple[str, str]]] = {"first": Counter(), "latest": Counter()}
    first_words = latest_words = revised = with_hints = 0
    categories = set()
    for kept in by_plan.values():
        first_words_of, first, first_terms = kept[min(kept)]
        latest_words_of, latest, latest_terms = kept[max(kept)]
        raw_terms["first"].update(first_terms)
        raw_terms["latest"].update(latest_terms)
        if first is not None or latest is not None:
            with_hints += 1
        # The curve compares the same plans before and after feedback: those revised at least once.
        if len(kept) < 2 or first is None or latest is None:
            continue
        revised += 1
        first_counts.update(first)
        latest_counts.update(latest)
        categories |= set(first) | set(latest)
        first_words += first_words_of
        latest_words += latest_words_of
    known = list(CATEGORY_ORDER)
    ordered = sorted(categories, key=lambda key: (known.index(key) if key in known else len(known), key))
    terms: dict[str, Counter[tuple[str, str]]] = {"first": Counter(), "latest": Counter()}
    for which, counter in raw_terms.items():
        for (text, category), n in counter.items():
            if text.strip():  # "Addict" and "addict" are one term
                terms[which][(" ".join(text.lower().split()), category)] += n
    found = set(terms["first"]) | set(terms["latest"])
    top = sorted(found, key=lambda t: (-terms["first"][t], -terms["latest"][t], t))[:TOP_TERMS]
    return LanguageCurve(
        has_hints=with_hints > 0, plans_with_hints=with_hints, revised_plans=revised,
        categories=[(key, first_counts[key], latest_counts[key]) for key in ordered],
        first_words=first_words, latest_words=latest_words,
        terms=[(text, category, terms["first"][(text, category)], terms["latest"][(text, category)])
               for text, category in top],
    )


# --- the course leader's home: what needs their eye, per assignment -----------------------------------------

RECENT = timedelta(days=7)  # "released this week": feedback released in the last seven days


@dataclass
class Triage:
    assignment: Assignment
    waiting: int
    overdue_reviews: int
    overdue_students: int
    released: int

    def links(self) -> dict[str, dict]:
        """The dashboard's filters that list the plans behind each count."""
        return {"waiting": {"state": "submitted", "reviewer": "none"}, "overdue_reviews": {"overdue": "review"},
                "overdue_students": {"overdue": "submission"}, "released": {"released": "week"}}


def leader_home(user, now: datetime | None = None) -> tuple[list[Triage], list[Triage]]:
    """(current, earlier) assignments of the cohorts `user` leads with their counts. An assignment is current
    until its review date has passed; the current ones come soonest due first, the earlier ones (of earlier terms,
    or just finished) after, the most recent first."""
    now = now or utcnow()
    current: list[Triage] = []
    earlier: list[Triage] = []
    for assignment, *counts in queries.leader_triage(user, now, now - RECENT):
        row = Triage(assignment, *(int(n) for n in counts))
        (current if assignment.review_due_at >= now else earlier).append(row)
    earlier.sort(key=lambda row: (row.assignment.due_at, row.assignment.id), reverse=True)
    return current, earlier


# --- filtering and sorting of the students' table -----------------------------------------------------------

@dataclass
class Filters:
    state: str | None = None
    reviewer: int | str | None = None  # a user id, or "none" for plans without a reviewer
    overdue: bool | str = False  # True for any overdue work, or one kind of it: "submission" | "review"
    released: bool = False  # feedback released in the last seven days
    sort: str = "name"
    direction: str = "asc"

    @classmethod
    def from_args(cls, args) -> Filters:
        """Unknown values are ignored rather than refused: a stale bookmark still shows the page."""
        state = args.get("state") or None
        reviewer = args.get("reviewer") or None
        if reviewer is not None and reviewer != "none":
            reviewer = int(reviewer) if re.fullmatch(r"[0-9]{1,12}", reviewer) else None
        sort = args.get("sort") or "name"
        overdue = args.get("overdue") or ""
        return cls(state=state if state in STATES else None, reviewer=reviewer,
                   overdue=overdue if overdue in OVERDUE_LABELS else overdue in ("1", "yes", "on", "true"),
                   released=args.get("released") == "week",
                   sort=sort if sort in SORT_KEYS else "name",
                   direction="desc" if args.get("dir") == "desc" else "asc")

    def as_args(self, **changes) -> dict:
        overdue = self.overdue if isinstance(self.overdue, str) else "1" if self.overdue else None
        values = {"state": self.state, "reviewer": self.reviewer, "overdue": overdue,
                  "released": "week" if self.released else None,
                  "sort": self.sort if self.sort != "name" else None,
                  "dir": self.direction if self.direction != "asc" else None}
        values.update(changes)
        return {key: value for key, value in values.items() if value not in (None, "")}

    @property
    def active(self) -> bool:
        return bool(self.state or self.reviewer or self.overdue or self.released)


def _sort_value(row: StudentRow, key: str):
    return {
        "name": row.name.casefold(),
        "state": STATES.index(row.state),
        "versions": row.versions,
        "activity": row.last_activity,
        "late": row.late,
        "reviewer": row.reviewer_name.casefold() or None,
        "waiting": row.waiting_since,
        "overdue": row.overdue,
    }[key]


def filtered_students(dashboard: Dashboard, filters: Filters) -> list[StudentRow]:
    rows = dashboard.students
    if filters.state:
        rows = [r for r in rows if r.state == filters.state]
    if filters.reviewer == "none":
        rows = [r for r in rows if r.reviewer_id is None]
    elif filters.reviewer is not None:
        rows = [r for r in rows if r.reviewer_id == filters.reviewer]
    if isinstance(filters.overdue, str):
        rows = [r for r in rows if r.overdue == filters.overdue]
    elif filters.overdue:
        rows = [r for r in rows if r.overdue]
    if filters.released:
        since = dashboard.now - RECENT
        rows = [r for r in rows if r.last_release is not None and r.last_release >= since]
    present = [r for r in rows if _sort_value(r, filters.sort) is not None]
    missing = [r for r in rows if _sort_value(r, filters.sort) is None]  # empty cells last, whichever way
    present.sort(key=lambda r: (_sort_value(r, filters.sort), r.name.casefold(), r.student_id),
                 reverse=filters.direction == "desc")
    return present + missing


# --- tables: one definition for the page and the CSV ---------------------------------------------------------

TABLES = ("states", "students", "reviewers", "rubric", "movement", "language", "terms")


@dataclass
class Table:
    key: str
    columns: list  # column headings
    rows: list  # one list of cell values per row; numbers stay numbers


def table(dashboard: Dashboard, key: str, filters: Filters | None = None) -> Table:
    if key == "states":
        rows = [[str(STATE_LABELS[state]), dashboard.counts[state]] for state in STATES]
        rows.append([_("Overdue"), dashboard.counts["overdue"]])
        return Table(key, [_("State"), _("Students")], rows)
    if key == "students":
        rows = []
        states = {key: str(label) for key, label in STATE_LABELS.items()}  # translated once, not per row
        overdue: dict[str | None, str] = {key: str(label) for key, label in OVERDUE_LABELS.items()}
        overdue[None], yes = "", _("yes")
        for row in filtered_students(dashboard, filters or Filters()):
            name = row.name if row.member else _("%(name)s (no longer a member)", name=row.name)
            rows.append([name, states[row.state], row.versions, row.last_activity, yes if row.late else "",
                         row.reviewer_name, row.waiting_since, overdue[row.overdue]])
        return Table(key, [_("Student"), _("State"), _("Versions"), _("Last activity"), _("Submitted late"),
                           _("Reviewer"), _("Waiting since"), _("Overdue")], rows)
    if key == "reviewers":
        rows = [[r.name, r.open, r.overdue, r.released, r.median_days, r.p90_days] for r in dashboard.reviewers]
        return Table(key, [_("Reviewer"), _("Open reviews"), _("Overdue reviews"), _("Released reviews"),
                           _("Median turnaround (days)"), _("90th percentile turnaround (days)")], rows)
    rubric = dashboard.rubric
    if key == "rubric":
        rows = [[title, *(rubric.reached[c][level] for level, _t in rubric.levels), rubric.reached[c][None]]
                for c, title in rubric.criteria]
        return Table(key, [_("Criterion"), *(title for _k, title in rubric.levels), _("Not scored")], rows)
    if key == "movement":
        rows = [[title, rubric.movement[c]["up"], rubric.movement[c]["same"], rubric.movement[c]["down"]]
                for c, title in rubric.criteria]
        return Table(key, [_("Criterion"), _("Moved up"), _("Stayed the same"), _("Moved down")], rows)
    language = dashboard.language
    if key == "language":
        rows = [[category_label(category), first, language.rate(first, language.first_words), latest,
                 language.rate(latest, language.latest_words)] for category, first, latest in language.categories]
        if language.categories:
            first_total = sum(first for _c, first, _l in language.categories)
            latest_total = sum(latest for _c, _f, latest in language.categories)
            rows.append([_("All categories"), first_total, language.rate(first_total, language.first_words),
                         latest_total, language.rate(latest_total, language.latest_words)])
        return Table(key, [_("Category"), _("Hints in first versions"), _("First versions: per 1,000 words"),
                           _("Hints in latest versions"), _("Latest versions: per 1,000 words")], rows)
    if key == "terms":
        rows = [[term, category_label(category), first, latest] for term, category, first, latest in language.terms]
        return Table(key, [_("Term"), _("Category"), _("In first versions"), _("In latest versions")], rows)
    raise KeyError(key)


def export_table(dashboard: Dashboard, key: str, filters: Filters | None = None) -> Table:
    """A table as its CSV has it: the page's columns, and for the students also what a course leader takes
    elsewhere (e-mail, student number, each criterion's level on the first and the latest version with released
    feedback, and the dates of the first and last submission and the last release)."""
    data = table(dashboard, key, filters)
    if key != "students":
        return data
    rubric = dashboard.rubric  # the criteria's names, also of those scored on another rubric version
    levels = dict(rubric.levels)
    by_plan: defaultdict[int, dict[str, tuple]] = defaultdict(dict)
    for plan_id, criterion, first, latest, _two in queries.levels_per_plan(dashboard.assignment):
        by_plan[plan_id][criterion] = (first, latest)
    columns = [*data.columns, _("E-mail"), _("Student number"), _("First submitted"), _("Last submitted"),
               _("Feedback last released")]
    for _key, title in rubric.criteria:
        columns += [_("%(criterion)s: first reviewed version", criterion=title),
                    _("%(criterion)s: latest reviewed version", criterion=title)]
    level_name = lambda key: levels.get(key, key) or ""  # noqa: E731
    rows = []
    for row, values in zip(filtered_students(dashboard, filters or Filters()), data.rows):
        scored = by_plan.get(row.plan_id or 0, {})
        extra = [row.email, row.student_number, row.first_submitted, row.last_submitted, row.last_release]
        for criterion, _title in rubric.criteria:
            first, latest = scored.get(criterion, (None, None))
            extra += [level_name(first), level_name(latest)]
        rows.append([*values, *extra])
    return Table(key, columns, rows)


def cell_text(value) -> str:
    """How a cell reads on the page, and in the CSV (where dates are ISO 8601, for programs to read)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return format_moment(value)
    if isinstance(value, float):
        return f"{value:.1f}"
    return str(value)  # a Decimal keeps the decimals it was made with (agreement: two)


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value) -> str | int | float:
    """Spreadsheets run cells that start with = + - @ as formulas; a leading quote keeps them text."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return cell_text(value) if isinstance(value, float) else value
    if isinstance(value, datetime):
        return iso_moment(value)  # for programs: ISO 8601 with the offset
    text = cell_text(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_filename(assignment, key: str) -> str:
    ascii_title = unicodedata.normalize("NFKD", assignment.title).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")[:60] or "assignment"
    return f"{slug}-{key}.csv"


def to_csv(data: Table) -> str:
    """The table as CSV, with the byte-order mark spreadsheet programs need to read UTF-8 (Ø, å…)."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([csv_safe(column) for column in data.columns])
    for row in data.rows:
        writer.writerow([csv_safe(value) for value in row])
    return out.getvalue()


# --- do the reviewers agree? ----------------------------------------------------------------------------------

# Where the agreement figures' ratings come from: functions of the assignment's id giving (unit, rater id, criterion
# key, level key) rows: calibration reviews, and each version scored by its reviewer and a second instructor.
RATING_SOURCES: tuple[Callable[[int], list], ...] = (
    calibration_queries.calibration_ratings,
    review_queries.second_opinion_ratings,
)


def load_ratings(assignment_id: int, sources=RATING_SOURCES) -> list[Rating]:
    return [Rating(*row) for source in sources for row in source(assignment_id)]


_STEPS = {0.5: _l("half a level"), 1.0: _l("one level"), 1.5: _l("one and a half levels")}


def offset_words(value: float | None, against: str = "others") -> str:
    """An offset in words, rounded to half a level: "half a level harsher than the others", "in line with the
    reference". Negative offsets are harsher (lower levels), positive milder."""
    if value is None:
        return ""
    steps = round(abs(value) * 2) / 2
    if steps == 0:
        return _("in line with the others") if against == "others" else _("in line with the reference")
    amount = str(_STEPS[steps]) if steps in _STEPS else _("%(n)s levels", n=format_decimal(steps))
    if against == "others":
        return (_("%(amount)s harsher than the others", amount=amount) if value < 0
                else _("%(amount)s milder than the others", amount=amount))
    return (_("%(amount)s harsher than the reference", amount=amount) if value < 0
            else _("%(amount)s milder than the reference", amount=amount))


@dataclass
class RaterRow:
    user_id: int
    name: str
    versus_others: agreement_figures.RaterOffset | None
    versus_reference: agreement_figures.RaterOffset | None


@dataclass
class AgreementFigures:
    criteria: list  # [(key, title)]
    results: list  # [CriterionAgreement], in the order of `criteria`
    raters: list  # [RaterRow]

    @property
    def has_ratings(self) -> bool:
        return bool(self.raters)


def agreement_of(assignment, locale: str, sources=RATING_SOURCES) -> AgreementFigures:
    rubric = assignment.rubric_version
    levels = {criterion["key"]: rubric.level_keys() for criterion in rubric.criteria}
    ratings = load_ratings(assignment.id, sources)
    results = agreement_figures.agreement(ratings, levels)
    versus_others = agreement_figures.offsets(ratings, levels)
    calibration = [r for r in ratings if r.unit.startswith("calibration:")]
    versus_reference = agreement_figures.offsets_from(calibration_queries.reference_levels(assignment.id),
                                                      calibration, levels)
    rater_ids = {r.rater_id for r in ratings}
    names = queries.names(rater_ids)
    raters = sorted((RaterRow(user_id, names.get(user_id, ""), versus_others.get(user_id),
                              versus_reference.get(user_id)) for user_id in rater_ids),
                    key=lambda row: (row.name.casefold(), row.user_id))
    criteria = [(c["key"], localized(c["title"], locale)) for c in rubric.criteria]
    return AgreementFigures(criteria, results, raters)


def two_decimals(value: float) -> Decimal:
    return Decimal(f"{value:.2f}")


def agreement_note(result: agreement_figures.CriterionAgreement) -> str:
    """Why a criterion has no figure, and what it needs."""
    if result.enough:
        return ""
    if result.units_missing:
        return ngettext("not enough data: %(num)d more plan rated by two or more reviewers is needed",
                        "not enough data: %(num)d more plans rated by two or more reviewers are needed",
                        result.units_missing)
    return _("not enough data: every rating is the same level, so agreement cannot be told from chance")


def agreement_table(figures: AgreementFigures) -> Table:
    titles = dict(figures.criteria)
    rows = [[titles[result.criterion_key], None if result.alpha is None else two_decimals(result.alpha), result.units,
             result.raters, agreement_note(result)] for result in figures.results]
    return Table("agreement", [_("Criterion"), _("Agreement (Krippendorff's alpha)"), _("Plans rated by 2 or more"),
                               _("Reviewers"), _("Note")], rows)


def offsets_table(figures: AgreementFigures) -> Table:
    rows = []
    for row in figures.raters:
        others, reference = row.versus_others, row.versus_reference
        rows.append([row.name, offset_words(others.overall if others else None, "others") or _("no plan shared yet"),
                     others.units if others else 0,
                     offset_words(reference.overall if reference else None, "reference") or _("no reference yet"),
                     reference.units if reference else 0])
    return Table("offsets", [_("Reviewer"), _("Compared with the other reviewers"), _("Plans compared"),
                             _("Compared with the reference"), _("Calibration plans compared")], rows)


# --- reviewing the reviews ---------------------------------------------------------------------------------------

@dataclass
class ReviewerQuality:
    user_id: int
    name: str
    released: int
    median_days: float | None
    rated: int
    helpful: int
    reference_offset: float | None
    reference_units: int

    @property
    def helpful_share(self) -> float | None:
        return round(100 * self.helpful / self.rated, 1) if self.rated else None


def reviewer_quality(dashboard: Dashboard) -> list[ReviewerQuality]:
    """Per instructor of the cohort (and anyone else who released a review on the assignment): released reviews,
    median turnaround (as the dashboard's reviewer table), the share of their rated comments students found helpful
    (rated 2 "somewhat" or 3 "very"), and their mean calibration offset from the reference."""
    helpful = {reviewer_id: (rated, found or 0) for reviewer_id, rated, found in
               queries.helpful_ratings(dashboard.assignment)}
    figures = agreement_of(dashboard.assignment, dashboard.locale, (calibration_queries.calibration_ratings,))
    reference = {row.user_id: row.versus_reference for row in figures.raters}
    rows = []
    for reviewer in dashboard.reviewers:
        rated, found = helpful.get(reviewer.user_id, (0, 0))
        offset = reference.get(reviewer.user_id)
        rows.append(ReviewerQuality(reviewer.user_id, reviewer.name, reviewer.released, reviewer.median_days, rated,
                                    found, offset.overall if offset else None, offset.units if offset else 0))
    return rows


def quality_table(rows: list[ReviewerQuality]) -> Table:
    return Table("reviewers", [
        _("Reviewer"), _("Released reviews"), _("Median turnaround (days)"), _("Rated comments"),
        _("Found helpful (%)"), _("Calibration: offset from the reference (levels)"),
        _("Calibration: in words")],
        [[row.name, row.released, row.median_days, row.rated, row.helpful_share,
          None if row.reference_offset is None else two_decimals(row.reference_offset),
          offset_words(row.reference_offset, "reference") or _("not calibrated yet")] for row in rows])
