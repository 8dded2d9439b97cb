"""Plan-level checks of resource orientation: is the plan written from the person's side, are her
strengths named and used, does every measure say who does what by when and for which goal, and do
the coordinator, crisis plan, evaluation and consent exist?

Pure functions, no database and no Flask. `check_plan` takes the plan as a plain dict:

    {"sections": {"what_matters": str, "strengths": str, "network": str, "coordinator": str,
                  "crisis_plan": str, "evaluation": str, "consent": str},
     "goals": [{"id": str, "text": str, "timeframe": str}],
     "measures": [{"id": str, "what": str, "service": str, "role": str, "due": str,
                   "goal_id": str | None}]}

Missing keys count as empty. Every rule is deliberately simple so that a student can see why a
hint appears and what makes it go away.
"""
from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass

from app.memo import MB, by_text

from .core import LANGUAGES, check_text

SECTION_ORDER = ("what_matters", "strengths", "network", "goals", "measures", "coordinator",
                 "crisis_plan", "evaluation", "consent")


@dataclass(frozen=True)
class PlanHint:
    """One plan-level observation; `item` is the goal or measure id when it concerns one row."""

    code: str
    section: str
    message: str
    item: str | None = None

    def as_dict(self) -> dict:
        return {"code": self.code, "section": self.section, "message": self.message, "item": self.item}


MESSAGES = {
    "en": {
        "what_matters_missing": "Write down what matters to the person, in her own words.",
        "what_matters_not_first_person": "Write what matters in the person's own voice (\"I want…\") or with her as the subject (\"Anna wants…\").",
        "strengths_missing": "Name the person's strengths and resources: skills, interests, people and things that have worked before.",
        "strengths_unused": "None of the measures builds on the strengths you named; let at least one measure use them.",
        "network_missing": "Describe the person's network: family, friends, peers and services she trusts, and who may be contacted.",
        "goals_missing": "Add the person's goals, in her words and with a time frame.",
        "goal_not_first_person": "Phrase this goal from the person's side (\"I want…\" or \"Anna wants…\").",
        "goal_no_timeframe": "Give this goal a time frame (for example \"within three months\" or \"before August\").",
        "goal_without_measure": "No measure serves this goal yet; add at least one.",
        "measures_missing": "Add measures: what is done, who is responsible, by when and for which goal.",
        "measure_no_responsible": "Say who is responsible for this measure (a service and a role).",
        "measure_no_date": "Give this measure a date or deadline.",
        "measure_no_goal": "Link this measure to the goal it serves.",
        "coordinator_missing": "Name the coordinator who follows up and holds the plan together.",
        "crisis_plan_missing": "Add a crisis plan: early signs, what helps, what to avoid and who to call.",
        "crisis_plan_no_contact": "Add at least one contact to the crisis plan: a phone number or a named person or service to call.",
        "evaluation_missing": "Say when and with whom the plan will be reviewed.",
        "evaluation_no_date": "Give the evaluation a date or an interval (for example \"every three months\").",
        "consent_missing": "Record what the person agrees to share, and with whom.",
        "deficit_outweighs_strengths": "The plan names far more problems and deficits than strengths; describe what the person can do and has achieved.",
        "who_and_when": "\u201c%(phrase)s\u201d does not say who does it: name who is responsible and by when.",
    },
    "nb": {
        "what_matters_missing": "Skriv hva som er viktig for personen, med hennes egne ord.",
        "what_matters_not_first_person": "Skriv det som er viktig, med personens egen stemme («Jeg vil …») eller med henne som subjekt («Anna ønsker …»).",
        "strengths_missing": "Skriv personens ressurser: ferdigheter, interesser, mennesker og det som har fungert før.",
        "strengths_unused": "Ingen av tiltakene bygger på ressursene du har skrevet; la minst ett tiltak bruke dem.",
        "network_missing": "Beskriv nettverket hennes: familie, venner, likepersoner og tjenester hun stoler på, og hvem som kan kontaktes.",
        "goals_missing": "Legg inn personens mål, med hennes ord og med en tidsramme.",
        "goal_not_first_person": "Formuler målet fra personens side («Jeg vil …» eller «Anna ønsker …»).",
        "goal_no_timeframe": "Gi målet en tidsramme (for eksempel «innen tre måneder» eller «før august»).",
        "goal_without_measure": "Ingen tiltak hører til dette målet ennå; legg inn minst ett.",
        "measures_missing": "Legg inn tiltak: hva som gjøres, hvem som har ansvaret, innen når og for hvilket mål.",
        "measure_no_responsible": "Skriv hvem som har ansvaret for tiltaket (en tjeneste og en rolle).",
        "measure_no_date": "Gi tiltaket en dato eller frist.",
        "measure_no_goal": "Knytt tiltaket til målet det skal hjelpe.",
        "coordinator_missing": "Skriv hvem som er koordinator og holder planen sammen.",
        "crisis_plan_missing": "Legg inn en kriseplan: tidlige tegn, hva som hjelper, hva som bør unngås og hvem hun kan ringe.",
        "crisis_plan_no_contact": "Legg inn minst én kontakt i kriseplanen: et telefonnummer eller en navngitt person eller tjeneste å ringe.",
        "evaluation_missing": "Skriv når og sammen med hvem planen skal evalueres.",
        "evaluation_no_date": "Gi evalueringen en dato eller et intervall (for eksempel «hver tredje måned»).",
        "consent_missing": "Skriv hva personen samtykker til å dele, og med hvem.",
        "deficit_outweighs_strengths": "Planen nevner langt flere problemer og mangler enn ressurser; beskriv hva personen kan og har fått til.",
        "who_and_when": "«%(phrase)s» sier ikke hvem som gjør det: skriv hvem som har ansvaret, og innen når.",
    },
}

