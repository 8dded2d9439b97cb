"""The word-level checker: API shape, offsets, inflection, compounds, context, categories, speed."""
from __future__ import annotations

import statistics
import time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.language import core
from app.language.core import CATEGORIES, Finding, check_text, compile_lexicon, get_lexicon, word_count


def rules(text: str, lang: str = "en") -> list[str]:
    return [f.rule for f in check_text(text, lang)]


def marked(text: str, lang: str = "en") -> list[tuple[str, str]]:
    return [(f.text, f.category) for f in check_text(text, lang)]


# ----------------------------------------------------------------------------- API shape

def test_categories_are_the_seven_of_the_design():
    assert CATEGORIES == ("label", "moral", "doubt", "deficit", "jargon", "coercion", "passive")


def test_finding_as_dict_has_exactly_the_interface_keys():
    finding = check_text("She claims she is fine.")[0]
    assert isinstance(finding, Finding)
    assert finding.as_dict() == {
        "start": 4, "end": 10, "text": "claims", "category": "doubt",
        "message": finding.message, "suggestion": finding.suggestion,
        "replacement": "says", "rule": "en.doubt.claims",
    }
    assert finding.message and finding.suggestion


def test_finding_is_immutable():
    finding = check_text("She claims she is fine.")[0]
    with pytest.raises(AttributeError):
        finding.start = 0  # type: ignore[misc]


@pytest.mark.parametrize("lang", ["de", "", "EN", "no", None])
def test_unsupported_language_is_a_value_error(lang):
    with pytest.raises(ValueError):
        check_text("Pt claims.", lang)  # type: ignore[arg-type]


def test_default_language_is_english():
    assert rules("Pt claims she is clean.") == ["en.jargon.pt", "en.doubt.claims", "en.moral.clean"]
    assert rules("Pas. påstår at hun er ren.") == []
    assert rules("Pas. påstår at hun er ren.", "nb") == ["nb.jargon.pas", "nb.doubt.påstå", "nb.moral.ren"]


def test_empty_and_blank_texts_have_no_findings():
    assert check_text("") == []
    assert check_text("   \n\t ", "nb") == []


def test_findings_are_sorted_and_do_not_overlap():
    text = ("Pt is a 43 y.o. female alcoholic with a long h/o alcohol abuse. She claims she is clean, "
            "denies IV use and was informed that she must stay abstinent before housing can be considered.")
    findings = check_text(text)
    assert len(findings) >= 9
    starts = [f.start for f in findings]
    assert starts == sorted(starts)
    for left, right in zip(findings, findings[1:]):
        assert left.end <= right.start


def test_lexicon_is_compiled_once_and_cached():
    assert get_lexicon("en") is get_lexicon("en")
    assert get_lexicon("nb") is get_lexicon("nb")
    assert get_lexicon("en") is not get_lexicon("nb")


def test_a_bad_lexicon_entry_is_reported_with_its_id():
    bad = {"entries": [{"id": "en.x.one", "category": "nonsense", "terms": ["x"], "message": "m.", "suggestion": "s"}]}
    with pytest.raises(core.LexiconError, match="en.x.one"):
        compile_lexicon(bad, "en")
    duplicate = {"entries": [
        {"id": "a", "category": "label", "terms": ["x"], "message": "m.", "suggestion": "s"},
        {"id": "a", "category": "label", "terms": ["y"], "message": "m.", "suggestion": "s"},
    ]}
    with pytest.raises(core.LexiconError, match="duplicate"):
        compile_lexicon(duplicate, "en")
    bad_regex = {"entries": [{"id": "b", "category": "label", "pattern": "(", "trigger": ["x"], "message": "m.", "suggestion": "s"}]}
    with pytest.raises(core.LexiconError, match="bad pattern"):
        compile_lexicon(bad_regex, "en")


# ----------------------------------------------------------------------------- offsets

