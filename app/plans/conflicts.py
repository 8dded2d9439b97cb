"""Two copies of one plan's draft side by side, part by part, and the draft made of the parts the student keeps.

When a save meets a newer save from another tab or device, the student sees each part of the plan that differs:
a section paired with the same section (by its key), a goal or a measure with the same goal or measure (by its id,
wherever it stands in either list), and the order of the goals or measures where that differs. For each part they
keep their text or take the newer one; the choice already made is the side that changed the part since the copy
the student's tab started from (its *base*), so that what both tabs typed is kept unless the student decides
otherwise."""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from flask_babel import gettext as _

from app.memo import MB, SizedStore
from app.plans.content import GOAL_FIELDS, MEASURE_FIELDS, SECTIONS, TEXT_SECTIONS, normalise

MINE, THEIRS = "mine", "theirs"
ROW_FIELDS = {"goal": GOAL_FIELDS, "measure": MEASURE_FIELDS}


@dataclass(frozen=True)
class Part:
    """One part of the plan as the two copies have it: the readable text of each (None where that copy has no such
    goal or measure) and the side chosen until the student says otherwise."""
    key: str  # "section:strengths", "goal:g1", "measure:m2", "order:goal"
    label: str
    mine: str | None
    theirs: str | None
    choice: str  # MINE or THEIRS

    @property
    def html_id(self) -> str:
        return "part-" + self.key.replace(":", "-")


def _print(value) -> str:
    text = json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.blake2b(text.encode(), digest_size=6).hexdigest()


def _row_value(row: dict, kind: str) -> dict:
    return {field: row.get(field, "") for field in ROW_FIELDS[kind]}


def fingerprints(content: dict) -> dict:
    """What a copy of the plan held, part by part, in a few bytes: a short fingerprint of each section's text and
    each goal's and measure's fields, and the order of the goals and of the measures (their ids). The editor sends it
    with its copy (the *base*), so that a conflict can tell which side changed a part."""
    prints: dict = {f"section:{key}": _print(content["sections"].get(key, "")) for key in TEXT_SECTIONS}
    for kind in ROW_FIELDS:
        rows = content.get(kind + "s", [])
        prints.update({f"{kind}:{row['id']}": _print(_row_value(row, kind)) for row in rows})
        prints[f"order:{kind}"] = [row["id"] for row in rows]
    return prints


# The editor's base of each text a student reopens, by the text's fingerprint (`app.fragments.fingerprint`): a few
# hundred bytes each, so thousands fit.
_BASES = SizedStore(2 * MB)


def base_of(content: dict, content_print: str) -> dict:
    """`fingerprints(content)`, kept by the fingerprint of the whole content: the editor sends the same base again
    for every opening of the same text. The answer is shared: read it, do not change it."""
    return _BASES.get_or_make(content_print, lambda: fingerprints(content))


def read_base(raw) -> dict | None:
    """A base as the editor sends it: fingerprints (from the form, as JSON text) or a whole plan (from the script).
    Anything else is no base at all: then every part starts on the student's side."""
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except ValueError:
            return None
    if not isinstance(raw, dict):
        return None
    if "sections" in raw:
        try:
            return fingerprints(normalise(raw))
        except ValueError:
            return None
    if all(isinstance(key, str) and (isinstance(value, str) or (isinstance(value, list) and all(
            isinstance(item, str) for item in value))) for key, value in raw.items()):
        return raw
    return None


def _choice(base: dict | None, key: str, mine_print) -> str:
    """The newer text where this tab left the part as it found it; the student's own text where they changed it."""
    if base is None:
        return MINE
    return THEIRS if base.get(key) == mine_print else MINE


def _row_text(row: dict, kind: str, goals: list[dict]) -> str:
    if kind == "goal":
        return " — ".join(part for part in (row.get("text", ""), row.get("timeframe", "")) if part)
    text = " · ".join(row.get(field, "") for field in ("what", "service", "role", "due") if row.get(field))
    # The goal it serves, by its words: its number may differ between the two texts when one reordered the goals.
    goal = next((goal for goal in goals if goal["id"] == row.get("goal_id")), None)
    if goal is not None:
        words = goal.get("text", "")
        text += (" → " if text else "→ ") + (words if len(words) <= 40 else words[:39] + "…")
    return text


def _row_label(kind: str, number: int) -> str:
    return _("Goal %(n)d", n=number) if kind == "goal" else _("Measure %(n)d", n=number)


def _order_text(rows: list[dict], kind: str, goals: list[dict]) -> str:
    return "\n".join(f"{n}. {_row_text(row, kind, goals)}" for n, row in enumerate(rows, 1))


