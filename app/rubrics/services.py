"""Rubric use cases that read: what changed between two versions of a rubric."""
from __future__ import annotations

from dataclasses import dataclass, field

from app.cases.models import localized
from app.textdiff import FieldChange, has_changes
from app.textdiff import segments as word_diff


@dataclass
class CriterionChange:
    key: str
    status: str  # "added" | "removed" | "changed" | "unchanged"
    title: str
    fields: list[FieldChange] = field(default_factory=list)  # "title", "description", or a level key


@dataclass
class RubricDiff:
    old: object
    new: object
    lang: str
    details: list[FieldChange]
    levels: list[FieldChange]  # name: a level key; the change of its title (added or removed: all words)
    criteria: list[CriterionChange]

    @property
    def changed_criteria(self) -> list[CriterionChange]:
        return [c for c in self.criteria if c.status != "unchanged"]

    @property
    def has_changes(self) -> bool:
        return bool(self.details or self.levels or self.changed_criteria)


def diff_rubric_versions(old, new, lang: str) -> RubricDiff:
    """What changed between two rubric versions, in one language: levels, criteria, descriptors."""
    details = [FieldChange(name, word_diff(before, after, context=40)) for name, before, after in (
        ("title", old.title_in(lang), new.title_in(lang)),
        ("description", old.description_in(lang), new.description_in(lang)),
    ) if before != after]

    old_levels = {level["key"]: localized(level["title"], lang) for level in old.levels}
    new_levels = {level["key"]: localized(level["title"], lang) for level in new.levels}
    level_keys = list(new_levels) + [k for k in old_levels if k not in new_levels]
    levels = [FieldChange(key, word_diff(old_levels.get(key, ""), new_levels.get(key, ""), context=40))
              for key in level_keys if old_levels.get(key) != new_levels.get(key)]

    old_criteria = {c["key"]: c for c in old.criteria}
    new_criteria = {c["key"]: c for c in new.criteria}
    keys = list(new_criteria) + [k for k in old_criteria if k not in new_criteria]
    criteria = []
    for key in keys:
        before, after = old_criteria.get(key), new_criteria.get(key)
        status = "added" if before is None else "removed" if after is None else "changed"
        shown = after or before
        fields = []
        for name, getter in (("title", lambda c: localized(c["title"], lang)),
                             ("description", lambda c: localized(c["description"], lang))):
            fields.append(FieldChange(name, word_diff(getter(before) if before else "", getter(after) if after else "",
                                                      context=40)))
        for level_key in level_keys:
            fields.append(FieldChange(level_key, word_diff(_descriptor(before, level_key, lang),
                                                           _descriptor(after, level_key, lang), context=40)))
        fields = [f for f in fields if has_changes(f.segments)]
        if status == "changed" and not fields:
            status = "unchanged"
        assert shown is not None  # the key came from one of the two versions
        criteria.append(CriterionChange(key, status, localized(shown["title"], lang), fields))
    return RubricDiff(old, new, lang, details, levels, criteria)


def _descriptor(criterion: dict | None, level_key: str, lang: str) -> str:
    if not criterion:
        return ""
    return localized(criterion.get("descriptors", {}).get(level_key), lang)