# ----------------------------------------------------------------------------- word lists

_FIRST_PERSON = {
    "en": re.compile(r"(?-i:\bI\b)|\b(?:I'm|I've|I'd|I'll|me|my|mine|myself|we|our|ours|ourselves)\b", re.IGNORECASE),
    "nb": re.compile(r"\b(?:jeg|meg|min|mitt|mine|meg\s+selv|vi|vår|vårt|våre|oss)\b", re.IGNORECASE),
}
_WISH_VERBS = {
    "en": r"(?:wants?|would\s+(?:like|rather|love)|wish(?:es)?|hopes?|plans?|intends?|chooses|has\s+chosen|prefers?|aims?|dreams?|decides|has\s+decided|likes?|loves?|looks\s+forward|is\s+looking\s+forward|says|is\s+going\s+to|will\s+try)",
    "nb": r"(?:ønsker|vil|håper|har\s+lyst|drømmer|planlegger|velger|har\s+valgt|foretrekker|har\s+som\s+mål|gleder\s+seg|liker|sier|bestemmer|har\s+bestemt|skal\s+prøve|prøver|vil\s+gjerne)",
}
_PRONOUNS = {"en": r"(?:she|he|they)", "nb": r"(?:hun|han|de)"}

_MONTHS = {
    "en": r"(?:january|february|march|april|may|june|july|august|september|october|november|december|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec)\.?",
    "nb": r"(?:januar|februar|mars|april|mai|juni|juli|august|september|oktober|november|desember|jan|feb|mar|apr|jun|jul|aug|sep|sept|okt|nov|des)\.?",
}
_NUMBER_WORDS = {
    "en": r"(?:\d+|a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|a\s+few|several|couple\s+of|the\s+first|the\s+next)",
    "nb": r"(?:\d+|en|ett|ei|to|tre|fire|fem|seks|sju|syv|åtte|ni|ti|elleve|tolv|noen|et\s+par|første|neste)",
}
_TIME_EN = (
    r"\b\d{1,2}[./-]\d{1,2}(?:[./-]\d{2,4})?\b|\b\d{4}-\d{2}-\d{2}\b|\b(?:19|20)\d{2}\b"
    r"|\b" + _MONTHS["en"] + r"(?=\W|$)"
    r"|\b(?:every|each|once\s+a|twice\s+a|per)\s+(?:\w+\s+)?(?:day|days|week|weeks|fortnight|month|months|year|years|quarter|term)\b"
    r"|\b(?:daily|weekly|fortnightly|monthly|quarterly|yearly|annually|biweekly|bimonthly)\b"
    r"|\b(?:within|in|after|before|by|for|from)\s+(?:the\s+end\s+of\s+|the\s+next\s+|the\s+first\s+)?" + _NUMBER_WORDS["en"] + r"?\s*(?:days?|weeks?|months?|years?|term)\b"
    r"|\b(?:by|before|until|from|in|this|next|over\s+the)\s+(?:the\s+)?(?:spring|summer|autumn|fall|winter|christmas|easter|new\s+year|holidays?|end\s+of\s+\w+)\b"
    r"|\b(?:next|this|coming)\s+(?:week|month|year|term)\b|\bweek\s+\d+\b|\b(?:today|tomorrow|asap|ongoing|short[\s-]term|long[\s-]term)\b"
    r"|\b(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)s?\b"
)
_TIME_NB = (
    r"\b\d{1,2}[./-]\d{1,2}(?:[./-]\d{2,4})?\b|\b\d{4}-\d{2}-\d{2}\b|\b(?:19|20)\d{2}\b|\b\d{1,2}\.\s*" + _MONTHS["nb"]
    + r"|\b" + _MONTHS["nb"] + r"(?=\W|$)"
    r"|\b(?:hver|hvert|hvér|annenhver|annethvert|en\s+gang\s+i|to\s+ganger\s+i|per)\s+(?:\w+\s+)?(?:dag|dager|uke|uker|måned|måneder|år|kvartal|halvår)\b"
    r"|\b(?:daglig|ukentlig|månedlig|kvartalsvis|halvårlig|årlig)\b"
    r"|\b(?:innen|om|etter|før|i\s+løpet\s+av|fra|i)\s+(?:utgangen\s+av\s+|slutten\s+av\s+)?" + _NUMBER_WORDS["nb"] + r"?\s*(?:dag|dager|døgn|uke|uker|måned|måneder|år|ukene|månedene)\b"
    r"|\binnen\s+\d{1,2}\.|\b(?:innen|før|til|fra|i|om|neste|denne)\s+(?:våren|sommeren|høsten|vinteren|jul|julen|påske|påsken|ferien|nyttår|sommerferien|vår|sommer|høst|vinter)\b"
    r"|\b(?:neste|denne|kommende)\s+(?:uke|måned|år)\b|\buke\s+\d+\b|\b(?:i\s+dag|i\s+morgen|fortløpende|løpende|kortsiktig|langsiktig|på\s+kort\s+sikt|på\s+lang\s+sikt)\b"
    r"|\b(?:mandag|tirsdag|onsdag|torsdag|fredag|lørdag|søndag)(?:er)?\b"
)
_TIME = {"en": re.compile(_TIME_EN, re.IGNORECASE), "nb": re.compile(_TIME_NB, re.IGNORECASE)}

