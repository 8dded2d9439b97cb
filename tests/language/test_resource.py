"""Plan-level resource-orientation hints."""
from __future__ import annotations

import copy

import pytest

from app.language.core import check_text
from app.language.resource import PlanHint, check_plan, has_crisis_contact, has_time_expression

GOOD_EN = {
    "sections": {
        "what_matters": "I want a safe home of my own where Luna can live with me. I want my days to have a shape, "
                        "preferably with a kitchen in them, and I want it to be me who decides about alcohol.",
        "strengths": "I am a trained cook and used to run a kitchen shift. I plan and keep a budget. I am good with "
                     "animals and walk Luna every morning. My sister Hilde and Siv from the Tuesday group support me.",
        "network": "Hilde (sister), Jonas (son), Siv and the Tuesday group, Lene Hauge (addiction counsellor). "
                   "My mother is not involved for now, and Rune must not get any information.",
        "coordinator": "Lene Hauge, addiction counsellor in Fjordvik municipality, until a coordinator is appointed.",
        "crisis_plan": "Early signs: unopened post, I stop answering the phone, no proper meals. What helps: someone "
                       "who keeps calling, a walk with Luna. Who to call: Hilde any time, Lene on weekdays, the "
                       "out-of-hours clinic on 116 117 at night, 113 in an emergency.",
        "evaluation": "First review with Anna and Lene on 10 July, then every three months; earlier if Anna asks.",
        "consent": "The GP, Lene and the coordinator see the whole plan; NAV sees money and work; Hilde has the crisis plan.",
    },
    "goals": [
        {"id": "g1", "text": "I have a safe place to live where Luna can live with me", "timeframe": "before the end of August"},
        {"id": "g2", "text": "My weekdays have a shape", "timeframe": "within three months"},
        {"id": "g3", "text": "Anna wants to have dinner with Jonas", "timeframe": "before his birthday on 2 October"},
    ],
    "measures": [
        {"id": "m1", "what": "Send the housing office the two missing documents; ask whether a dog is allowed",
         "service": "NAV", "role": "adviser", "due": "6 June", "goal_id": "g1"},
        {"id": "m2", "what": "Work trial in the café kitchen at Møteplassen, three mornings a week",
         "service": "NAV and Møteplassen", "role": "adviser", "due": "1 August", "goal_id": "g2"},
        {"id": "m3", "what": "Anna writes to Jonas to suggest dinner", "service": "Anna, with Siv if she wants",
         "role": "", "due": "July", "goal_id": "g3"},
    ],
}

GOOD_NB = {
    "sections": {
        "what_matters": "Jeg vil ha et trygt hjem der Luna kan bo sammen med meg, og dager med faste gjøremål.",
        "strengths": "Jeg er utdannet kokk og er flink til å planlegge. Jeg er glad i dyr og går tur med Luna hver morgen.",
        "network": "Søsteren Hilde, sønnen Jonas, Siv og tirsdagsgruppa, ruskonsulent Lene Hauge.",
        "coordinator": "Lene Hauge, ruskonsulent i Fjordvik kommune.",
        "crisis_plan": "Tidlige tegn: uåpnet post, svarer ikke på telefonen. Ring Hilde når som helst, legevakten "
                       "116 117 om natten, 113 ved akutt fare.",
        "evaluation": "Første evaluering sammen med Anna og Lene innen 1. juli, deretter hver tredje måned.",
        "consent": "Fastlegen, Lene og koordinatoren ser hele planen; NAV ser økonomi og arbeid.",
    },
    "goals": [
        {"id": "g1", "text": "Jeg har et trygt sted å bo der Luna kan bo med meg", "timeframe": "innen utgangen av august"},
        {"id": "g2", "text": "Anna ønsker faste gjøremål i ukedagene innen tre måneder", "timeframe": ""},
    ],
    "measures": [
        {"id": "m1", "what": "Sende boligkontoret de to dokumentene som mangler", "service": "NAV", "role": "veileder",
         "due": "6. juni", "goal_id": "g1"},
        {"id": "m2", "what": "Arbeidstrening på kafékjøkkenet på Møteplassen tre formiddager i uka",
         "service": "NAV og Møteplassen", "role": "veileder", "due": "1. august", "goal_id": "g2"},
    ],
}


