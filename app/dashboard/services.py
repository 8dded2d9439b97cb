"""The progress dashboard of one assignment: who is where, reviewer load and turnaround, rubric results and the
language learning curve. Everything is computed here from the rows of `app.dashboard.queries`; views and
templates only show it. Every table has the same columns on the page and in its CSV export."""
from __future__ import annotations

import csv
import io
import math
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.assignments.services import to_local
from app.cases.models import localized
from app.dashboard import queries
from app.db import utcnow
from app.plans.workflow import PlanState

NOT_STARTED = "not_started"
STATES = (NOT_STARTED, PlanState.draft.value, PlanState.submitted.value, PlanState.in_review.value,
          PlanState.returned.value, PlanState.completed.value)
OPEN_STATES = (PlanState.submitted.value, PlanState.in_review.value)

STATE_LABELS = {
    NOT_STARTED: _l("Not started"),
    PlanState.draft.value: _l("Drafting"),
    PlanState.submitted.value: _l("Waiting for review"),
    PlanState.in_review.value: _l("In review"),
    PlanState.returned.value: _l("Returned"),
    PlanState.completed.value: _l("Completed"),
}
OVERDUE_LABELS = {"submission": _l("submission overdue"), "review": _l("review overdue")}

# The language assistant's categories, in the order it explains them.
CATEGORY_LABELS = {
    "label": _l("Labels"),
    "moral": _l("Moral words"),
    "doubt": _l("Doubting words"),
    "deficit": _l("Deficit words"),
    "jargon": _l("Jargon and abbreviations"),
    "coercion": _l("Coercive words"),
    "passive": _l("Passive voice"),
}

SORT_KEYS = ("name", "state", "versions", "activity", "late", "reviewer", "waiting", "overdue")
TOP_TERMS = 15


def category_label(key: str) -> str:
    return str(CATEGORY_LABELS.get(key, key))


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


@dataclass
class Dashboard:
    assignment: object
    now: datetime
    students: list
    counts: dict
    reviewers: list
    unallocated: int
    unallocated_overdue: int
    turnaround_days: list
    rubric: RubricResults
    language: LanguageCurve

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
    if state in OPEN_STATES and now > assignment.review_due_at:
        return "review"
    if state in (NOT_STARTED, PlanState.draft.value) and not has_submission and now > assignment.due_at:
        return "submission"
    return None


def build(assignment, *, now: datetime | None = None, locale: str = "en") -> Dashboard:
    now = now or utcnow()
    versions_by_plan = defaultdict(list)
    for version in queries.versions(assignment):
        versions_by_plan[version.plan_id].append(version)
    reviews = queries.reviews(assignment)
    released_at_by_plan = defaultdict(list)
    for review in reviews:
        if review.released_at is not None:
            released_at_by_plan[review.plan_id].append(review.released_at)

    rows: dict[int, StudentRow] = {}
    for student_id, name, email in queries.student_members(assignment.cohort_id):
        rows[student_id] = StudentRow(student_id=student_id, name=name, email=email, member=True)
    for plan in queries.plans(assignment):
        row = rows.get(plan.student_id)
        if row is None:
            row = rows[plan.student_id] = StudentRow(student_id=plan.student_id, name=plan.student_name,
                                                     email=plan.student_email, member=False)
        versions = versions_by_plan.get(plan.id, [])
        kept = [v for v in versions if v.withdrawn_at is None]
        state = plan.state.value if hasattr(plan.state, "value") else str(plan.state)
        row.plan_id, row.state, row.versions = plan.id, state, len(versions)
        row.late = bool(kept and kept[0].late)
        row.reviewer_id, row.reviewer_name = plan.reviewer_id, plan.reviewer_name or ""
        moments = [plan.updated_at, plan.draft_saved_at, *(v.submitted_at for v in versions),
                   *released_at_by_plan.get(plan.id, [])]
        row.last_activity = max((m for m in moments if m is not None), default=None)
        if state in OPEN_STATES and kept:
            row.waiting_since = kept[-1].submitted_at
        row.overdue = overdue_kind(state, bool(kept), assignment, now)
    for row in rows.values():
        if row.plan_id is None:
            row.overdue = overdue_kind(NOT_STARTED, False, assignment, now)
    students = sorted(rows.values(), key=lambda r: (r.name.casefold(), r.student_id))

    counts = Counter(row.state for row in students)
    summary = {state: counts.get(state, 0) for state in STATES}
    summary["overdue"] = sum(1 for row in students if row.overdue)

    reviewers, unallocated, unallocated_overdue, all_turnaround = _reviewers(assignment, students, reviews, now)
    return Dashboard(
        assignment=assignment, now=now, students=students, counts=summary, reviewers=reviewers,
        unallocated=unallocated, unallocated_overdue=unallocated_overdue, turnaround_days=all_turnaround,
        rubric=_rubric(assignment, reviews, locale), language=_language(assignment),
    )


