"""What each domain tells the audit log about its own events: the kinds it records, each with a readable name for
the log's filter, how one of its entries reads as a sentence, and which of its subjects belong to a person (a plan to
its student), so that "everything about this person" finds them. The audit log itself knows no domain."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _


@dataclass
class Context:
    """Names of what the entries on one page mention, read in a few queries (see `audit.queries.context_for`)."""

    users: dict[int, str] = field(default_factory=dict)
    cohorts: dict[int, str] = field(default_factory=dict)
    subjects: dict[str, dict[int, Any]] = field(default_factory=dict)

    def person(self, data: dict, key: str) -> str:
        value = data.get(key)
        if value is None:
            return _("nobody")
        return self.users.get(value, _("account %(id)s", id=value))

    def subject(self, entry) -> Any | None:
        return self.subjects.get(entry.subject_type, {}).get(entry.subject_id)


Describe = Callable[[Any, Context], str | None]  # None: the generic "key: value" line


@dataclass(frozen=True)
class Group:
    prefix: str  # "plan." : every kind of the group starts with it
    label: Any  # "All plan transitions"
    kinds: dict[str, Any]  # "plan.submit" → "Plan submitted"
    describe: Describe | None


@dataclass(frozen=True)
class Subject:
    """A kind of subject entries are about: its readable names, and (if it belongs to a person) whose it is."""

    names: Callable[[set[int]], dict[int, Any]]
    owners: Callable[[], Any] | None = None  # a select of (subject id, person id) rows


GROUPS: dict[str, Group] = {}
SUBJECTS: dict[str, Subject] = {}
# Keys in an entry's data that hold an account's id: its name is read for the sentence.
PERSON_KEYS: set[str] = {"user_id"}


def describe_events(prefix: str, label, kinds: dict[str, Any], describe: Describe | None = None,
                    person_keys: tuple[str, ...] = ()) -> None:
    """Called once by a domain for each group of events it records."""
    GROUPS[prefix] = Group(prefix, label, kinds, describe)
    PERSON_KEYS.update(person_keys)


def describe_subject(subject_type: str, names: Callable[[set[int]], dict[int, Any]],
                     owners: Callable[[], Any] | None = None) -> None:
    SUBJECTS[subject_type] = Subject(names, owners)


def kind_labels() -> dict[str, Any]:
    """Every group (ending in ".") and kind with its readable name, group by group in the order domains told."""
    labels: dict[str, Any] = {}
    for group in GROUPS.values():
        labels[group.prefix] = group.label
        labels.update(group.kinds)
    return labels


def describe(entry, context: Context) -> str:
    """One readable sentence about an entry: its domain's, else its data as "key: value"."""
    group = GROUPS.get(entry.kind.split(".", 1)[0] + ".")
    text = group.describe(entry, context) if group is not None and group.describe is not None else None
    if text is not None:
        return text
    data = entry.data or {}
    return ", ".join(f"{key}: {value}" for key, value in sorted(data.items()) if not isinstance(value, (dict, list)))