_EMERGENCY = {
    "en": re.compile(r"\b(?:113|112|110|116\s?117|999|911|111)\b|\b(?:out[\s-]of[\s-]hours|emergency\s+(?:number|services?|department|line)|crisis\s+(?:team|line|service)|A&E|legevakt\w*|ambulance|helpline|hotline|samaritans)\b", re.IGNORECASE),
    "nb": re.compile(r"\b(?:113|112|110|116\s?117)\b|\b(?:legevakt\w*|AMK|akutteam\w*|kriseteam\w*|ambulanse\w*|hjelpetelefon\w*|mental\s+helses?\s+hjelpetelefon|nødnummer\w*|akuttmottak\w*)\b", re.IGNORECASE),
}
_PHONE = re.compile(r"(?<![\d.,/])\+?\d(?:[\s-]?\d){7,}(?![\d.,/])")
_CALL = {
    "en": r"(?:call|calls|calling|phone|phones|ring|rings|text|texts|contact|contacts|reach|talk\s+to|talks\s+to|go\s+to|goes\s+to|ask|asks)",
    "nb": r"(?:ring|ringe|ringer|kontakt|kontakte|kontakter|ta\s+kontakt\s+med|tar\s+kontakt\s+med|send\w*\s+(?:melding|SMS)\s+til|snakke\s+med|snakker\s+med|gå\s+til|går\s+til|oppsøke|oppsøker|spør|spørre)",
}
_CONTACT_ROLES = {
    "en": r"(?:sister|brother|mother|father|mum|mom|dad|son|daughter|aunt|uncle|cousin|friend|neighbou?r|partner|GP|doctor|coordinator|counsell?or|nurse|key\s*worker|support\s+worker|peer\s+(?:support\s+)?worker|psychiatrist|psychologist|therapist|social\s+worker|police|ambulance|clinic|ward|unit|team|NAV|adviser|advisor)",
    "nb": r"(?:søster|søsteren|bror|broren|mor|moren|mamma|far|faren|pappa|sønn|sønnen|datter|datteren|tante|onkel|kusine|fetter|venn|venninne|venninnen|vennen|nabo|naboen|fastlege|fastlegen|lege|legen|koordinator|koordinatoren|ruskonsulent|ruskonsulenten|rådgiver|rådgiveren|veileder|veilederen|sykepleier|sykepleieren|psykolog|psykologen|psykiater|behandler|behandleren|erfaringskonsulent|erfaringskonsulenten|likeperson|miljøarbeider|miljøterapeut|politi|politiet|NAV|DPS|avdelingen|poliklinikken|teamet)",
}

