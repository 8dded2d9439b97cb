"""Do the reviewers agree? Figures from ratings alone: no Flask, no database.

A rating is one rater's level for one criterion of one unit (a plan version both rated, such as a calibration plan).
Per criterion, Krippendorff's alpha for ordinal data (the levels in their rubric order), with the number of units and
raters it rests on; and for each rater their typical offset from the others: on each unit they rated together with
someone else, their level's position minus the mean position of the other raters' levels there, averaged. Negative:
they give lower levels than the others (harsher); positive: higher (milder).

When alpha means nothing: a criterion needs at least `MIN_UNITS` units each rated by at least two raters, and alpha
must be defined (it is not when every rating of the criterion is the same level: there is no variation to agree on).
Otherwise the figure is "not enough data", with what is missing."""
from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

import krippendorff
import numpy as np

MIN_UNITS = 2  # units rated by two or more raters, per criterion


class Rating(NamedTuple):
    unit: str
    rater_id: int
    criterion_key: str
    level_key: str


@dataclass
class CriterionAgreement:
    criterion_key: str
    alpha: float | None  # None: not enough data
    units: int  # units rated by two or more raters
    raters: int  # raters with a rating on such a unit

    @property
    def enough(self) -> bool:
        return self.alpha is not None

    @property
    def units_missing(self) -> int:
        return max(0, MIN_UNITS - self.units)


@dataclass
class RaterOffset:
    rater_id: int
    by_criterion: dict[str, float] = field(default_factory=dict)
    units_by_criterion: dict[str, int] = field(default_factory=dict)
    overall: float | None = None
    units: int = 0


def _positions(ratings: Iterable[Rating], levels: Mapping[str, Sequence[str]]) -> dict:
    """{criterion: {unit: {rater: position}}}, positions 0 (lowest) up; ratings of unknown levels are left out.
    A rater's later rating of the same unit and criterion replaces the earlier."""
    found: dict[str, dict[str, dict[int, int]]] = defaultdict(lambda: defaultdict(dict))
    for rating in ratings:
        order = levels.get(rating.criterion_key)
        if order is None or rating.level_key not in order:
            continue
        found[rating.criterion_key][rating.unit][rating.rater_id] = list(order).index(rating.level_key)
    return found


def _shared(units: Mapping[str, Mapping[int, int]]) -> dict[str, Mapping[int, int]]:
    return {unit: raters for unit, raters in units.items() if len(raters) >= 2}


def ordinal_alpha(units: Mapping[str, Mapping[int, int]], domain_size: int) -> float | None:
    """Krippendorff's ordinal alpha of {unit: {rater: position}}; None when it is undefined."""
    raters = sorted({rater for values in units.values() for rater in values})
    unit_keys = sorted(units)
    data = np.full((len(raters), len(unit_keys)), np.nan)
    for column, unit in enumerate(unit_keys):
        for rater, position in units[unit].items():
            data[raters.index(rater), column] = position
    values = {position for values in units.values() for position in values.values()}
    if len(values) < 2:
        return None
    try:
        alpha = float(krippendorff.alpha(reliability_data=data, level_of_measurement="ordinal",
                                         value_domain=list(range(domain_size))))
    except (ValueError, ZeroDivisionError):
        return None
    return None if math.isnan(alpha) else alpha


def agreement(ratings: Iterable[Rating], levels: Mapping[str, Sequence[str]]) -> list[CriterionAgreement]:
    """One result per criterion of `levels` (criterion key -> its level keys, lowest first), in that order."""
    positions = _positions(ratings, levels)
    results = []
    for criterion, order in levels.items():
        shared = _shared(positions.get(criterion, {}))
        raters = {rater for values in shared.values() for rater in values}
        alpha = ordinal_alpha(shared, len(order)) if len(shared) >= MIN_UNITS else None
        results.append(CriterionAgreement(criterion, alpha, len(shared), len(raters)))
    return results


def offsets(ratings: Iterable[Rating], levels: Mapping[str, Sequence[str]]) -> dict[int, RaterOffset]:
    """Each rater's mean offset from the other raters on the same units, per criterion and over all criteria."""
    positions = _positions(ratings, levels)
    differences: dict[int, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    units_of: dict[int, dict[str, set]] = defaultdict(lambda: defaultdict(set))
    for criterion, units in positions.items():
        for unit, raters in _shared(units).items():
            for rater, position in raters.items():
                others = [p for r, p in raters.items() if r != rater]
                differences[rater][criterion].append(position - sum(others) / len(others))
                units_of[rater][criterion].add(unit)
    return {rater: _offset(rater, by_criterion, units_of[rater]) for rater, by_criterion in differences.items()}


def offsets_from(reference: Mapping[tuple[str, str], str], ratings: Iterable[Rating],
                 levels: Mapping[str, Sequence[str]]) -> dict[int, RaterOffset]:
    """Each rater's mean offset from a reference ({(unit, criterion): level key}), which is not itself a rater."""
    differences: dict[int, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    units_of: dict[int, dict[str, set]] = defaultdict(lambda: defaultdict(set))
    for rating in ratings:
        order = list(levels.get(rating.criterion_key, ()))
        wanted = reference.get((rating.unit, rating.criterion_key))
        if rating.level_key not in order or wanted not in order:
            continue
        differences[rating.rater_id][rating.criterion_key].append(order.index(rating.level_key) - order.index(wanted))
        units_of[rating.rater_id][rating.criterion_key].add(rating.unit)
    return {rater: _offset(rater, by_criterion, units_of[rater]) for rater, by_criterion in differences.items()}


def _offset(rater: int, by_criterion: Mapping[str, list[float]], units: Mapping[str, set]) -> RaterOffset:
    every = [value for values in by_criterion.values() for value in values]
    return RaterOffset(
        rater_id=rater,
        by_criterion={criterion: sum(values) / len(values) for criterion, values in by_criterion.items()},
        units_by_criterion={criterion: len(found) for criterion, found in units.items()},
        overall=sum(every) / len(every) if every else None,
        units=len(set().union(*units.values())) if units else 0,
    )