def _reviewers(assignment, students, reviews, now):
    by_id: dict[int, ReviewerRow] = {}
    for user_id, name in queries.instructors(assignment.cohort_id):
        by_id[user_id] = ReviewerRow(user_id=user_id, name=name)
    unallocated = unallocated_overdue = 0
    for row in students:
        if row.state not in OPEN_STATES:
            continue
        overdue = now > assignment.review_due_at
        if row.reviewer_id is None:
            unallocated += 1
            unallocated_overdue += overdue
            continue
        reviewer = by_id.setdefault(row.reviewer_id, ReviewerRow(user_id=row.reviewer_id, name=row.reviewer_name))
        reviewer.open += 1
        reviewer.overdue += overdue
    all_turnaround = []
    for review in reviews:
        if review.released_at is None:
            continue
        days = _days(review.submitted_at, review.released_at)
        all_turnaround.append(days)
        if review.reviewer_id is None:
            continue
        reviewer = by_id.setdefault(review.reviewer_id,
                                    ReviewerRow(user_id=review.reviewer_id, name=review.reviewer_name or ""))
        reviewer.released += 1
        reviewer.turnaround_days.append(days)
    ordered = sorted(by_id.values(), key=lambda r: (r.name.casefold(), r.user_id))
    return ordered, unallocated, unallocated_overdue, all_turnaround


def _rubric(assignment, reviews, locale: str) -> RubricResults:
    rubric = assignment.rubric_version
    levels = [(level["key"], localized(level["title"], locale)) for level in rubric.levels]
    criteria = [(criterion["key"], localized(criterion["title"], locale)) for criterion in rubric.criteria]
    order = {key: index for index, (key, _title) in enumerate(levels)}
    scores = defaultdict(dict)
    for review_id, criterion, level in queries.released_scores(assignment):
        scores[review_id][criterion] = level
    known = {key for key, _title in criteria}
    for criterion in sorted({c for by_criterion in scores.values() for c in by_criterion} - known):
        criteria.append((criterion, criterion))  # scored on another rubric version of the same assignment
    released = defaultdict(list)
    for review in reviews:
        if review.released_at is not None:
            released[review.plan_id].append(review)
    reached = {key: Counter() for key, _title in criteria}
    movement = {key: Counter() for key, _title in criteria}
    compared = 0
    for plan_reviews in released.values():
        plan_reviews.sort(key=lambda r: r.number)
        latest = scores.get(plan_reviews[-1].id, {})
        for key in reached:
            level = latest.get(key)
            reached[key][level if level in order else None] += 1
        if len(plan_reviews) < 2:
            continue
        compared += 1
        first = scores.get(plan_reviews[0].id, {})
        for key in movement:
            before, after = first.get(key), latest.get(key)
            if before not in order or after not in order:
                continue
            step = order[after] - order[before]
            movement[key]["up" if step > 0 else "down" if step < 0 else "same"] += 1
    return RubricResults(criteria=criteria, levels=levels, reached=reached, movement=movement,
                         plans_reviewed=len(released), plans_compared=compared)


def _counts_of(hints) -> dict | None:
    """The hint counts of a version, or None when no hints were stored for it."""
    if not isinstance(hints, dict) or not isinstance(hints.get("counts"), dict):
        return None
    return {str(key): int(value) for key, value in hints["counts"].items() if isinstance(value, (int, float))}


def _terms_of(hints) -> list[tuple[str, str]]:
    found = []
    for finding in (hints or {}).get("findings") or []:
        if isinstance(finding, dict) and isinstance(finding.get("text"), str) and finding["text"].strip():
            found.append((" ".join(finding["text"].lower().split()), str(finding.get("category") or "")))
    return found