_DEFICIT_WORDS = {
    "en": re.compile(r"\b(?:problems?|problematic|deficits?|lacks?|lacking|unable|inability|failures?|fails|failed|poor|weak|weakness(?:es)?|difficult(?:y|ies)|struggles?|struggling|impaired|impairment|dysfunction(?:al)?|incapable|deficient|helpless|not\s+able\s+to|can(?:no|')t\s+cope)\b", re.IGNORECASE),
    "nb": re.compile(r"\b(?:problem(?:er|ene|et)?|problematikk|problematisk|mangel|mangler|manglende|mangelfull|svikt|sviktende|svak|svake|svakhet(?:er)?|vansker|vanskeligheter|klarer\s+ikke|ikke\s+klarer|ute\s+av\s+stand|dårlig|dårlige|begrensning(?:er)?|nedsatt|hjelpeløs|funksjonssvikt)\b", re.IGNORECASE),
}
_STRENGTH_WORDS = {
    "en": re.compile(r"\b(?:strengths?|resources?|skills?|skilled|good\s+at|able\s+to|manages?|managed|capable|talent(?:s|ed)?|enjoys?|likes?|loves?|interests?|proud|succeed(?:s|ed)?|success(?:es|ful)?|achievements?|hopes?|hopeful|resilien(?:t|ce)|caring|cares|trained|experienced|honest|reliable|knows\s+how)\b", re.IGNORECASE),
    "nb": re.compile(r"\b(?:ressurs(?:er|ene)?|styrke(?:r|ne)?|ferdighet(?:er)?|flink(?:e)?|dyktig(?:e)?|god\s+til|god\s+på|mestrer|mestring|klarer|får\s+til|liker|glad\s+i|interesse(?:r)?|stolt|lyktes|har\s+fått\s+til|engasjert|omsorgsfull|håp|håper|utdannet|erfaren|ærlig|pålitelig|vet\s+hvordan)\b", re.IGNORECASE),
}
_NEGATED_STRENGTH = {
    "en": re.compile(r"\b(?:not|never|no\s+longer|unable\s+to|does\s+not|doesn't|did\s+not|didn't)\s+(?:\w+\s+)?(?:able\s+to|manage|manages|managed|enjoy|enjoys|like|likes|love|loves)\b", re.IGNORECASE),
    "nb": re.compile(r"\b(?:klarer|mestrer|liker|får)\s+(?:ikke|aldri)\b|\b(?:ikke|aldri)\s+(?:klarer|mestrer|liker)\b", re.IGNORECASE),
}