@pytest.mark.parametrize("text, lang, expected", [
    ("Anna fell off the wagon at Christmas.", "en", "off the wagon"),
    ("She was informed that she must stay abstinent before housing.", "en", "must"),
    ("Hun har en alvorlig ruslidelse og står på venteliste.", "nb", "ruslidelse"),
    ("Søster i nabobygda er pas.' viktigste støtte.", "nb", "pas."),
    ("Pasienten er på vei hjem. Pas. påstår at hun er rusfri – «påstår» står det!", "nb", "påstår"),
    ("Ærlig talt: Åse har vært ren i tre måneder, sier hun.", "nb", "ren"),
    ("Tilbakefallet ble tatt opp med henne, som ble informert om at nye sprekker kan føre til utskrivning.", "nb", "kan føre til utskrivning"),
    ("🙂 Ønsket hennes: et eget hjem. Hun er alkoholmisbruker, står det i epikrisen.", "nb", "alkoholmisbruker"),
    ("Née à Bergen – she was drunk at the café.", "en", "drunk"),
])
def test_offsets_are_exact_for_phrases_and_non_ascii(text, lang, expected):
    findings = check_text(text, lang)
    assert findings, text
    for finding in findings:
        assert text[finding.start:finding.end] == finding.text
    assert expected in [f.text for f in findings]


def test_offsets_count_characters_not_bytes():
    text = "æøå ÆØÅ " * 20 + "Pas. påstår det."
    finding = next(f for f in check_text(text, "nb") if f.rule == "nb.doubt.påstå")
    assert finding.start == text.index("påstår")
    assert finding.end == finding.start + len("påstår")


def test_multi_word_phrase_across_a_line_break_and_hyphen():
    text = "She is a heavy\ndrinker and an ex-addict."
    assert marked(text) == [("heavy\ndrinker", "label"), ("ex-addict", "label")]


# ----------------------------------------------------------------------------- inflection

@pytest.mark.parametrize("text, rule", [
    ("She has been abusing alcohol since her twenties.", "en.moral.abuse_verb"),
    ("She abused benzodiazepines for years.", "en.moral.abuse_verb"),
    ("She refused the group.", "en.deficit.refuses"),
    ("She refuses disulfiram.", "en.deficit.refuses"),
    ("She denies drinking.", "en.doubt.denies"),
    ("She denied drinking.", "en.doubt.denies"),
    ("Many addicts live there.", "en.label.addict"),
    ("The addict's family was not told.", "en.label.addict"),
    ("She complained of toothache.", "en.doubt.complains"),
    ("Pt presented with tremor.", "en.jargon.presents_with"),
])
def test_english_inflections(text, rule):
    assert rule in rules(text)


@pytest.mark.parametrize("word", ["rusmisbruker", "rusmisbrukeren", "rusmisbrukere", "rusmisbrukerne",
                                  "rusmisbrukerens", "rusmisbrukernes", "alkoholmisbruker", "stoffmisbrukere",
                                  "pillemisbrukeren", "narkoman", "narkomanen", "narkomane", "sprøytenarkomanene",
                                  "alkoholikeren", "alkoholikere"])
def test_norwegian_labels_in_every_form_and_compound(word):
    findings = check_text(f"I henvisningen står det at hun er {word}.", "nb")
    assert [(f.text, f.category) for f in findings] == [(word, "label")]


@pytest.mark.parametrize("word", ["misbruk", "misbruket", "rusmisbruk", "alkoholmisbruket", "benzodiazepinmisbruk",
                                  "misbruksproblematikk", "rusmisbruksproblemer", "misbrukshistorie"])
def test_norwegian_misuse_words_and_compounds_are_moral(word):
    findings = check_text(f"Det står mye om {word} i journalen.", "nb")
    assert [(f.text, f.category) for f in findings] == [(word, "moral")]


@pytest.mark.parametrize("text, expected", [
    ("Hun sprakk på permisjonen.", "sprakk"),
    ("Hun er redd for å sprekke igjen.", "sprekke"),
    ("Anna har sprukket mange ganger.", "sprukket"),
    ("Sprekken i helgen ble tatt opp.", "Sprekken"),
])
def test_norwegian_relapse_slang_in_several_forms(text, expected):
    assert (expected, "moral") in marked(text, "nb")


