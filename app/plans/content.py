"""The care plan's structure: sections, goal and measure rows, and turning input into clean plan content."""
from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l


@dataclass(frozen=True)
class Section:
    key: str
    title: object  # lazy string
    hint: object
    kind: str = "markdown"  # markdown | goals | measures


SECTIONS = [
    Section("what_matters", _l("What matters to me"),
            _l("In the person's own voice: \"I want…\". What makes a good day? What do they want to keep, change or avoid?")),
    Section("strengths", _l("My strengths and resources"),
            _l("Skills, interests, people, past successes — what the person can build on.")),
    Section("network", _l("My network"),
            _l("Family, friends, peers and services the person trusts, and who may be contacted.")),
    Section("goals", _l("My goals"),
            _l("Two to six goals in the person's words, each with a time frame."), "goals"),
    Section("measures", _l("Measures"),
            _l("What will be done, who is responsible (service and role), by when, and which goal it serves."), "measures"),
    Section("coordinator", _l("Coordinator"),
            _l("Who follows up and holds the plan together, and how to reach them.")),
    Section("crisis_plan", _l("Crisis plan"),
            _l("Early signs, what helps, what to avoid, and who to call day and night.")),
    Section("evaluation", _l("Evaluation"),
            _l("When and with whom the plan is reviewed, for example every three months with the person.")),
    Section("consent", _l("Consent and sharing"),
            _l("What the person agrees to share, and with whom.")),
]
TEXT_SECTIONS = [s.key for s in SECTIONS if s.kind == "markdown"]
SECTION_BY_KEY = {s.key: s for s in SECTIONS}

MAX_SECTION_CHARS = 20_000
MAX_ROWS = 30
MAX_FIELD_CHARS = 2_000
GOAL_FIELDS = ("text", "timeframe")
MEASURE_FIELDS = ("what", "service", "role", "due", "goal_id")
ROW_ID = re.compile(r"^[a-z][a-z0-9]{0,15}$")
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")  # all below a space but tab, CR and LF


# What each field of a goal's or a measure's row is called beside the row's name ("Goal 2 — Time frame"), as the
# editor labels it.
FIELD_LABELS = {"text": _l("in the person's words"), "timeframe": _l("Time frame"), "what": _l("what will be done"),
                "service": _l("Responsible service"), "role": _l("Role"), "due": _l("When / by when"),
                "goal_id": _l("Serves goal")}
# The limits the editor shows, by kind of field (the same as the checks below).
LIMITS = {"section": MAX_SECTION_CHARS, "field": MAX_FIELD_CHARS}


class ContentProblem(ValueError):
    """Plan content that cannot be stored (wrong shape or too long). A text too long names its field as the editor
    does (`field`: "section-evaluation", "goal-1-timeframe") and says by how much (`over`) it passes `limit`."""

    def __init__(self, reason: str, field: str | None = None, over: int = 0, limit: int = 0):
        super().__init__(reason)
        self.field, self.over, self.limit = field, over, limit


def text_length(value: str) -> int:
    """How long a text counts against its limit: as it is stored, without control characters and with plain line
    breaks (a browser sends each line break of a text area as two characters)."""
    return len(CONTROL_CHARACTERS.sub("", value).replace("\r\n", "\n"))


def too_long_message(over: int, limit: int) -> str:
    """What a field too long says next to it (the editor's script says the same, from the same words)."""
    return _("Too long by %(n)s (the limit is %(limit)s characters). Shorten the text to save it.", n=over,
             limit=limit)


def empty_content() -> dict:
    return {"sections": {key: "" for key in TEXT_SECTIONS}, "goals": [], "measures": []}


def new_row_id(prefix: str) -> str:
    return prefix + secrets.token_hex(4)


def _text(value, limit: int, names: Callable[[], tuple[str, str]]) -> str:
    """`value` as the text of a plan's field, or a ContentProblem saying why not. `names` gives the field's name in
    a message and as the editor names it, asked only for a field that does not pass (an autosave checks a hundred
    fields that do)."""
    if value is None:
        return ""
    if not isinstance(value, str) or len(value) > limit:  # (cleaning below never lengthens a text)
        what, field = names()
    if not isinstance(value, str):
        raise ContentProblem(f"{what} must be text")
    # Control characters other than line breaks and tabs never belong in a plan.
    value = CONTROL_CHARACTERS.sub("", value).replace("\r\n", "\n")
    if len(value) > limit:
        over = len(value) - limit
        raise ContentProblem(_("%(field)s is too long by %(n)s (the limit is %(limit)s characters)", field=field_label(field),
                               n=over, limit=limit), field=field, over=over, limit=limit)
    return value


def _section_names(key: str) -> tuple[str, str]:
    return f"section {key}", f"section-{key}"


def _row_names(rows: str, index: int, field: str) -> tuple[str, str]:
    return f"{rows} {field}", f"{rows[:-1]}-{index}-{field}"