def codes(hints: list[PlanHint]) -> list[tuple[str, str | None]]:
    return [(h.code, h.item) for h in hints]


def test_a_good_english_plan_gets_no_hints():
    assert check_plan(GOOD_EN, "en", person_name="Anna") == []


def test_a_good_norwegian_plan_gets_no_hints():
    assert check_plan(GOOD_NB, "nb", person_name="Anna") == []


def test_a_good_plan_without_a_name_still_gets_no_hints():
    assert check_plan(GOOD_EN, "en") == []


def test_a_poor_plan_gets_the_expected_hints():
    poor = {
        "sections": {
            "what_matters": "Total abstinence and compliance with medication.",
            "strengths": "",
            "network": "",
            "coordinator": "",
            "crisis_plan": "Be aware of the risk of relapse.",
            "evaluation": "The plan will be evaluated.",
            "consent": "",
        },
        "goals": [
            {"id": "g1", "text": "Total abstinence", "timeframe": ""},
            {"id": "g2", "text": "Anna wants her own flat", "timeframe": "by August"},
        ],
        "measures": [
            {"id": "m1", "what": "Follow-up in the municipality", "service": "", "role": "", "due": "", "goal_id": None},
            {"id": "m2", "what": "Contact with NAV", "service": "NAV", "role": "", "due": "", "goal_id": "g9"},
        ],
    }
    assert codes(check_plan(poor, "en", "Anna")) == [
        ("what_matters_not_first_person", None),
        ("strengths_missing", None),
        ("network_missing", None),
        ("goal_not_first_person", "g1"),
        ("goal_no_timeframe", "g1"),
        ("goal_without_measure", "g1"),
        ("goal_without_measure", "g2"),
        ("measure_no_responsible", "m1"),
        ("measure_no_date", "m1"),
        ("measure_no_goal", "m1"),
        ("measure_no_date", "m2"),
        ("measure_no_goal", "m2"),
        ("coordinator_missing", None),
        ("crisis_plan_no_contact", None),
        ("evaluation_no_date", None),
        ("who_and_when", None),  # "will be evaluated": by whom?
        ("consent_missing", None),
    ]


def test_an_empty_plan_names_every_missing_section():
    hints = check_plan({}, "nb")
    assert codes(hints) == [
        ("what_matters_missing", None), ("strengths_missing", None), ("network_missing", None),
        ("goals_missing", None), ("coordinator_missing", None), ("crisis_plan_missing", None),
        ("evaluation_missing", None), ("consent_missing", None),
    ]
    for hint in hints:
        assert hint.message.endswith(".")
        assert any(word in f" {hint.message} " for word in (" og ", " hva ", " hvem ", " en ", " med ", " som ")), hint.message
    assert hints[0].message.startswith("Skriv hva som er viktig")


def test_markdown_that_holds_no_words_counts_as_missing():
    plan = copy.deepcopy(GOOD_EN)
    plan["sections"]["consent"] = "  - \n#  \n"
    assert codes(check_plan(plan, "en", "Anna")) == [("consent_missing", None)]


def test_hint_as_dict_and_section():
    plan = copy.deepcopy(GOOD_EN)
    plan["measures"][0]["due"] = ""
    [hint] = check_plan(plan, "en", "Anna")
    assert hint.as_dict() == {"code": "measure_no_date", "section": "measures",
                              "message": "Give this measure a date or deadline.", "item": "m1"}


def test_unsupported_language():
    with pytest.raises(ValueError):
        check_plan(GOOD_EN, "sv")


@pytest.mark.parametrize("text, lang, expected", [
    ("I want to live safely.", "en", True),
    ("Anna wants a home of her own.", "en", True),
    ("She would like to see Jonas.", "en", True),
    ("Total abstinence.", "en", False),
    ("Compliance with medication and attendance at AA.", "en", False),
    ("Jeg vil ha et eget hjem.", "nb", True),
    ("Mitt mål er å ha faste dager.", "nb", True),
    ("Anna ønsker å bo trygt.", "nb", True),
    ("Hun håper å få jobb på kafeen.", "nb", True),
    ("Total rusfrihet og etterlevelse av medisiner.", "nb", False),
])
def test_what_matters_from_the_persons_side(text, lang, expected):
    plan = {"sections": {"what_matters": text}}
    hint_codes = [h.code for h in check_plan(plan, lang, "Anna")]
    assert ("what_matters_not_first_person" not in hint_codes) is expected