# Passives without a doer ("will be sent", "bør vurderes"): in a goal or a measure they leave open who does it and by
# when. Only the texts where something is to be done are read for them; her story and the case documents are not.
_AGENTLESS_PASSIVE = {
    "en": re.compile(
        r"\b(?P<phrase>(?:will|shall|should|must|can|may|need\s+to|needs\s+to|has\s+to|have\s+to|is\s+to|are\s+to|"
        r"ought\s+to)\s+(?:(?:also|then|now|still|first|soon|immediately|promptly|always|regularly|further)\s+)*be\s+"
        r"(?:[a-z]+ly\s+)?(?!(?:interested|tired|worried|pleased|excited|scared|bored|relieved|prepared|involved|"
        r"delighted|surprised|disappointed|ashamed|frightened|annoyed|upset|glad|allowed|based|used|missed|"
        r"settled|married|employed|qualified|engaged|retired|divorced|recovered|rested|housed|finished)\b)"
        r"(?:[a-z]+ed|sent|made|held|done|given|taken|told|sought|brought|met|kept|found|built|paid|put|set\s+up|"
        r"followed\s+up|seen|shown|written|known|drawn\s+up|begun|chosen|driven|run)"
        r"|(?:is|are)\s+(?:(?:also|therefore|strongly)\s+)?(?:recommended|advised|suggested|required|planned))\b"
        r"(?!\s+(?:by|together\s+with|jointly\s+with)\b)", re.IGNORECASE),
    "nb": re.compile(
        r"\b(?P<phrase>(?P<modal>bør|skal|vil|må|kan|skulle|burde|måtte)\s+(?:(?:også|derfor|snarest|straks|raskt|"
        r"først|fortsatt|deretter|umiddelbart|jevnlig|alltid)\s+)*(?:bli\s+(?:[a-zæøå]+\s+)??"
        r"(?!(?:kjent|vant|trygt|godt|lett|mett|stort|fint|flott|sett|tett|rett|sent|bedt)\b)[a-zæøå]{2,}(?:et|t|dd)"
        r"|(?:(?:[a-zæøå]+(?:en|et|a|ene|ne)|det|dette|hun|han|de)\s+)?"
        r"(?!(?:trives|synes|lykkes|mislykkes|finnes|minnes|møtes|ses|sees|føles|kjennes|høres|omgås|enes|skilles|"
        r"treffes|snakkes|hennes|deres|ellers|slåss|vises)\b)[a-zæøå]{3,}es(?:\s+opp)?)"
        r"|(?:det\s+)?(?:anbefales|tilrådes|tilrås|foreslås))\b(?!\s+(?:av|sammen\s+med)\b)", re.IGNORECASE),
}
# In her own voice ("I will be employed", "Jeg skal bli kontaktet") a passive is her goal, not a measure; so is
# "vil" with her as the subject, which is a wish ("Anna vil bli hørt").
_OWN_VOICE = {
    "en": re.compile(r"(?-i:\bI)\s+$|\bwe\s+$", re.IGNORECASE),
    "nb": re.compile(r"\b(?:jeg|vi)\s+$", re.IGNORECASE),
}
_WISH_SUBJECT = {
    "en": None,
    "nb": re.compile(r"\b(?:hun|han|anna|personen|pasienten)\s+(?:\w+\s+)?$", re.IGNORECASE),
}
# Beside goals and measures, the sections that say what is done are read for them: the coordinator, the crisis plan
# and the evaluation (see check_plan). Her own story (what matters, strengths, network) and her consent are not.


def agentless_passives(text: str, lang: str) -> list[tuple[int, int, str]]:
    """(start, end, phrase) of each passive that does not say who acts: "skal varsles", "will be sent"."""
    result = []
    wish = _WISH_SUBJECT[lang]
    for match in _AGENTLESS_PASSIVE[lang].finditer(text or ""):
        modal = match.groupdict().get("modal")
        if _OWN_VOICE[lang].search(text, max(0, match.start() - 8), match.start()):
            continue
        if wish is not None and modal and modal.lower() == "vil" \
                and wish.search(text, max(0, match.start() - 40), match.start()):
            continue
        result.append((match.start("phrase"), match.end("phrase"), match.group("phrase")))
    return result


_WORD_LISTS = (_DEFICIT_WORDS, _STRENGTH_WORDS, _NEGATED_STRENGTH)
_WORD_LISTS_LOWER = tuple({lang: re.compile(rx.pattern) for lang, rx in words.items()} for words in _WORD_LISTS)
assert all(rx.pattern == rx.pattern.lower() for words in _WORD_LISTS for rx in words.values())