@pytest.mark.parametrize("text", [
    "Saken handler om maktmisbruk i kommunen.",
    "Han misbrukte tilliten hennes.",
    "Hun ble misbrukt som barn.",
    "Hun forteller om seksuelt misbruk i barndommen.",
    "Det er en sprekk i veggen og sprekker i taket.",
    "Ballongen sprakk, og alle lo.",
    "Renovasjonen kommer på tirsdag, og rengjøringen er gjort.",
    "Hun var på et møte i Anonyme Alkoholikere i fjor.",
    "Hun drakk alkoholfritt øl og spiste rent.",
    "Hun holder leiligheten ren og ryddig.",
    "Urinprøven var negativ, og hun har vært rusfri siden mars.",
    "Hun ble nektet lån i banken.",
    "Hun hevder seg godt på kjøkkenet.",
    "Leiligheten må være varm før hun flytter inn.",
    "Hun er godt orientert om medisinene sine.",
    "Narkotikaloven ble endret i fjor.",
])
def test_harmless_norwegian_words_that_contain_a_flagged_string(text):
    assert check_text(text, "nb") == []


@pytest.mark.parametrize("text", [
    "The urine test was negative.",
    "She had a negative test on Monday.",
    "She talks about the abuse she suffered as a child.",
    "The abuse she experienced from her partner was reported.",
    "She was abused by her stepfather.",
    "She needs clean clothes for the interview.",
    "She keeps her flat clean and tidy.",
    "She has been in recovery since March.",
    "Medication-assisted treatment was discussed at the meeting.",
    "Anna tells us that evenings are hard.",
    "Anna says she drinks less now.",
    "The flat must be warm.",
    "She was admitted to the medical ward.",
    "She was denied housing in 2023.",
    "Her blood pressure was high.",
    "She has alcoholic fatty liver.",
    "She went to Alcoholics Anonymous.",
    "Nicotine replacement therapy helps her.",
    "Hi Anna, here is the plan.",
    "She declined the offer of a taxi.",
    "She must have been frightened.",
])
def test_harmless_english_clinical_words(text):
    assert check_text(text) == []


# ----------------------------------------------------------------------------- every category, both languages

CATEGORY_SAMPLES = [
    ("en", "label", "Her partner is an addict.", "addict"),
    ("en", "moral", "She has been clean for six months.", "clean"),
    ("en", "doubt", "She alleges that the landlord entered her flat.", "alleges"),
    ("en", "deficit", "She is unmotivated for treatment.", "unmotivated"),
    ("en", "jargon", "Paracetamol 1 g prn.", "prn"),
    ("en", "coercion", "Anna must stay sober before she can get a flat.", "must"),
    ("en", "passive", "She was given a prescription.", "given"),
    ("nb", "label", "Samboeren er stoffmisbruker.", "stoffmisbruker"),
    ("nb", "moral", "Hun har vært ren i tre måneder.", "ren"),
    ("nb", "doubt", "Pasienten påstår at hun ikke drikker.", "påstår"),
    ("nb", "deficit", "Hun mangler sykdomsinnsikt.", "sykdomsinnsikt"),
    ("nb", "jargon", "Tidligere somatisk anamnese u.a.", "anamnese"),
    ("nb", "coercion", "Hun må være rusfri før hun kan få bolig.", "må"),
    ("nb", "passive", "Pasienten ble informert om reglene.", "informert"),
]


@pytest.mark.parametrize("lang, category, text, expected", CATEGORY_SAMPLES)
def test_each_category_in_both_languages(lang, category, text, expected):
    assert (expected, category) in marked(text, lang)


def test_messages_and_suggestions_are_in_the_language_of_the_text():
    english = check_text("She claims she is fine.")[0]
    norwegian = check_text("Hun påstår at hun har det fint.", "nb")[0]
    assert " the " in f" {english.message} " or " a " in f" {english.message} "
    assert any(w in f" {norwegian.message} " for w in (" og ", " er ", " det ", " til ", " en "))
    assert norwegian.suggestion == "forteller, sier"