def test_another_persons_wish_is_not_the_persons_side_when_the_name_is_known():
    plan = {"sections": {"what_matters": "Lene wants Anna to attend AA."}}
    assert "what_matters_not_first_person" in [h.code for h in check_plan(plan, "en", "Anna")]


@pytest.mark.parametrize("text, lang, expected", [
    ("Call my sister when I stop answering.", "en", True),
    ("Ring legevakten 116 117 om natten.", "nb", True),
    ("Hilde: 934 56 789", "en", True),
    ("Phone the out-of-hours clinic.", "en", True),
    ("In an emergency, 113.", "nb", True),
    ("Contact Lene on weekdays.", "en", True),
    ("Ta kontakt med koordinatoren på hverdager.", "nb", True),
    ("Be aware of the early signs and avoid alcohol.", "en", False),
    ("Unngå alkohol og ensomhet om kvelden.", "nb", False),
    ("Early signs appeared in 2024.", "en", False),
])
def test_crisis_contact(text, lang, expected):
    assert has_crisis_contact(text, lang) is expected


@pytest.mark.parametrize("text, lang, expected", [
    ("every three months", "en", True),
    ("First review on 10 July.", "en", True),
    ("Reviewed 01.09.2025 with Anna.", "en", True),
    ("quarterly with the coordinator", "en", True),
    ("hver tredje måned", "nb", True),
    ("innen 1. mars", "nb", True),
    ("til høsten sammen med Lene", "nb", True),
    ("The plan will be evaluated with Anna.", "en", False),
    ("Planen skal evalueres sammen med Anna.", "nb", False),
])
def test_time_expressions(text, lang, expected):
    assert has_time_expression(text, lang) is expected


def test_evaluation_without_date_and_crisis_plan_without_contact():
    plan = copy.deepcopy(GOOD_NB)
    plan["sections"]["evaluation"] = "Planen skal evalueres sammen med Anna og koordinatoren."
    plan["sections"]["crisis_plan"] = "Tidlige tegn er at hun slutter å åpne post. Det som hjelper, er en tur."
    assert codes(check_plan(plan, "nb", "Anna")) == [("crisis_plan_no_contact", None), ("evaluation_no_date", None)]


def test_strengths_that_no_measure_uses():
    plan = copy.deepcopy(GOOD_EN)
    plan["sections"]["strengths"] = "I knit, I sing in a choir and I know the bus timetables by heart."
    assert codes(check_plan(plan, "en", "Anna")) == [("strengths_unused", None)]


def test_strengths_used_through_a_shared_word_a_word_family_or_an_explicit_reference():
    plan = copy.deepcopy(GOOD_EN)
    plan["sections"]["strengths"] = "I am a trained cook."  # used by "café kitchen" (the cooking family)
    assert check_plan(plan, "en", "Anna") == []
    plan["sections"]["strengths"] = "Siv from the Tuesday group."  # "Siv" appears in a measure
    assert check_plan(plan, "en", "Anna") == []
    plan["sections"]["strengths"] = "I knit and I sing."
    plan["measures"][0]["what"] = "Build on Anna's strengths when looking for a flat"
    assert check_plan(plan, "en", "Anna") == []


def test_the_persons_name_alone_does_not_count_as_using_strengths():
    plan = copy.deepcopy(GOOD_NB)
    plan["sections"]["strengths"] = "Anna strikker og synger i kor."
    plan["measures"] = [dict(m, what=f"Anna: {m['what']}") for m in plan["measures"]]
    plan["measures"][1]["what"] = "Anna: søke om arbeidstrening"
    plan["measures"][0]["what"] = "Anna: sende dokumentene"
    assert ("strengths_unused", None) in codes(check_plan(plan, "nb", "Anna"))


