"""The case of Anna tells one story: each document says the same dates and numbers in English and in bokmål, and
what the documents say about how long things lasted agrees with the dates in the discharge summary."""
from __future__ import annotations

import re
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

import pytest

CASE = Path(__file__).resolve().parent.parent / "cases" / "anna"
DOCUMENTS = sorted({path.name.split(".")[0] for path in CASE.glob("*.en.md")})

MONTHS = {
    "en": ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
           "november", "december"],
    "nb": ["januar", "februar", "mars", "april", "mai", "juni", "juli", "august", "september", "oktober",
           "november", "desember"],
}
# Numbers written as words, as the documents use them (never "one"/"en", which is also an article in bokmål).
WORDS = {
    "en": {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
           "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
           "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50,
           "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90, "hundred": 100, "thousand": 1000,
           "third": 3, "fourth": 4, "fifth": 5, "sixth": 6},
    "nb": {"to": 2, "tre": 3, "fire": 4, "fem": 5, "seks": 6, "sju": 7, "syv": 7, "åtte": 8, "ni": 9, "ti": 10,
           "elleve": 11, "tolv": 12, "tretten": 13, "fjorten": 14, "femten": 15, "seksten": 16,
           "sytten": 17, "atten": 18, "nitten": 19, "tjue": 20, "tretti": 30, "tredve": 30, "førti": 40, "femti": 50,
           "seksti": 60, "sytti": 70, "åtti": 80, "nitti": 90, "hundre": 100, "tusen": 1000,
           "tredje": 3, "fjerde": 4, "femte": 5, "sjette": 6},
}
NUMBER_WORDS = {"en": {"once": 1, "twice": 2}, "nb": {"én gang": 1, "to ganger": 2}}


def read(document: str, lang: str) -> str:
    return (CASE / f"{document}.{lang}.md").read_text(encoding="utf-8")


def facts(text: str, lang: str) -> Counter:
    """The dates and numbers a reader takes from a text, in a form that does not depend on its language."""
    found: Counter = Counter()
    months = "|".join(MONTHS[lang])

    def take(pattern: str, value) -> None:
        nonlocal text
        for match in re.finditer(pattern, text, flags=re.IGNORECASE):
            found[value(match)] += 1
        text = re.sub(pattern, " ", text, flags=re.IGNORECASE)

    month = lambda name: MONTHS[lang].index(name.lower()) + 1  # noqa: E731
    take(r"\b(\d{1,2})\.(\d{1,2})\.(\d{4})\b", lambda m: ("date", int(m[1]), int(m[2]), int(m[3])))
    take(r"\b(\d{1,2})/(\d{4})\b", lambda m: ("month", int(m[1]), int(m[2])))
    dotted_day = r"\.?" if lang == "nb" else ""
    take(rf"\b(\d{{1,2}}){dotted_day}\s+({months})(?:\s+(\d{{4}}))?\b",
         lambda m: ("date", int(m[1]), month(m[2]), int(m[3]) if m[3] else None))
    take(r"\b(\d{2})\.(\d{2})\b(?!\.\d)", lambda m: ("date", int(m[1]), int(m[2]), None))
    take(rf"\b({months})\s+(\d{{4}})\b", lambda m: ("month", month(m[1]), int(m[2])))
    thousands = r"[, \u00a0]" if lang == "en" else r"[ \u00a0]"  # (a phone number's "116 117" reads alike in both)
    take(rf"\b\d{{1,3}}(?:{thousands}\d{{3}})+\b", lambda m: ("number", int(re.sub(r"\D", "", m[0]))))
    decimal = r"\." if lang == "en" else ","
    take(rf"\b\d+{decimal}\d+\b", lambda m: ("number", float(m[0].replace(",", "."))))
    take(r"\b\d+\b", lambda m: ("number", int(m[0])))
    for phrase, value in NUMBER_WORDS[lang].items():
        take(rf"\b{phrase}\b", lambda m, value=value: ("number", value))
    for word, value in WORDS[lang].items():
        take(rf"(?<![\w-]){word}(?!\w)", lambda m, value=value: ("number", value))
    return found


@pytest.mark.parametrize("document", DOCUMENTS)
def test_each_document_says_the_same_dates_and_numbers_in_both_languages(document):
    english, norwegian = facts(read(document, "en"), "en"), facts(read(document, "nb"), "nb")
    assert (sorted(set(english) - set(norwegian), key=str), sorted(set(norwegian) - set(english), key=str)) == ([], [])


