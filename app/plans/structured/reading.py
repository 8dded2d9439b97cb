"""One reading of a plan's content into the parts a shared digital plan can hold: goals with a due date, measures
with who is responsible and when, the coordinator, the consent. The FHIR bundle, the SIP document and the page that
explains both to the student all start from this reading, so they never disagree about what was carried."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from app.plans.structured.dates import When, read_when
from app.plans.structured.text import markdown_text, plain_text

# The sections that have no structured place in a shared plan: they travel as notes (FHIR) or as text (SIP).
TEXT_ONLY_SECTIONS = ("what_matters", "strengths", "network", "crisis_plan", "evaluation")
# A measure's role that names the plan's coordinator ("Coordinator", "koordinator", "Koordinerande …").
COORDINATOR_ROLE = re.compile(r"\b(co-?ordinat\w*|koordinat\w*|koordiner\w*)", re.IGNORECASE)


@dataclass(frozen=True)
class Goal:
    number: int
    id: str
    text: str
    when: When


@dataclass(frozen=True)
class Measure:
    number: int
    id: str
    what: str
    service: str
    role: str
    when: When
    goal: Goal | None

    @property
    def has_performer(self) -> bool:
        return bool(self.service or self.role)

    @property
    def is_coordinator(self) -> bool:
        return bool(COORDINATOR_ROLE.search(self.role))


@dataclass(frozen=True)
class PlanReading:
    language: str
    made_on: date  # the day the version was submitted: the year of "15 June" is read from it
    goals: list[Goal]
    measures: list[Measure]
    sections: dict[str, str]  # every text section's Markdown, cleaned ("" when not written)

    @property
    def coordinator_measure(self) -> Measure | None:
        """The first measure whose role is the coordinator's: the coordinator as a shared plan can name them."""
        return next((m for m in self.measures if m.is_coordinator), None)

    @property
    def has_consent(self) -> bool:
        return bool(self.sections.get("consent"))

    @property
    def text_only(self) -> list[str]:
        """The written sections that a shared plan holds only as free text."""
        return [key for key in TEXT_ONLY_SECTIONS if self.sections.get(key)]

    @property
    def goals_with_due(self) -> list[Goal]:
        """Goals whose time frame became a due date or a duration."""
        return [goal for goal in self.goals if goal.when.readable]

    @property
    def measures_complete(self) -> list[Measure]:
        """Measures that became an activity with a performer and a scheduled period."""
        return [m for m in self.measures if m.has_performer and m.when.has_date]

    @property
    def services(self) -> list[str]:
        """The services measures name, each once, in the order they first appear."""
        seen: dict[str, str] = {}
        for measure in self.measures:
            if measure.service and measure.service.casefold() not in seen:
                seen[measure.service.casefold()] = measure.service
        return list(seen.values())


def read_plan(content: dict, made_on: date, language: str) -> PlanReading:
    goals = [Goal(n, goal.get("id") or f"g{n}", plain_text(goal.get("text")),
                  read_when(plain_text(goal.get("timeframe")), made_on))
             for n, goal in enumerate(content.get("goals", []), 1)]
    by_id = {goal.id: goal for goal in goals}
    measures = [Measure(n, measure.get("id") or f"m{n}", plain_text(measure.get("what")),
                        plain_text(measure.get("service")), plain_text(measure.get("role")),
                        read_when(plain_text(measure.get("due")), made_on), by_id.get(measure.get("goal_id") or ""))
                for n, measure in enumerate(content.get("measures", []), 1)]
    sections = {key: markdown_text(text) for key, text in content.get("sections", {}).items()}
    return PlanReading(language, made_on, goals, measures, sections)