_STOPWORDS = {
    "en": set("""
        about above after again against also always among anna another around because been before being
        below between both cannot could does doing done down during each either enough even every from
        further gets getting give given gives going good great have having help helps helped here hers
        herself himself into just keep know knows like likes made make makes many more most much must
        need needs never only other others over people person plan plans really same should since some
        still such support supports take takes than that their them themselves then there these they
        thing things this those through time times together under until very want wants week weeks well
        were what when where which while whom will with within without would year years your able
        strong strength strengths resource resources skill skills contact contacts meet meets meeting
        service services follow weekly every month months days used uses using person's anna's she's
        also around first next last each sure ready better best able often sometimes
    """.split()),
    "nb": set("""
        alle andre annen annet bare blir ble bli blitt både både da dag dager de deg dem den denne der
        dere deres det dette disse du eller en ett etter for fordi fra før gjennom god gode godt går ha
        hadde han hans har hennes henne her hos hun hva hver hvis hvor hvordan ikke inn innen jeg kan
        kunne liker med meg men mer mest mot mye må måned måneder når også om opp oss over på sammen
        seg selv sin sine sitt skal skulle slik som så til tre uke uker under ut uten var vil ville
        være vært ønsker ressurs ressurser ressursene styrke styrker flink flinke hjelp hjelpe støtte
        kontakt plan planen møte møter møtes hver ofte noen andre ganger gang også veldig gjerne helt
        får fikk klarer mange første neste siste dette denne disse anna annas
    """.split()),
}
_SUFFIXES = {
    "en": ("ings", "ing", "ers", "ies", "ied", "ed", "es", "er", "s", "ly"),
    "nb": ("ingene", "ingen", "ende", "ene", "ens", "ing", "en", "er", "et", "te", "a", "e", "s"),
}
# A few families of words that belong together, so that "trained cook" counts as used by a measure
# about "the café kitchen". Kept short on purpose: each family is easy to explain.
_RELATED = {
    "en": (
        {"cook", "cooking", "cooks", "chef", "kitchen", "cafe", "café", "meal", "meals", "dinner", "bake", "baking", "food", "recipe"},
        {"dog", "dogs", "animal", "animals", "pet", "pets", "walk", "walks", "walking"},
        {"garden", "gardening", "plants", "allotment"},
        {"music", "sing", "singing", "choir", "guitar", "piano", "band"},
        {"sport", "sports", "football", "swim", "swimming", "gym", "exercise", "running", "hiking", "training"},
        {"craft", "crafts", "knitting", "sewing", "drawing", "painting", "art"},
        {"budget", "budgets", "budgeting", "money", "finances", "planning", "plans"},
    ),
    "nb": (
        {"kokk", "kokken", "mat", "matlaging", "lage mat", "kjøkken", "kjøkkenet", "kafé", "kafe", "kafeen", "kafékjøkkenet", "middag", "middagen", "bake", "baking", "oppskrift"},
        {"hund", "hunden", "dyr", "dyrene", "tur", "turer", "gåtur", "gåturer", "luftetur"},
        {"hage", "hagen", "planter", "kolonihage"},
        {"musikk", "synge", "kor", "gitar", "piano", "band"},
        {"trening", "trene", "fotball", "svømme", "svømming", "turgruppe", "turgruppa", "løping", "fjelltur"},
        {"strikking", "strikke", "sying", "tegning", "maling", "håndarbeid"},
        {"budsjett", "budsjettet", "økonomi", "penger", "planlegge", "planlegging"},
    ),
}

_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")


def _blank(value) -> bool:
    """True when a section holds nothing but whitespace or Markdown punctuation."""
    return not re.search(r"[^\W_]", str(value or ""))


def _stem(word: str, lang: str) -> str:
    for suffix in _SUFFIXES[lang]:
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


def _content_stems(text: str, lang: str, skip: set[str]) -> set[str]:
    stems: set[str] = set()
    for match in _WORD.finditer(text or ""):
        original = match.group(0)
        word = original.lower()
        # short names (Siv, Per, Ola) are content words too
        if (len(word) < 4 and not (len(word) == 3 and original[0].isupper())) or word in _STOPWORDS[lang] or word in skip:
            continue
        stems.add(_stem(word, lang))
    return stems


def _families(text: str, lang: str) -> set[int]:
    lowered = (text or "").lower()
    words = set(w.lower() for w in _WORD.findall(lowered))
    found = set()
    for index, family in enumerate(_RELATED[lang]):
        if any((" " in term and term in lowered) or term in words for term in family):
            found.add(index)
    return found