# ----------------------------------------------------------------------------- context

@pytest.mark.parametrize("text, expected", [
    ("She must attend every meeting.", [("must", "coercion")]),
    ("The flat must be warm.", []),
    ("She was told to stay away from her friends.", [("told", "passive")]),
    ("She told the staff herself.", []),
    ("She came back clean from leave.", [("clean", "moral")]),
    ("The kitchen is clean.", []),
    ("She admitted drinking on Saturday.", [("admitted", "doubt")]),
    ("She was admitted on Saturday.", []),
])
def test_context_decides(text, expected):
    assert marked(text) == expected


def test_replacement_keeps_initial_capital_and_is_none_when_no_simple_swap():
    claims = check_text("Claims she slept well.")[0]
    assert (claims.text, claims.replacement) == ("Claims", "Says")
    addict = check_text("She is an addict.")[0]
    assert addict.replacement is None
    dose = next(f for f in check_text("Diazepam 5 mg x 2.") if f.rule == "en.jargon.dose_times")
    assert (dose.text, dose.replacement) == ("x 2", "twice a day")
    nb_dose = next(f for f in check_text("Vival 5 mg 1 tbl. x 3.", "nb") if f.rule == "nb.jargon.dose_x")
    assert nb_dose.replacement == "tre ganger daglig"


def test_abbreviation_explained_in_brackets_is_not_marked():
    assert check_text("Hun er henvist til tverrfaglig spesialisert rusbehandling (TSB).", "nb") == []
    assert marked("Hun er henvist til TSB.", "nb") == [("TSB", "jargon")]


# ----------------------------------------------------------------------------- words and speed

@pytest.mark.parametrize("text, count", [
    ("", 0), ("Anna", 1), ("Anna's ex-partner drinks.", 3), ("Pas. har vært innlagt to ganger.", 6),
    ("  Hun  er\nfra   Fjordvik ", 4), ("1–1,5 flasker", 3),
])
def test_word_count(text, count):
    assert word_count(text) == count


def _long_text(lang: str, words: int = 3000) -> str:
    en = ("Anna wants a home of her own where Luna can live with her. Pt claims she has been clean, "
          "denies IV use and was informed that she must stay abstinent before housing can be considered. "
          "Her sister Hilde and Siv from the Tuesday group support her, and Lene calls every Friday. ")
    nb = ("Anna ønsker seg et eget hjem der Luna kan bo. Pas. påstår at hun har vært ren, benekter injisering "
          "og er informert om at hun må være rusfri før kommunen kan vurdere bolig. Søsteren Hilde og Siv "
          "fra tirsdagsgruppa støtter henne, og Lene ringer hver fredag. ")
    base = en if lang == "en" else nb
    text = ""
    while word_count(text) < words:
        text += base
    return text


@pytest.mark.parametrize("lang", ["en", "nb"])
def test_a_long_plan_is_checked_quickly(lang):
    text = _long_text(lang)
    check_text(text, lang)
    timings = []
    for _ in range(5):
        started = time.perf_counter()
        findings = check_text(text, lang)
        timings.append(time.perf_counter() - started)
    assert len(findings) > 100
    # the product target is 10 ms (measured in benchmarks/language.py); this bound only catches
    # an accidental change to quadratic behaviour on a slow shared machine
    assert statistics.median(timings) < 0.08


# ----------------------------------------------------------------------------- properties

LEXICON_WORDS = ["Pt", "claims", "clean", "addict", "must", "before", "she", "was", "informed", "x", "3", "mg",
                 "rusmisbrukeren", "påstår", "hun", "må", "før", "sprakk", "ren", "i", "tre", "måneder",
                 "h/o", "c/o", "u.a.", "pas.", "æøå", "—", "\n", "(", ")", "«", "»", "alkoholmisbruk", "denies"]


@given(st.lists(st.one_of(st.sampled_from(LEXICON_WORDS), st.text(max_size=8)), max_size=40),
       st.sampled_from(["en", "nb"]))
