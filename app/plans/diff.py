"""Section-by-section differences between two plan versions, goals and measures row by row."""
from __future__ import annotations

from dataclasses import dataclass, field

from app.plans.content import GOAL_FIELDS, MEASURE_FIELDS, SECTIONS
from app.textdiff import word_diff


@dataclass
class RowDiff:
    status: str  # added | removed | changed | same
    fields: dict = field(default_factory=dict)  # field -> Markup


@dataclass
class SectionDiff:
    key: str
    title: object
    kind: str
    changed: bool
    html: object = None
    rows: list = field(default_factory=list)


def _rows(old_rows: list, new_rows: list, fields: tuple, goal_titles: dict) -> tuple[list[RowDiff], bool]:
    old_by_id = {row["id"]: row for row in old_rows}
    new_ids = {row["id"] for row in new_rows}
    result, changed = [], False

    def text(row, name):
        value = row.get(name, "")
        return goal_titles.get(value, value) if name == "goal_id" else value

    for row in new_rows:
        before = old_by_id.get(row["id"])
        diff = RowDiff("added" if before is None else "same")
        for name in fields:
            html, moved = word_diff(text(before, name) if before else "", text(row, name))
            diff.fields[name] = html
            if moved and before is not None:
                diff.status = "changed"
        changed |= diff.status != "same"
        result.append(diff)
    for row in old_rows:
        if row["id"] not in new_ids:
            diff = RowDiff("removed", {name: word_diff(text(row, name), "")[0] for name in fields})
            result.append(diff)
            changed = True
    if [r["id"] for r in old_rows if r["id"] in new_ids] != [r["id"] for r in new_rows if r["id"] in old_by_id]:
        changed = True  # the same rows in a new order
    return result, changed


def diff_plans(old: dict, new: dict) -> list[SectionDiff]:
    titles = {g["id"]: g.get("text", "") for g in old.get("goals", []) + new.get("goals", [])}
    result = []
    for section in SECTIONS:
        if section.kind == "markdown":
            html, changed = word_diff(old["sections"].get(section.key, ""), new["sections"].get(section.key, ""))
            result.append(SectionDiff(section.key, section.title, section.kind, changed, html=html))
        elif section.kind == "goals":
            rows, changed = _rows(old.get("goals", []), new.get("goals", []), GOAL_FIELDS, {})
            result.append(SectionDiff(section.key, section.title, section.kind, changed, rows=rows))
        else:
            rows, changed = _rows(old.get("measures", []), new.get("measures", []), MEASURE_FIELDS, titles)
            result.append(SectionDiff(section.key, section.title, section.kind, changed, rows=rows))
    return result