def _from_persons_side(text: str, lang: str, person_name: str | None) -> bool:
    """First person ("I want", "jeg vil"), or the person as the subject of a wish ("Anna wants",
    "hun ønsker"). Without a name, any capitalised name before a wish verb counts."""
    if _FIRST_PERSON[lang].search(text):
        return True
    wish = _WISH_VERBS[lang]
    subjects = [_PRONOUNS[lang]]
    if person_name and person_name.strip():
        subjects.append(re.escape(person_name.strip()))
    if re.search(rf"\b(?:{'|'.join(subjects)})\s+(?:\w+\s+)?{wish}\b", text, re.IGNORECASE):
        return True
    if not (person_name and person_name.strip()):
        return re.search(rf"(?-i:\b[A-ZÆØÅ][a-zæøåé]+)\s+(?:\w+\s+)?{wish}\b", text, re.IGNORECASE) is not None
    return False


def has_time_expression(text: str, lang: str) -> bool:
    """A date, a month, a weekday, an interval ("every three months", "hver tredje måned") or a deadline."""
    return bool(text) and _TIME[lang].search(text) is not None


def has_crisis_contact(text: str, lang: str) -> bool:
    """A phone number, an emergency service, or a call to a named role, service or person."""
    if not text:
        return False
    if _PHONE.search(text) or _EMERGENCY[lang].search(text):
        return True
    call = _CALL[lang]
    roles = _CONTACT_ROLES[lang]
    target = rf"(?:{roles}|(?-i:[A-ZÆØÅ][a-zæøå]+))"
    return re.search(rf"\b{call}\b\s+(?:[\w'’]+\s+){{0,4}}?{target}\b", text, re.IGNORECASE) is not None


@by_text(8 * MB)
def _count_balance(text: str, lang: str) -> tuple[int, int]:
    """(deficit words, strength words) in a text; deficit findings of the word checker count too."""
    deficit_spans = [(f.start, f.end) for f in check_text(text, lang) if f.category == "deficit"]
    lowered = text.lower()
    if len(lowered) == len(text):
        # The word lists are written in lower case: on the lower-cased text a case-sensitive search finds the same
        # words at the same places, several times faster (the engine skips ahead to the words' first letters).
        text, lists = lowered, _WORD_LISTS_LOWER
    else:  # a letter whose lower case is longer would shift the places: search the text as it is
        lists = _WORD_LISTS
    deficit_words, strength_words, negated_strength = (words[lang] for words in lists)
    deficit = len(deficit_spans) + sum(1 for match in deficit_words.finditer(text)
                                       if not _inside(match.start(), deficit_spans))
    negated = [(m.start(), m.end()) for m in negated_strength.finditer(text)]
    strength = sum(1 for match in strength_words.finditer(text) if not _inside(match.start(), negated))
    return deficit, strength


def _plan_balance(parts: list[str], lang: str) -> tuple[int, int]:
    """(deficit words, strength words) over the parts of a plan, each counted on its own: a phrase does not run
    from one section into the next, and a part that has not changed since the last check is not read again."""
    deficit = strength = 0
    for part in parts:
        if part:
            d, s = _count_balance(part, lang)
            deficit, strength = deficit + d, strength + s
    return deficit, strength


def _inside(position: int, spans: list[tuple[int, int]]) -> bool:
    """Whether `position` falls in one of `spans`: sorted and not overlapping, as findings and matches come."""
    i = bisect_right(spans, (position, float("inf"))) - 1
    return i >= 0 and spans[i][0] <= position < spans[i][1]


def _as_list(value) -> list[dict]:
    return [row for row in (value or []) if isinstance(row, dict)]