def test_deficit_words_outweighing_strength_words():
    plan = copy.deepcopy(GOOD_EN)
    plan["sections"]["strengths"] = "Her problems: she is unmotivated, lacks insight and is unable to manage money."
    plan["sections"]["network"] = "Poor contact with family; difficulties with trust; chaotic relations."
    plan["sections"]["what_matters"] = "I want a home, but my weakness is drinking and I struggle with sleep."
    hints = codes(check_plan(plan, "en", "Anna"))
    assert ("deficit_outweighs_strengths", None) in hints


def test_a_balanced_plan_is_not_told_it_is_deficit_heavy():
    plan = copy.deepcopy(GOOD_NB)
    plan["sections"]["network"] = "Hun har problemer med tillit og mangler kontakt med moren."
    assert "deficit_outweighs_strengths" not in [h.code for h in check_plan(plan, "nb", "Anna")]


def test_goal_time_frame_can_be_in_the_goal_text_and_all_counts_for_every_goal():
    plan = copy.deepcopy(GOOD_EN)
    plan["goals"].append({"id": "g4", "text": "I know what I owe within two months", "timeframe": ""})
    plan["measures"].append({"id": "m4", "what": "Apply for a coordinator", "service": "Addiction service",
                             "role": "counsellor", "due": "30 May", "goal_id": "all"})
    assert check_plan(plan, "en", "Anna") == []


# --- counting deficit and strength words ------------------------------------------------------------------

from hypothesis import given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from app.language.resource import _DEFICIT_WORDS, _NEGATED_STRENGTH, _STRENGTH_WORDS, _count_balance  # noqa: E402

_PIECES = ["problems", "PROBLEMS", "unable", "Strengths", "skilled", "not able to", "doesn't enjoy", "likes",
           "İ", "ß", "klarer ikke", "Ressurser", "dårlig", "liker", "mangler", " ", "\n", ", ", "Anna", "ǅ"]


def _reference_balance(text: str, lang: str) -> tuple[int, int]:
    """The counts as the word lists define them: case-insensitive search on the text as written."""
    spans = [(f.start, f.end) for f in check_text(text, lang) if f.category == "deficit"]
    inside = lambda position, ranges: any(a <= position < b for a, b in ranges)  # noqa: E731
    deficit = len(spans) + sum(1 for m in _DEFICIT_WORDS[lang].finditer(text) if not inside(m.start(), spans))
    negated = [m.span() for m in _NEGATED_STRENGTH[lang].finditer(text)]
    return deficit, sum(1 for m in _STRENGTH_WORDS[lang].finditer(text) if not inside(m.start(), negated))


@given(st.lists(st.sampled_from(_PIECES), max_size=30), st.sampled_from(["en", "nb"]))
def test_word_counts_do_not_depend_on_case_or_on_letters_that_change_length(pieces, lang):
    text = "".join(pieces)
    assert _count_balance(text, lang) == _reference_balance(text, lang)


def test_counts_are_case_insensitive_and_stop_at_the_end_of_a_section():
    assert _count_balance("PROBLEMS, Problems and problems. She is SKILLED.", "en") == (3, 1)
    assert _count_balance("İstanbul: she has PROBLEMS but is Skilled", "en") == (1, 1)
    # "not" ends one section and "able to" starts the next: no phrase runs across them, so this is two deficit
    # words and one strength ("able to"), not three deficits ("not able to" and two problems) and no strength.
    plan = {"sections": {"strengths": "She is not", "network": "able to cook. Problems, problems."}}
    assert "deficit_outweighs_strengths" not in [h.code for h in check_plan(plan, "en", "Anna")]
    plan["sections"]["network"] = "She is not able to cook. Problems, problems."
    assert "deficit_outweighs_strengths" in [h.code for h in check_plan(plan, "en", "Anna")]


# ----------------------------------------------------------------------------- who does this, and by when?

def _with(plan: dict, *, goal: str | None = None, measure: str | None = None, section: tuple[str, str] | None = None,
          filled: bool = False) -> dict:
    plan = copy.deepcopy(plan)
    if goal is not None:
        plan["goals"][0]["text"] = goal
    if measure is not None:
        row = plan["measures"][0]
        row["what"] = measure
        if not filled:
            row["service"] = row["role"] = row["due"] = ""
    if section is not None:
        plan["sections"][section[0]] = section[1]
    return plan


