"""Reading the times a plan gives in words ("15 June", "by 1. oktober", "within six months") as dates.

A plan's goals and measures say when in the student's own words, in English or Norwegian; a shared plan needs a
date. Only what is unambiguous is read: a day and a month (with or without a year), an ISO date, a day.month
date, and "within N days/weeks/months/years". A day and month without a year is the first such day on or after the
day the plan was submitted. Anything else ("twice a week", "soon", "after the summer") stays words."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime

MONTHS = {
    "january": 1, "januar": 1, "jan": 1,
    "february": 2, "februar": 2, "feb": 2,
    "march": 3, "mars": 3, "mar": 3,
    "april": 4, "apr": 4,
    "may": 5, "mai": 5,
    "june": 6, "juni": 6, "jun": 6,
    "july": 7, "juli": 7, "jul": 7,
    "august": 8, "aug": 8,
    "september": 9, "sept": 9, "sep": 9,
    "october": 10, "oktober": 10, "oct": 10, "okt": 10,
    "november": 11, "nov": 11,
    "december": 12, "desember": 12, "dec": 12, "des": 12,
}
_MONTH = "(?P<month>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
_DAY = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th|\.)?"
_YEAR = r"(?:,?\s+(?P<year>(?:19|20)\d\d))?"
DATE_PATTERNS = [
    re.compile(r"\b(?P<year>(?:19|20)\d\d)-(?P<month>[01]\d)-(?P<day>[0-3]\d)\b"),  # 2027-06-15
    re.compile(r"\b(?P<day>[0-3]?\d)[./](?P<month>[01]?\d)(?:[./](?P<year>(?:19|20)?\d\d))?\b(?![./]\d)"),  # 15.06(.2027)
    re.compile(r"\b" + _DAY + r"\s+(?:of\s+)?" + _MONTH + _YEAR + r"\b", re.IGNORECASE),  # 15 June 2027, 1. juni
    re.compile(r"\b" + _MONTH + r"\s+" + _DAY + _YEAR + r"\b", re.IGNORECASE),  # June 15, 2027
]
START_WORDS = re.compile(r"\b(from|starting|start|begins?|fra|frå|f\.o\.m\.?|fom|etter)\s*$", re.IGNORECASE)

NUMBER_WORDS = {
    "one": 1, "a": 1, "an": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
    "en": 1, "ei": 1, "ett": 1, "to": 2, "tre": 3, "fire": 4, "fem": 5, "seks": 6, "sju": 7, "syv": 7, "åtte": 8,
    "ni": 9, "ti": 10, "elleve": 11, "tolv": 12,
}
# Units as UCUM writes them, which is what FHIR's Duration asks for.
UNITS = {
    "day": "d", "days": "d", "dag": "d", "dager": "d", "dagar": "d",
    "week": "wk", "weeks": "wk", "uke": "wk", "uker": "wk", "veke": "wk", "veker": "wk",
    "month": "mo", "months": "mo", "måned": "mo", "måneder": "mo", "måneden": "mo", "månad": "mo", "månader": "mo",
    "year": "a", "years": "a", "år": "a", "året": "a",
}
DURATION = re.compile(
    r"\b(?:within|in|inside|innen|innan|i løpet av|om)\s+(?P<n>\d{1,3}|" + "|".join(NUMBER_WORDS) + r")\s+"
    r"(?P<unit>" + "|".join(sorted(UNITS, key=len, reverse=True)) + r")\b", re.IGNORECASE)


@dataclass(frozen=True)
class Duration:
    value: int
    unit: str  # UCUM: d, wk, mo, a


@dataclass(frozen=True)
class When:
    """What a time in words says: a start, an end, a duration from the plan's date, or nothing readable."""
    text: str
    start: date | None = None
    end: date | None = None
    duration: Duration | None = None

    @property
    def has_date(self) -> bool:
        return self.start is not None or self.end is not None

    @property
    def readable(self) -> bool:
        return self.has_date or self.duration is not None


def _year(found: str | None, month: int, day: int, after: date) -> date | None:
    try:
        if found:
            year = int(found)
            return date(year + 2000 if year < 100 else year, month, day)
        candidate = date(after.year, month, day)
        return candidate if candidate >= after else date(after.year + 1, month, day)
    except ValueError:  # 31 February, or 29 February of a year that has none
        return None


def dates_in(text: str, after: date) -> list[tuple[int, date]]:
    """Every date the text names, with where it starts, in the order written."""
    found: list[tuple[int, int, date]] = []
    for pattern in DATE_PATTERNS:
        for match in pattern.finditer(text):
            if any(start <= match.start() < end for start, end, _d in found):
                continue
            month_text = match.group("month")
            if (month_text.isdigit() and match.group("year") is None and len(month_text) == 1
                    and not text[match.end():match.end() + 1] == "."):
                continue  # "1.5 hours" is no date; "1.5." and "01.05" are
            month = int(month_text) if month_text.isdigit() else MONTHS[month_text.lower()]
            if not 1 <= month <= 12:
                continue
            day = int(match.group("day"))
            value = _year(match.group("year"), month, day, after)
            if value is not None:
                found.append((match.start(), match.end(), value))
    return [(start, value) for start, _end, value in sorted(found, key=lambda item: item[0])]


def read_when(text: str, after: date) -> When:
    """A time in words read against the day the plan was made: two dates are a period, one date is when it is
    done by (or, after "from"/"fra", when it starts), "within six months" a duration."""
    text = text.strip()
    if not text:
        return When(text)
    found = dates_in(text, after)
    if len(found) >= 2:
        (_p1, first), (_p2, second) = found[0], found[1]
        return When(text, start=min(first, second), end=max(first, second))
    if len(found) == 1:
        position, value = found[0]
        if START_WORDS.search(text[:position]):
            return When(text, start=value)
        return When(text, end=value)
    duration = DURATION.search(text)
    if duration:
        n = duration.group("n").lower()
        count = int(n) if n.isdigit() else NUMBER_WORDS[n]
        if count > 0:
            return When(text, duration=Duration(count, UNITS[duration.group("unit").lower()]))
    return When(text)


def instant(moment: datetime) -> str:
    """A moment as FHIR's dateTime writes it, in UTC to the second (stored times without a zone are UTC)."""
    moment = moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)
    return moment.replace(microsecond=0).isoformat()


def day_of(moment: datetime) -> date:
    """The day (UTC) of a moment."""
    return (moment.astimezone(UTC) if moment.tzinfo else moment).date()