def _language(assignment) -> LanguageCurve:
    by_plan = defaultdict(dict)
    for plan_id, number, words, hints in queries.first_and_latest_hints(assignment):
        by_plan[plan_id][number] = (words or 0, hints)
    first_counts, latest_counts = Counter(), Counter()
    first_terms, latest_terms = Counter(), Counter()
    first_words = latest_words = revised = with_hints = 0
    categories = set()
    for kept in by_plan.values():
        first, latest = kept[min(kept)], kept[max(kept)]
        first_hint_counts, latest_hint_counts = _counts_of(first[1]), _counts_of(latest[1])
        if first_hint_counts is not None or latest_hint_counts is not None:
            with_hints += 1
        if first_hint_counts is not None:
            first_terms.update(_terms_of(first[1]))
        if latest_hint_counts is not None:
            latest_terms.update(_terms_of(latest[1]))
        # The curve compares the same plans before and after feedback: those revised at least once.
        if len(kept) < 2 or first_hint_counts is None or latest_hint_counts is None:
            continue
        revised += 1
        first_counts.update(first_hint_counts)
        latest_counts.update(latest_hint_counts)
        categories |= set(first_hint_counts) | set(latest_hint_counts)
        first_words += first[0]
        latest_words += latest[0]
    known = list(CATEGORY_LABELS)
    ordered = sorted(categories, key=lambda key: (known.index(key) if key in known else len(known), key))
    terms = sorted(set(first_terms) | set(latest_terms),
                   key=lambda term: (-first_terms[term], -latest_terms[term], term))[:TOP_TERMS]
    return LanguageCurve(
        has_hints=with_hints > 0, plans_with_hints=with_hints, revised_plans=revised,
        categories=[(key, first_counts[key], latest_counts[key]) for key in ordered],
        first_words=first_words, latest_words=latest_words,
        terms=[(term, category, first_terms[(term, category)], latest_terms[(term, category)])
               for term, category in terms],
    )


# --- filtering and sorting of the students' table -----------------------------------------------------------

@dataclass
class Filters:
    state: str | None = None
    reviewer: int | str | None = None  # a user id, or "none" for plans without a reviewer
    overdue: bool = False
    sort: str = "name"
    direction: str = "asc"

    @classmethod
    def from_args(cls, args) -> "Filters":
        """Unknown values are ignored rather than refused: a stale bookmark still shows the page."""
        state = args.get("state") or None
        reviewer = args.get("reviewer") or None
        if reviewer is not None and reviewer != "none":
            reviewer = int(reviewer) if reviewer.isdigit() else None
        sort = args.get("sort") or "name"
        return cls(state=state if state in STATES else None, reviewer=reviewer,
                   overdue=(args.get("overdue") or "") in ("1", "yes", "on", "true"),
                   sort=sort if sort in SORT_KEYS else "name",
                   direction="desc" if args.get("dir") == "desc" else "asc")

    def as_args(self, **changes) -> dict:
        values = {"state": self.state, "reviewer": self.reviewer, "overdue": "1" if self.overdue else None,
                  "sort": self.sort if self.sort != "name" else None,
                  "dir": self.direction if self.direction != "asc" else None}
        values.update(changes)
        return {key: value for key, value in values.items() if value not in (None, "")}

    @property
    def active(self) -> bool:
        return bool(self.state or self.reviewer or self.overdue)


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
    if filters.overdue:
        rows = [r for r in rows if r.overdue]
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
        for row in filtered_students(dashboard, filters or Filters()):
            name = row.name if row.member else _("%(name)s (no longer a member)", name=row.name)
            rows.append([name, str(STATE_LABELS[row.state]), row.versions, row.last_activity,
                         _("yes") if row.late else "", row.reviewer_name, row.waiting_since,
                         str(OVERDUE_LABELS[row.overdue]) if row.overdue else ""])
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


def cell_text(value) -> str:
    """How a cell reads, on the page and in the CSV alike."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return to_local(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, float):
        return f"{value:.1f}"
    return str(value)


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value) -> str | int | float:
    """Spreadsheets run cells that start with = + - @ as formulas; a leading quote keeps them text."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return cell_text(value) if isinstance(value, float) else value
    text = cell_text(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def to_csv(data: Table) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([csv_safe(column) for column in data.columns])
    for row in data.rows:
        writer.writerow([csv_safe(value) for value in row])
    return out.getvalue()