def check_plan(plan: dict, lang: str = "en", person_name: str | None = None) -> list[PlanHint]:
    """Plan-level hints, ordered by section, then by row."""
    if lang not in LANGUAGES:
        raise ValueError(f"unsupported language {lang!r}; expected one of {', '.join(LANGUAGES)}")
    messages = MESSAGES[lang]
    plan = plan or {}
    sections = {key: str(value or "") for key, value in (plan.get("sections") or {}).items()}
    goals = _as_list(plan.get("goals"))
    measures = _as_list(plan.get("measures"))
    hints: list[PlanHint] = []

    def hint(code: str, section: str, item: str | None = None, **values: str) -> None:
        hints.append(PlanHint(code, section, messages[code] % values if values else messages[code], item))

    def who_and_when(text: str, section: str, item: str | None = None) -> None:
        for _start, _end, phrase in agentless_passives(text, lang)[:1]:
            hint("who_and_when", section, item, phrase=phrase)

    what_matters = sections.get("what_matters", "")
    if _blank(what_matters):
        hint("what_matters_missing", "what_matters")
    elif not _from_persons_side(what_matters, lang, person_name):
        hint("what_matters_not_first_person", "what_matters")

    strengths = sections.get("strengths", "")
    if _blank(strengths):
        hint("strengths_missing", "strengths")
    elif measures and not _strengths_used(strengths, measures, lang, person_name):
        hint("strengths_unused", "strengths")

    if _blank(sections.get("network")):
        hint("network_missing", "network")

    goal_ids = {str(g.get("id")) for g in goals if g.get("id") is not None}
    served = {str(m.get("goal_id")) for m in measures if m.get("goal_id")}
    serves_all = any(str(m.get("goal_id") or "").strip().lower() in ("all", "alle") for m in measures)
    if not goals:
        hint("goals_missing", "goals")
    for goal in goals:
        goal_id = str(goal.get("id")) if goal.get("id") is not None else None
        text = str(goal.get("text") or "")
        if not _from_persons_side(text, lang, person_name):
            hint("goal_not_first_person", "goals", goal_id)
        if _blank(goal.get("timeframe")) and not has_time_expression(text, lang):
            hint("goal_no_timeframe", "goals", goal_id)
        if measures and not serves_all and goal_id not in served:
            hint("goal_without_measure", "goals", goal_id)
        who_and_when(text, "goals", goal_id)

    if not measures and goals:
        hint("measures_missing", "measures")
    for measure in measures:
        measure_id = str(measure.get("id")) if measure.get("id") is not None else None
        if _blank(measure.get("service")) and _blank(measure.get("role")):
            hint("measure_no_responsible", "measures", measure_id)
        if _blank(measure.get("due")):
            hint("measure_no_date", "measures", measure_id)
        link = str(measure.get("goal_id") or "").strip()
        if not link or (link not in goal_ids and link.lower() not in ("all", "alle")):
            hint("measure_no_goal", "measures", measure_id)
        if _blank(measure.get("due")) or (_blank(measure.get("service")) and _blank(measure.get("role"))):
            who_and_when(str(measure.get("what") or ""), "measures", measure_id)  # else the row says who and when

    if _blank(sections.get("coordinator")):
        hint("coordinator_missing", "coordinator")
    who_and_when(sections.get("coordinator", ""), "coordinator")

    crisis = sections.get("crisis_plan", "")
    if _blank(crisis):
        hint("crisis_plan_missing", "crisis_plan")
    elif not has_crisis_contact(crisis, lang):
        hint("crisis_plan_no_contact", "crisis_plan")
    who_and_when(crisis, "crisis_plan")

    evaluation = sections.get("evaluation", "")
    if _blank(evaluation):
        hint("evaluation_missing", "evaluation")
    elif not has_time_expression(evaluation, lang):
        hint("evaluation_no_date", "evaluation")
    who_and_when(evaluation, "evaluation")

    if _blank(sections.get("consent")):
        hint("consent_missing", "consent")

    deficit, strength = _plan_balance(
        list(sections.values())
        + [str(g.get("text") or "") for g in goals]
        + [" ".join(str(m.get(k) or "") for k in ("what", "service", "role")) for m in measures],
        lang,
    )
    if deficit >= 3 and deficit >= 2 * strength:
        hint("deficit_outweighs_strengths", "strengths")
    return hints


def _strengths_used(strengths: str, measures: list[dict], lang: str, person_name: str | None) -> bool:
    """Some content word of the strengths section (or a word of the same small family) appears in
    a measure's what, service or role, or a measure says outright that it builds on her strengths."""
    skip = {person_name.lower()} if person_name else set()
    strength_stems = _content_stems(strengths, lang, skip)
    strength_families = _families(strengths, lang)
    explicit = re.compile(r"\b(?:strengths?|resources?|ressurs\w*|styrke\w*)\b", re.IGNORECASE)
    for measure in measures:
        text = " ".join(str(measure.get(k) or "") for k in ("what", "service", "role"))
        if explicit.search(text):
            return True
        if strength_stems & _content_stems(text, lang, skip):
            return True
        if strength_families & _families(text, lang):
            return True
    return False