def _who_hints(plan: dict, lang: str) -> list[PlanHint]:
    return [h for h in check_plan(plan, lang) if h.code == "who_and_when"]


@pytest.mark.parametrize("lang, plan_kw, phrase", [
    ("nb", {"measure": "Søknad om bolig bør bli sendt til kommunen."}, "bør bli sendt"),
    ("nb", {"measure": "Tiaminbehandling bør vurderes."}, "bør vurderes"),
    ("nb", {"measure": "Fastlegen skal varsles ved tilbakefall."}, "skal varsles"),
    ("nb", {"measure": "Det anbefales ukentlige samtaler."}, "anbefales"),
    ("nb", {"goal": "Boligsituasjonen vil bli avklart innen august."}, "vil bli avklart"),
    ("nb", {"section": ("crisis_plan", "Ved tidlige tegn skal søsteren kontaktes.")}, "skal søsteren kontaktes"),
    ("nb", {"section": ("coordinator", "Koordinator skal oppnevnes.")}, "skal oppnevnes"),
    ("en", {"measure": "The application will be sent to the housing office."}, "will be sent"),
    ("en", {"section": ("coordinator", "A coordinator should be appointed.")}, "should be appointed"),
    ("en", {"measure": "Weekly talks are recommended."}, "are recommended"),
    ("en", {"measure": "Thiamine is recommended."}, "is recommended"),
    ("en", {"goal": "Supported housing should be considered."}, "should be considered"),
    ("en", {"section": ("evaluation", "The plan will be reviewed every three months.")}, "will be reviewed"),
])
def test_an_agentless_passive_in_a_goal_or_measure_asks_who_and_by_when(lang, plan_kw, phrase):
    plan = _with(GOOD_EN if lang == "en" else GOOD_NB, **plan_kw)
    hints = _who_hints(plan, lang)
    assert len(hints) == 1, check_plan(plan, lang)
    assert phrase in hints[0].message
    asks = {"en": ("who", "by when"), "nb": ("hvem", "innen når")}[lang]
    assert all(word in hints[0].message for word in asks)


@pytest.mark.parametrize("lang, plan_kw", [
    # the person's own story and wishes are not measures
    ("nb", {"section": ("what_matters", "Jeg vil bli hørt, og planen skal sendes til meg.")}),
    ("nb", {"section": ("network", "Moren skal ikke kontaktes.")}),
    ("en", {"section": ("what_matters", "I want the plan to be sent to me, and it should be read aloud.")}),
    ("en", {"section": ("strengths", "Her cooking will be missed at the café.")}),
    # a wish in her own words, with "vil" meaning "wants"
    ("nb", {"goal": "Jeg vil bli tatt på alvor av NAV."}),
    ("nb", {"goal": "Anna vil bli kjent med naboene."}),
    # her own goal about herself, in the first person
    ("en", {"goal": "I will be employed in a kitchen by the summer."}),
    ("nb", {"goal": "Jeg skal bli kontaktet før møtene, ikke etter."}),
    ("en", {"goal": "Anna wants to be settled in her own flat by August, and she will be married in May."}),
    # the one who does it is named
    ("nb", {"measure": "Søknaden skal sendes av Lene innen 6. juni."}),
    ("en", {"measure": "The application will be sent by Lene by 6 June."}),
    ("en", {"measure": "Anna will be glad to have the keys."}),
    # the row itself says who and by when
    ("nb", {"measure": "Søknad om bolig skal sendes.", "filled": True}),
    ("en", {"measure": "The application will be sent.", "filled": True}),
])
def test_no_who_and_when_hint_where_no_measure_is_meant_or_the_doer_is_named(lang, plan_kw):
    plan = _with(GOOD_EN if lang == "en" else GOOD_NB, **plan_kw)
    assert _who_hints(plan, lang) == []


def test_the_good_plans_get_no_who_and_when_hint():
    assert _who_hints(GOOD_EN, "en") == [] and _who_hints(GOOD_NB, "nb") == []


def test_passives_are_a_plan_check_and_not_marked_in_any_text():
    # case documents and her story are checked word by word: an agentless passive is not a word to mark there
    assert check_text("The discharge summary will be sent to the GP.", "en") == []
    assert check_text("Epikrisen skal sendes til fastlegen.", "nb") == []