def test_the_extraction_reads_dates_and_numbers_the_way_each_language_writes_them():
    english = facts("On 23 May 2025 (23.05.2025, not 05/2025), 0.6 ‰ and 150,000 kroner; twelve weeks.", "en")
    norwegian = facts("Den 23. mai 2025 (23.05.2025, ikke 05/2025), 0,6 promille og 150 000 kroner; tolv uker.", "nb")
    assert english == norwegian
    assert ("number", 12) in english and ("number", 0.6) in english and ("number", 150000) in english


def discharge_dates(lang: str) -> tuple[date, date, date]:
    """Admitted (detox), moved to the unit at Lia, discharged: as the discharge summary's header gives them."""
    text = read("discharge", lang)
    labels = {"en": ("Admitted", "transferred to Lia", "Discharged"), "nb": ("Innlagt", "overflyttet Lia", "Utskrevet")}
    found = []
    for label in labels[lang]:
        match = re.search(rf"{label}:?\**\s*(\d{{2}})\.(\d{{2}})\.(\d{{4}})", text)
        assert match, f"{label} in discharge.{lang}.md"
        found.append(date(int(match[3]), int(match[2]), int(match[1])))
    admitted, moved, discharged = found
    return admitted, moved, discharged


def sentences(text: str) -> list[str]:
    return re.split(r"(?<=[.!?])\s+(?=[A-ZÆØÅ*«\"])", text.replace("\n", " "))


STAY_WORDS = {"en": ("treatment",), "nb": ("behandling",)}
LIA_WORDS = {"en": ("Lia", "here"), "nb": ("Lia", "her")}
COOKING_WORDS = {"en": ("Wednesday",), "nb": ("onsdag",)}
ALMOST = {"en": ("almost", "nearly"), "nb": ("nesten", "snart")}


def mentions(sentence: str, words: tuple[str, ...]) -> bool:
    return any(re.search(rf"\b{word}\w*", sentence, flags=re.IGNORECASE) for word in words)


@pytest.mark.parametrize("lang", ["en", "nb"])
def test_the_weeks_of_her_stay_and_of_her_cooking_agree_with_the_discharge_summary(lang):
    admitted, moved, discharged = discharge_dates(lang)
    assert discharged.weekday() == 4, "the story's Wednesday is two days before she goes home on a Friday"
    whole_stay = (discharged - admitted).days / 7
    at_lia = (discharged - moved).days / 7
    wednesdays_at_lia = sum((moved + timedelta(days=day)).weekday() == 2 for day in range((discharged - moved).days))
    claims = []
    for document in ("story", "interview", "teaching_notes", "services"):
        for sentence in sentences(read(document, lang)):
            for match in re.finditer(r"(\w+)\s+(?:weeks|uker)\b", sentence, flags=re.IGNORECASE):
                weeks = WORDS[lang].get(match[1].lower())
                if weeks is None or not mentions(sentence, STAY_WORDS[lang] + LIA_WORDS[lang] + COOKING_WORDS[lang]):
                    continue
                almost = mentions(sentence[max(0, match.start() - 12):match.start()], ALMOST[lang])
                if mentions(sentence, COOKING_WORDS[lang]):
                    expected, what = wednesdays_at_lia, "Wednesdays she cooked at Lia"
                elif mentions(sentence, LIA_WORDS[lang]):
                    expected, what = round(at_lia), "weeks at Lia"
                else:
                    expected, what = (round(whole_stay) if almost else int(whole_stay)), "weeks of the whole stay"
                claims.append((document, match[0], what, weeks, expected))
    assert claims, "the documents say how long she stayed and cooked"
    assert [claim for claim in claims if claim[3] != claim[4]] == []


ALLOWANCE = r"(?:work assessment allowance|\bAAP\b|arbeidsavklaringspeng\w*)"


def month_of(text: str, pattern: str) -> tuple[int, int]:
    match = re.search(pattern, text)
    assert match, pattern
    return int(match[2]), int(match[1])


@pytest.mark.parametrize("lang", ["en", "nb"])
def test_her_work_assessment_allowance_ended_before_she_lost_her_flat_in_every_document(lang):
    referral = read("referral", lang)
    ended = month_of(referral, r"AAP\)? (?:ended|opphørt) (\d{2})/(\d{4})")
    evicted = month_of(referral, r"(?:Evicted from rented flat|Kastet ut av leid leilighet) (\d{2})/(\d{4})")
    assert ended < evicted, "the allowance ended, the rent arrears grew, and then she lost the flat"
    years = []
    for document in DOCUMENTS:
        for match in re.finditer(rf"{ALLOWANCE}\D{{0,60}}?(?:\d{{2}}/)?(\d{{4}})", read(document, lang), re.IGNORECASE):
            years.append((document, int(match[1])))
    assert {document for document, _ in years} >= {"referral", "story", "services"}
    assert [(document, year) for document, year in years if year != ended[0]] == []