def _shared_order(rows: list[dict], other_ids: set) -> list[str]:
    return [row["id"] for row in rows if row["id"] in other_ids]


def _row_parts(kind: str, mine: dict, theirs: dict, base: dict | None) -> list[Part]:
    mine_rows, their_rows = mine.get(kind + "s", []), theirs.get(kind + "s", [])
    mine_by_id = {row["id"]: row for row in mine_rows}
    their_by_id = {row["id"]: row for row in their_rows}
    parts = []
    # The order, where the goals (or measures) both copies have stand in a different order.
    if _shared_order(mine_rows, set(their_by_id)) != _shared_order(their_rows, set(mine_by_id)):
        key = f"order:{kind}"
        base_order = base.get(key) if base else None
        reordered_here = base is None or not isinstance(base_order, list) or (
            _shared_order(mine_rows, set(base_order)) != [i for i in base_order if i in mine_by_id])
        parts.append(Part(key, _("Order of the goals") if kind == "goal" else _("Order of the measures"),
                          _order_text(mine_rows, kind, mine.get("goals", [])), _order_text(their_rows, kind, theirs.get("goals", [])),
                          MINE if reordered_here else THEIRS))
    # Each goal (or measure) with the same one in the other copy, found by its id.
    only_theirs = [row for row in their_rows if row["id"] not in mine_by_id]
    for row in mine_rows + only_theirs:
        row_id = row["id"]
        mine_row, their_row = mine_by_id.get(row_id), their_by_id.get(row_id)
        if mine_row is not None and their_row is not None and _row_value(mine_row, kind) == _row_value(their_row, kind):
            continue
        if mine_row is not None:
            label = _row_label(kind, mine_rows.index(mine_row) + 1)
        else:
            label = _("%(row)s in the newer text", row=_row_label(kind, their_rows.index(their_row) + 1))
        key = f"{kind}:{row_id}"
        parts.append(Part(key, label,
                          _row_text(mine_row, kind, mine.get("goals", [])) if mine_row is not None else None,
                          _row_text(their_row, kind, theirs.get("goals", [])) if their_row is not None else None,
                          _choice(base, key, _print(_row_value(mine_row, kind)) if mine_row is not None else None)))
    return parts


def parts(mine: dict, theirs: dict, base: dict | None = None) -> list[Part]:
    """The parts in which two (clean) copies of a plan differ, in the plan's order, each paired by its key."""
    found: list[Part] = []
    for section in SECTIONS:
        if section.kind == "markdown":
            mine_text = mine["sections"].get(section.key, "")
            their_text = theirs["sections"].get(section.key, "")
            if mine_text != their_text:
                key = f"section:{section.key}"
                found.append(Part(key, str(section.title), mine_text, their_text, _choice(base, key, _print(mine_text))))
        else:
            found += _row_parts(section.kind[:-1], mine, theirs, base)
    return found


def _merge_rows(kind: str, mine_rows: list[dict], their_rows: list[dict], choices: dict) -> list[dict]:
    """The rows of the chosen sides, in the chosen order; a row the other list alone has stands after the row it
    follows there."""
    first, second = (their_rows, mine_rows) if choices.get(f"order:{kind}") == THEIRS else (mine_rows, their_rows)
    ids = [row["id"] for row in first]
    for index, row in enumerate(second):
        if row["id"] in ids:
            continue
        before = next((other["id"] for other in reversed(second[:index]) if other["id"] in ids), None)
        ids.insert(ids.index(before) + 1 if before is not None else 0, row["id"])
    mine_by_id = {row["id"]: row for row in mine_rows}
    their_by_id = {row["id"]: row for row in their_rows}
    chosen = ((their_by_id if choices.get(f"{kind}:{row_id}") == THEIRS else mine_by_id).get(row_id) for row_id in ids)
    return [row for row in chosen if row is not None]


def merge(mine: dict, theirs: dict, choices: dict) -> dict:
    """The plan made of the side chosen for each part (the student's own where nothing is chosen), as clean content."""
    def side(key: str) -> dict:
        return theirs if choices.get(key) == THEIRS else mine

    return normalise({
        "sections": {key: side(f"section:{key}")["sections"].get(key, "") for key in TEXT_SECTIONS},
        "goals": _merge_rows("goal", mine.get("goals", []), theirs.get("goals", []), choices),
        "measures": _merge_rows("measure", mine.get("measures", []), theirs.get("measures", []), choices),
    })


def read_choices(raw) -> dict:
    """Choices as sent: {part key: "mine" | "theirs"}; anything else is left out (and so is the student's own)."""
    if not isinstance(raw, dict):
        return {}
    return {key: value for key, value in raw.items() if isinstance(key, str) and value in (MINE, THEIRS)}