def test_findings_are_well_formed_for_any_text(parts, lang):
    text = " ".join(parts)
    findings = check_text(text, lang)
    last_end = 0
    for finding in findings:
        assert 0 <= finding.start < finding.end <= len(text)
        assert text[finding.start:finding.end] == finding.text
        assert finding.start >= last_end
        assert finding.category in CATEGORIES
        assert finding.rule.startswith(f"{lang}.{finding.category}.")
        last_end = finding.end


# ----------------------------------------------------------------------------- the sense flagged, and the replacement

def _only(text: str, lang: str, rule: str):
    found = [f for f in check_text(text, lang) if f.rule == rule]
    assert len(found) == 1, check_text(text, lang)
    return found[0]


@pytest.mark.parametrize("lang, text, expected", [
    ("nb", "Vival 5 mg 2 tbl. morgen og kveld.", "tabletter"),
    ("nb", "Vival 5 mg 1 tbl. morgen og kveld.", "tablett"),
    ("nb", "Campral 333 mg to tbl. tre ganger om dagen.", "tabletter"),
    ("nb", "Tiamin 100 mg 3 kaps. daglig.", "kapsler"),
    ("en", "Acamprosate 333 mg 2 tbl. three times a day.", "tablets"),
    ("en", "Diazepam 5 mg 1 tab. at night.", "tablet"),
])
def test_a_replacement_agrees_in_number_with_the_count_before_it(lang, text, expected):
    assert _only(text, lang, f"{lang}.jargon.{'tbl' if lang == 'nb' else 'tab'}").replacement == expected


@pytest.mark.parametrize("lang, text, rule, expected", [
    ("nb", "Hun er henvist til TSB i januar.", "nb.jargon.forkortet_tjeneste", "tverrfaglig spesialisert rusbehandling"),
    ("nb", "AAP opphørt 09/2023.", "nb.jargon.forkortet_tjeneste", "Arbeidsavklaringspenger"),
    ("nb", "Hun har søkt om AAP. AAP kan gis i tre år.", "nb.jargon.forkortet_tjeneste", "arbeidsavklaringspenger"),
])
def test_an_all_caps_abbreviation_inside_a_sentence_is_replaced_in_lower_case(lang, text, rule, expected):
    found = [f for f in check_text(text, lang) if f.rule == rule]
    assert found[0].replacement == expected


def test_a_capital_stays_at_the_start_of_a_sentence_after_another():
    found = [f for f in check_text("Hun har søkt om AAP. AAP kan gis i tre år.", "nb")
             if f.rule == "nb.jargon.forkortet_tjeneste"]
    assert [f.replacement for f in found] == ["arbeidsavklaringspenger", "Arbeidsavklaringspenger"]


@pytest.mark.parametrize("lang, text, rule, holds, lacks", [
    ("nb", "Alle urinprøvene var rene i april.", "nb.moral.ren", "negativ", "rusfri"),
    ("nb", "Hun har vært ren i tre måneder.", "nb.moral.ren", "rusfri", "negativ"),
    ("en", "The test came back clean on Monday.", "en.moral.clean", "negative", "abstinent"),
    ("en", "She has been clean for six months.", "en.moral.clean", "abstinent", "negative"),
    ("nb", "Hun har AAP fra NAV.", "nb.jargon.forkortet_tjeneste", "arbeidsavklaringspenger", "rusbehandling"),
    ("nb", "Hun er henvist til TSB.", "nb.jargon.forkortet_tjeneste", "rusbehandling", "arbeidsavklaringspenger"),
    ("nb", "Vival 5 mg 2 tbl. om kvelden.", "nb.jargon.tbl", "tabletter", "kapsler"),
    ("nb", "Tiamin 100 mg 1 kaps. daglig.", "nb.jargon.tbl", "kapsel", "tablett"),
])
def test_the_suggestion_offers_alternatives_for_the_sense_flagged_only(lang, text, rule, holds, lacks):
    suggestion = _only(text, lang, rule).suggestion
    assert holds in suggestion and lacks not in suggestion