def field_label(name: str) -> str:
    """A field named as the editor names it ("section-evaluation", "goal-1-timeframe"), as its label reads there
    ("Evaluation", "Goal 2 — Time frame")."""
    kind, _sep, rest = name.partition("-")
    if kind == "section":
        return str(SECTION_BY_KEY[rest].title)
    index, _sep, field = rest.partition("-")
    row = _("Goal %(n)d", n=int(index) + 1) if kind == "goal" else _("Measure %(n)d", n=int(index) + 1)
    return f"{row} — {FIELD_LABELS[field]}"


def over_limits(raw) -> dict[str, int]:
    """The fields of content as a client sent it that are longer than their limits: by the editor's name of the
    field ("section-evaluation", "measure-0-due"), how many characters too long. Empty for content that was saved."""
    over: dict[str, int] = {}

    def check(name: str, value, limit: int) -> None:
        if isinstance(value, str) and text_length(value) > limit:
            over[name] = text_length(value) - limit

    sections = raw.get("sections") if isinstance(raw, dict) else None
    if isinstance(sections, dict):
        for key in TEXT_SECTIONS:
            check(f"section-{key}", sections.get(key), MAX_SECTION_CHARS)
    for kind, fields in (("goal", GOAL_FIELDS), ("measure", MEASURE_FIELDS)):
        rows = raw.get(kind + "s") if isinstance(raw, dict) else None
        for index, row in enumerate(rows if isinstance(rows, list) else []):
            for field in fields:
                check(f"{kind}-{index}-{field}", row.get(field) if isinstance(row, dict) else None, MAX_FIELD_CHARS)
    return over


def normalise(raw) -> dict:
    """Check and clean plan content from a client. Raises ContentProblem with a reason."""
    if not isinstance(raw, dict):
        raise ContentProblem("the plan must be an object with sections, goals and measures")
    sections_raw = raw.get("sections") or {}
    if not isinstance(sections_raw, dict):
        raise ContentProblem("sections must be an object")
    sections = {key: _text(sections_raw.get(key), MAX_SECTION_CHARS, partial(_section_names, key))
                for key in TEXT_SECTIONS}

    def rows(name: str, fields: tuple, prefix: str) -> list[dict]:
        value = raw.get(name) or []
        if not isinstance(value, list):
            raise ContentProblem(f"{name} must be a list")
        if len(value) > MAX_ROWS:
            raise ContentProblem(f"at most {MAX_ROWS} {name}")
        result, seen = [], set()
        for index, row in enumerate(value):
            if not isinstance(row, dict):
                raise ContentProblem(f"each of the {name} must be an object")
            row_id = row.get("id")
            if not isinstance(row_id, str) or not ROW_ID.match(row_id) or row_id in seen:
                row_id = new_row_id(prefix)
            seen.add(row_id)
            clean = {"id": row_id}
            for field in fields:
                clean[field] = _text(row.get(field), MAX_FIELD_CHARS, partial(_row_names, name, index, field)).strip()
            if any(clean[f] for f in fields if f != "goal_id"):
                result.append(clean)
        return result

    goals = rows("goals", GOAL_FIELDS, "g")
    measures = rows("measures", MEASURE_FIELDS, "m")
    goal_ids = {g["id"] for g in goals}
    for measure in measures:
        if measure["goal_id"] not in goal_ids:
            measure["goal_id"] = ""
    return {"sections": sections, "goals": goals, "measures": measures}


def form_content(form, prefix: str = "") -> dict:
    """Plan content as the editor's plain HTML form sends it (fields named `section-…`, `goal-2-text`, …, each with
    `prefix` in front), before it is checked: line breaks as the text areas hold them."""
    def value(name: str) -> str:
        return form.get(prefix + name, "").replace("\r\n", "\n")

    sections = {key: value(f"section-{key}") for key in TEXT_SECTIONS}

    def rows(kind: str, fields: tuple) -> list[dict]:
        start = f"{prefix}{kind}-"
        indexes = sorted({int(k[len(start):].split("-")[0]) for k in form.keys()
                          if k.startswith(start) and k[len(start):].split("-")[0].isdigit()})
        return [{"id": value(f"{kind}-{i}-id"), **{f: value(f"{kind}-{i}-{f}") for f in fields}} for i in indexes]

    return {"sections": sections, "goals": rows("goal", GOAL_FIELDS), "measures": rows("measure", MEASURE_FIELDS)}


def plain_text(content: dict) -> str:
    """All the words of a plan, for counting and language checks."""
    parts = [content["sections"].get(key, "") for key in TEXT_SECTIONS]
    for goal in content.get("goals", []):
        parts += [goal.get("text", ""), goal.get("timeframe", "")]
    for measure in content.get("measures", []):
        parts += [measure.get(f, "") for f in ("what", "service", "role", "due")]
    return "\n\n".join(p for p in parts if p)


def word_count(content: dict) -> int:
    return len(re.findall(r"\w+", plain_text(content)))


def is_empty(content: dict) -> bool:
    return not plain_text(content).strip()
