"""Word-level language checks for care plans, in English and Norwegian Bokmål.

The checker marks words and short patterns that label, moralise, doubt, blame, order, objectify
or speak record language, and proposes a plain, respectful alternative. It is pure: no Flask, no
database. Lexicons live in `lexicon/<lang>.yaml` and are compiled once per process.

How matching works, in short:

* The text is split into word tokens once (letters and digits; an apostrophe inside a word keeps
  it together). Every lexicon term is a sequence of tokens, indexed by its least common word, so
  checking a text is one dictionary look-up per token plus a few comparisons.
* Inflected forms are generated from the base form (`inflect: noun | verb | noun_er | …`) or
  listed under `forms`.
* Norwegian compounds: an entry may declare that its word can close a longer word
  (`compound: tail`, "alkohol|misbruker"), open one ("misbruks|problematikk"), or both. One
  compiled pattern of all such word parts is searched only inside long tokens that did not match
  whole; `not_heads`, `not_tails` and `not_words` keep harmless compounds ("maktmisbruk") out.
* Context decides many entries: `require` and `unless` hold regular expressions that must (or
  must not) match right before or right after the hit ("clean" + "flat" is fine; "denied" after
  "was" is something done to the person, not a doubting verb). An item with both `before` and
  `after` needs both.
* A few entries are patterns over the text (dose notation, "must … before …"). Each is tried only
  near one of its `trigger` words, or only at the trigger itself with `starts: trigger`, so the
  cost stays proportional to the text. A named group `hit` (or `hit2`) marks the part to show.

Lexicon entry fields: id, category, terms / forms / pattern (+ trigger, starts), inflect, case
(`exact` for abbreviations such as "Pt"), compound, require, unless, subject_after (the person may
follow the hit instead of coming before it: "Derfor må Anna …"), message, suggestion (or `suggestions`
per written form, or a `suggestion` on the `require` context that found the hit, for one sense), plural
(the replacement after a count above one), replacement or replacements (per written form), examples and not_examples (tested).
"""
from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from app.memo import MB, by_text

CATEGORIES = ("label", "moral", "doubt", "deficit", "jargon", "coercion", "passive")
LANGUAGES = ("en", "nb")
LEXICON_DIR = Path(__file__).with_name("lexicon")

# A word: letters/digits, with inner apostrophes ("addict's", "OD'd").
TOKEN_RE = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
# For counting words, a hyphenated word counts once.
WORD_RE = re.compile(r"[^\W_]+(?:(?:['’\-‐]|(?<=\d)[.,](?=\d))[^\W_]+)*")
# What may stand between the words of a phrase: spaces, line breaks, hyphens.
FLEX_GAP_RE = re.compile(r"[ \t\r\n\u00a0\-‐–]+")
QUOTES = "\"'«»“”‘’„()[]*_"
CONTEXT_WINDOW = 90
# A pattern is tried near its trigger word: from PATTERN_BACK characters before it (or only at the
# word itself for patterns marked `starts: trigger`) to PATTERN_AHEAD characters after it.
PATTERN_BACK = 80
PATTERN_AHEAD = 160
# A count above one right before a word ("2 tbl.", "to kapsler", "three tabs"), and the start of a sentence.
PLURAL_COUNT_RE = re.compile(
    r"(?:\b(?:[2-9]|\d{2,}|\d+[.,]\d+|1[.,]5|to|tre|fire|fem|seks|sju|syv|åtte|ni|ti|tolv|two|three|four|five|six|seven|"
    r"eight|nine|ten|twelve|several|flere|noen|some)|½)\s*$", re.IGNORECASE)
SENTENCE_START_RE = re.compile(r"(?:^|[.!?]\s|\n)[\s" + re.escape(QUOTES) + r"#>*\-]*$")


@dataclass(frozen=True)
class Finding:
    """One marked passage: `text == source[start:end]`."""

    start: int
    end: int
    text: str
    category: str
    message: str
    suggestion: str
    replacement: str | None
    rule: str

    def as_dict(self) -> dict:
        return {
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "category": self.category,
            "message": self.message,
            "suggestion": self.suggestion,
            "replacement": self.replacement,
            "rule": self.rule,
        }


class LexiconError(ValueError):
    """A lexicon file that cannot be compiled; the message names the entry."""


# --------------------------------------------------------------------------- inflection

_EN_VOWELS = "aeiou"


def _en_plural(word: str) -> list[str]:
    if word.endswith(("s", "x", "z", "ch", "sh")):
        plural = word + "es"
    elif word.endswith("y") and len(word) > 1 and word[-2] not in _EN_VOWELS:
        plural = word[:-1] + "ies"
    else:
        plural = word + "s"
    return [word, plural, word + "'s", word + "’s"]


def _en_verb(word: str) -> list[str]:
    """Base, third person, past and -ing forms of a regular English verb."""
    if word.endswith("e"):
        past, ing = word + "d", word[:-1] + "ing"
    elif word.endswith("y") and len(word) > 1 and word[-2] not in _EN_VOWELS:
        past, ing = word[:-1] + "ied", word + "ing"
    else:
        past, ing = word + "ed", word + "ing"
    if word.endswith(("s", "x", "z", "ch", "sh")):
        third = word + "es"
    elif word.endswith("y") and len(word) > 1 and word[-2] not in _EN_VOWELS:
        third = word[:-1] + "ies"
    else:
        third = word + "s"
    return [word, third, past, ing]


def _nb_agent(word: str) -> list[str]:
    """misbruker: misbrukeren, misbrukere, misbrukerne, and the genitives."""
    forms = [word, word + "en", word + "e", word + "ne"]
    return forms + [f + "s" for f in forms]


def _nb_masc(word: str) -> list[str]:
    forms = [word, word + "en", word + "er", word + "ene", word + "e"]
    return forms + [f + "s" for f in forms if not f.endswith("s")]


def _nb_neut(word: str) -> list[str]:
    forms = [word, word + "et", word + "ene"]
    return forms + [f + "s" for f in forms if not f.endswith("s")]


def _nb_verb(word: str) -> list[str]:
    """A weak verb in -e: hevde, hevder, hevdet, hevdes, hevdete (all the written forms)."""
    stem = word[:-1] if word.endswith("e") else word
    return [word, stem + "er", stem + "et", stem + "te", stem + "t", stem + "es", stem + "ende"]


def _nb_adj(word: str) -> list[str]:
    if word.endswith("t"):
        return [word, word + "e"]
    return [word, word + "e", word + "t"]


INFLECTORS = {
    "en": {"noun": _en_plural, "verb": _en_verb, "none": lambda w: [w]},
    "nb": {"noun_er": _nb_agent, "noun_m": _nb_masc, "noun_n": _nb_neut, "verb": _nb_verb,
           "adj": _nb_adj, "none": lambda w: [w]},
}


def _expand_term(term: str, inflect: str, lang: str) -> list[str]:
    """All written forms of a term. `{word}` marks the word to inflect; else the last word."""
    inflector = INFLECTORS[lang].get(inflect)
    if inflector is None:
        raise LexiconError(f"unknown inflection {inflect!r} for {lang}")
    if "{" in term:
        match = re.search(r"\{([^}]+)\}", term)
        assert match is not None
        head, word, tail = term[: match.start()], match.group(1), term[match.end():]
        return [head + form + tail for form in inflector(word)]
    if inflect == "none":
        return [term]
    parts = term.rsplit(" ", 1)
    if len(parts) == 1:
        return inflector(term)
    return [parts[0] + " " + form for form in inflector(parts[1])]


# --------------------------------------------------------------------------- compiled rules

@dataclass
class _Context:
    before: re.Pattern | None
    after: re.Pattern | None
    # A `require` context may name the sense it finds ("rene urinprøver" is about a test): its own suggestion and
    # replacement then stand in for the entry's.
    suggestion: str | None = None
    replacement: str | None = None

    def holds(self, text: str, start: int, end: int) -> bool:
        if self.before is not None and not self.before.search(text[max(0, start - CONTEXT_WINDOW):start]):
            return False
        if self.after is not None and not self.after.search(text[end:end + CONTEXT_WINDOW]):
            return False
        return True


@dataclass
class _Rule:
    id: str
    category: str
    message: str
    suggestion: str
    replacement: str | None
    replacements: dict[str, str]
    require: list[_Context]
    unless: list[_Context]
    order: int
    not_words: frozenset[str] = frozenset()
    not_heads: tuple[str, ...] = ()
    not_tails: tuple[str, ...] = ()
    subject_after: re.Pattern | None = None
    plural: dict[str, str] = field(default_factory=dict)
    suggestions: dict[str, str] = field(default_factory=dict)

    def judge(self, text: str, start: int, end: int) -> tuple[bool, _Context | None]:
        """Whether the rule holds here, and the `require` context that found it (it may name the sense)."""
        found = None
        if self.require:
            found = next((c for c in self.require if c.holds(text, start, end)), None)
            if found is None:
                # Norwegian puts the verb before the subject after a fronted word ("Derfor må Anna …"): with the
                # person right after the hit, the rule holds, and what follows the person decides the exceptions.
                # A verb that opens the sentence asks or supposes ("Må han slutte å kjøre, …"): no order there.
                inverted = None
                if self.subject_after is not None and start > 0 \
                        and not SENTENCE_START_RE.search(text, max(0, start - 16), start):
                    inverted = self.subject_after.match(text, end, end + CONTEXT_WINDOW)
                if inverted is None:
                    return False, None
                end = inverted.end()
        return not any(c.holds(text, start, end) for c in self.unless), found

    def accepts(self, text: str, start: int, end: int) -> bool:
        return self.judge(text, start, end)[0]

    def suggestion_for(self, matched: str, sense: _Context | None) -> str:
        if sense is not None and sense.suggestion:
            return sense.suggestion
        return self.suggestions.get(matched.lower(), self.suggestion)

    def replacement_for(self, matched: str, text: str = "", start: int = 0, sense: _Context | None = None) -> str | None:
        key = matched.lower()
        value = self.replacements.get(key, self.replacement)
        if sense is not None and sense.replacement:
            value = sense.replacement
        if key in self.plural and PLURAL_COUNT_RE.search(text, max(0, start - 24), start):
            value = self.plural[key]  # "2 tbl." is "2 tabletter"
        if value and matched[:1].isupper() and value[:1].islower():
            shouting = len(matched) > 1 and matched.isupper()
            # An abbreviation in capitals is not a capital word: inside a sentence its words are written small.
            if not shouting or start == 0 or SENTENCE_START_RE.search(text, max(0, start - 16), start):
                value = value[:1].upper() + value[1:]
        return value


@dataclass
class _Term:
    tokens: tuple[str, ...]
    gaps: tuple[str | None, ...]  # None: spaces or hyphens; a string: exactly that text
    trailing_dot: bool
    exact_case: bool
    rule: _Rule
    anchor: int = 0  # the word the term is indexed by: its least common one


# Phrases are indexed by their least common word, so that "on the wagon" is only tried where
# "wagon" occurs and not at every "on" and "the" in a long plan.
COMMON_WORDS = frozenset("""
    a an the to of in on at by for with from into as and or but not no so that this it its is was be been
    being are were am has have had do does did her his she he they them their you i we my me out up back
    per if than then there here one two all any some very
    og i på til av som en et ei å at er var ble blir har hadde med for om ikke seg sin sitt sine må kan
    vil skal får fikk så men eller også hun han det den de dette denne jeg vi meg henne ham
""".split())


def _anchor_of(tokens: tuple[str, ...]) -> int:
    best, best_key = 0, (False, -1)
    for position, token in enumerate(tokens):
        key = (token.lower() not in COMMON_WORDS, len(token))
        if key > best_key:
            best, best_key = position, key
    return best


@dataclass
class _Pattern:
    regex: re.Pattern
    triggers: frozenset[str]
    rule: _Rule
    at_trigger: bool  # the match starts at the trigger word: try it there only


@dataclass
class _CompoundPart:
    part: str
    endings: frozenset[str]  # what may follow the part to end the word
    tail: bool  # the part may close a longer word
    head: bool  # the part may open a longer word
    rule: _Rule


@dataclass
class Lexicon:
    lang: str
    rules: list[_Rule]
    index: dict[str, list[_Term]]
    exact_index: dict[str, list[_Term]]
    patterns: list[_Pattern]
    compound_parts: dict[str, list[_CompoundPart]]
    compound_re: re.Pattern | None
    single_forms: frozenset[str]
    triggers: frozenset[str]
    entries: list[dict] = field(repr=False, default_factory=list)


def _sub_macros(pattern: str, macros: dict[str, str]) -> str:
    for _ in range(5):
        new = re.sub(r"<([A-Z_]+)>", lambda m: macros.get(m.group(1), m.group(0)), pattern)
        if new == pattern:
            break
        pattern = new
    return pattern


def _compile_context(item: dict, macros: dict[str, str], where: str) -> _Context:
    if not isinstance(item, dict) or not set(item) <= {"before", "after", "suggestion", "replacement"} \
            or not set(item) & {"before", "after"}:
        raise LexiconError(f"{where}: a context is {{before: …}} and/or {{after: …}}, perhaps with its own suggestion")
    before = after = None
    try:
        if "before" in item:
            before = re.compile(r"(?:" + _sub_macros(item["before"], macros) + r")[\s" + re.escape(QUOTES) + r"]*$",
                                re.IGNORECASE)
        if "after" in item:
            after = re.compile(r"^[\s" + re.escape(QUOTES) + r"]*(?:" + _sub_macros(item["after"], macros) + r")",
                               re.IGNORECASE)
    except re.error as exc:
        raise LexiconError(f"{where}: bad context pattern: {exc}") from exc
    return _Context(before, after, item.get("suggestion"), item.get("replacement"))


def _compile_subject_after(pattern: str | None, macros: dict[str, str], where: str) -> re.Pattern | None:
    """`subject_after`: the subject that may follow the hit when the verb comes first (V2 word order)."""
    if not pattern:
        return None
    try:
        return re.compile(r"[\s" + re.escape(QUOTES) + r"]+(?:" + _sub_macros(pattern, macros) + r")\b", re.IGNORECASE)
    except re.error as exc:
        raise LexiconError(f"{where}: bad subject_after pattern: {exc}") from exc


def _split_term(term: str) -> tuple[tuple[str, ...], tuple[str | None, ...], bool]:
    trailing_dot = term.endswith(".")
    body = term[:-1] if trailing_dot else term
    tokens, gaps, last = [], [], None
    for match in TOKEN_RE.finditer(body):
        if last is not None:
            gap = body[last:match.start()]
            gaps.append(None if FLEX_GAP_RE.fullmatch(gap) else gap)
        elif match.start() != 0:
            raise LexiconError(f"term {term!r} starts with punctuation")
        tokens.append(match.group(0))
        last = match.end()
    if not tokens or last != len(body):
        raise LexiconError(f"term {term!r} must start and end with a word")
    return tuple(tokens), tuple(gaps), trailing_dot


def _load_yaml(lang: str) -> dict:
    path = LEXICON_DIR / f"{lang}.yaml"
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # the C loader when libyaml is there
    with path.open(encoding="utf-8") as handle:
        data = yaml.load(handle, Loader=loader)  # noqa: S506 - a safe loader either way
    if not isinstance(data, dict) or not isinstance(data.get("entries"), list):
        raise LexiconError(f"{path.name}: expected a mapping with an `entries` list")
    return data


def compile_lexicon(data: dict, lang: str) -> Lexicon:
    """Turn a parsed lexicon file into look-up tables. Raises LexiconError on a bad entry."""
    macros = {k: str(v) for k, v in (data.get("macros") or {}).items()}
    rules: list[_Rule] = []
    index: dict[str, list[_Term]] = {}
    exact_index: dict[str, list[_Term]] = {}
    patterns: list[_Pattern] = []
    parts: dict[str, list[_CompoundPart]] = {}
    seen: set[str] = set()
    for order, entry in enumerate(data["entries"]):
        where = f"{lang} entry {entry.get('id', order)!r}"
        for key in ("id", "category", "message", "suggestion"):
            if not entry.get(key):
                raise LexiconError(f"{where}: `{key}` is missing")
        if entry["id"] in seen:
            raise LexiconError(f"{where}: duplicate id")
        seen.add(entry["id"])
        if entry["category"] not in CATEGORIES:
            raise LexiconError(f"{where}: unknown category {entry['category']!r}")
        if not entry.get("terms") and not entry.get("forms") and not entry.get("pattern"):
            raise LexiconError(f"{where}: needs `terms`, `forms` or `pattern`")
        for key in ("terms", "forms", "trigger", "not_words", "not_heads", "not_tails"):
            bad = [v for v in entry.get(key) or [] if not isinstance(v, str)]
            if bad:  # YAML reads a bare no, yes, on or off as a boolean: quote such words
                raise LexiconError(f"{where}: `{key}` holds {bad!r}, which is not text; quote it")
        replacements = {str(k).lower(): str(v) for k, v in (entry.get("replacements") or {}).items()}
        rule = _Rule(
            id=entry["id"], category=entry["category"], message=entry["message"].strip(),
            suggestion=entry["suggestion"].strip(), replacement=entry.get("replacement"),
            replacements=replacements,
            require=[_compile_context(c, macros, where) for c in entry.get("require") or []],
            unless=[_compile_context(c, macros, where) for c in entry.get("unless") or []],
            order=order,
            not_words=frozenset(w.lower() for w in entry.get("not_words") or []),
            not_heads=tuple(h.lower() for h in entry.get("not_heads") or []),
            not_tails=tuple(t.lower() for t in entry.get("not_tails") or []),
            subject_after=_compile_subject_after(entry.get("subject_after"), macros, where),
            plural={str(k).lower(): str(v) for k, v in (entry.get("plural") or {}).items()},
            suggestions={str(k).lower(): str(v).strip() for k, v in (entry.get("suggestions") or {}).items()},
        )
        rules.append(rule)
        exact_case = entry.get("case") == "exact"
        inflect = entry.get("inflect", "none")
        forms: list[str] = []
        for term in entry.get("terms") or []:
            forms.extend(_expand_term(str(term), inflect, lang))
        forms.extend(str(f) for f in entry.get("forms") or [])
        for form in dict.fromkeys(forms):
            tokens, gaps, dot = _split_term(form)
            key_tokens = tokens if exact_case else tuple(t.lower() for t in tokens)
            anchor = _anchor_of(key_tokens)
            term = _Term(key_tokens, gaps, dot, exact_case, rule, anchor)
            (exact_index if exact_case else index).setdefault(key_tokens[anchor], []).append(term)
        compound = entry.get("compound")
        if compound:
            # `compound: tail|head|both` takes the shortest form as the word part and what the
            # other forms add as its endings; a mapping {part, endings, position} says it outright.
            if isinstance(compound, dict):
                position = compound.get("position", "tail")
                part = str(compound.get("part", "")).lower()
                endings = frozenset(str(e).lower() for e in compound.get("endings") or [""])
            else:
                position = compound
                single = sorted({f.lower() for f in forms if " " not in f}, key=len)
                if not single:
                    raise LexiconError(f"{where}: compound entries need single-word forms")
                part = single[0]
                endings = frozenset(f[len(part):] for f in single if f.startswith(part))
            if position not in ("tail", "head", "both") or not part:
                raise LexiconError(f"{where}: compound needs a part and a position of tail, head or both")
            parts.setdefault(part, []).append(_CompoundPart(
                part, endings, position in ("tail", "both"), position in ("head", "both"), rule))
        if entry.get("pattern"):
            try:
                regex = re.compile(_sub_macros(entry["pattern"], macros),
                                   0 if exact_case else re.IGNORECASE)
            except re.error as exc:
                raise LexiconError(f"{where}: bad pattern: {exc}") from exc
            triggers = frozenset(str(t).lower() for t in entry.get("trigger") or [])
            if not triggers:
                raise LexiconError(f"{where}: a pattern needs `trigger` words")
            patterns.append(_Pattern(regex, triggers, rule, entry.get("starts") == "trigger"))
    single_forms = frozenset(key for key, terms in index.items() if any(len(t.tokens) == 1 for t in terms))
    triggers = frozenset(word for pattern in patterns for word in pattern.triggers)
    compound_re = None
    if parts:
        compound_re = re.compile("|".join(re.escape(p) for p in sorted(parts, key=len, reverse=True)))
    return Lexicon(lang, rules, index, exact_index, patterns, parts, compound_re, single_forms, triggers,
                   data["entries"])


_CACHE: dict[str, Lexicon] = {}


def get_lexicon(lang: str) -> Lexicon:
    """The compiled lexicon for a language, built on first use and kept for the process."""
    if lang not in LANGUAGES:
        raise ValueError(f"unsupported language {lang!r}; expected one of {', '.join(LANGUAGES)}")
    lexicon = _CACHE.get(lang)
    if lexicon is None:
        lexicon = _CACHE[lang] = compile_lexicon(_load_yaml(lang), lang)
    return lexicon


# --------------------------------------------------------------------------- matching

def _match_term(term: _Term, text: str, spans: list[tuple[int, int]], words: list[str], lowered: list[str],
                i: int) -> tuple[int, int] | None:
    """(start, end) when `term` matches with its anchor word at token i, else None."""
    first = i - term.anchor
    n = len(term.tokens)
    if first < 0 or first + n > len(spans):
        return None
    if n > 1:
        compared = words[first:first + n] if term.exact_case else lowered[first:first + n]
        if tuple(compared) != term.tokens:
            return None
        for k, gap in enumerate(term.gaps):
            between = text[spans[first + k][1]:spans[first + k + 1][0]]
            if gap is None:
                if not FLEX_GAP_RE.fullmatch(between):
                    return None
            elif between != gap:
                return None
    end = spans[first + n - 1][1]
    if term.trailing_dot and end < len(text) and text[end] == ".":
        end += 1
    return spans[first][0], end


def _compound_rule(lexicon: Lexicon, word: str) -> _Rule | None:
    """The rule whose part hides in `word` (lower case) as a real word part, if any."""
    assert lexicon.compound_re is not None
    for match in lexicon.compound_re.finditer(word):
        prefix, rest = word[:match.start()], word[match.end():]
        for part in lexicon.compound_parts[match.group(0)]:
            rule = part.rule
            if word in rule.not_words:
                continue
            if prefix and (not part.tail or len(prefix) < 2 or prefix.endswith(rule.not_heads or ("\0",))
                           or prefix in rule.not_heads):
                continue
            if rest in part.endings:
                if prefix:
                    return rule
                continue  # the whole word is an ordinary form, matched elsewhere
            if part.head and len(rest) >= 3 and not rest.startswith(rule.not_tails or ("\0",)):
                return rule
    return None


def check_text(text: str, lang: str = "en") -> list[Finding]:
    """All findings in `text`, sorted by start; offsets are character offsets into `text`."""
    return list(_check_text(text, lang))


# The same texts are checked again and again: each field of a plan at every save, the whole plan before it is
# submitted and when it is, the balance of deficits and strengths. The answer depends on the text alone.
@by_text(16 * MB)
def _check_text(text: str, lang: str) -> tuple[Finding, ...]:
    lexicon = get_lexicon(lang)
    if not text:
        return ()
    matches = list(TOKEN_RE.finditer(text))
    spans = [m.span() for m in matches]
    words = [m.group() for m in matches]
    lowered = [w.lower() for w in words]
    index, exact_index = lexicon.index, lexicon.exact_index
    candidates: list[tuple[int, int, int, _Rule]] = []
    for i in [i for i, w in enumerate(lowered) if w in index]:
        for term in index[lowered[i]]:
            hit = _match_term(term, text, spans, words, lowered, i)
            if hit is not None:
                candidates.append((hit[0], hit[1], term.rule.order, term.rule))
    for i in [i for i, w in enumerate(words) if w in exact_index]:
        for term in exact_index[words[i]]:
            hit = _match_term(term, text, spans, words, lowered, i)
            if hit is not None:
                candidates.append((hit[0], hit[1], term.rule.order, term.rule))
    if lexicon.compound_re is not None:
        single = lexicon.single_forms
        for i in [i for i, w in enumerate(lowered) if len(w) >= 7 and w not in single]:
            rule = _compound_rule(lexicon, lowered[i])
            if rule is not None:
                candidates.append((spans[i][0], spans[i][1], rule.order, rule))
    if lexicon.patterns:
        triggers = lexicon.triggers
        positions: dict[str, list[int]] = {}
        for i in [i for i, w in enumerate(lowered) if w in triggers]:
            positions.setdefault(lowered[i], []).append(i)
        for pattern in lexicon.patterns:
            places = sorted(i for word in pattern.triggers if word in positions for i in positions[word])
            if not places:
                continue
            seen_spans: set[tuple[int, int]] = set()
            for i in places:
                t_start, t_end = spans[i]
                window_end = min(len(text), t_end + PATTERN_AHEAD)
                found_all: Iterable[re.Match[str]]
                if pattern.at_trigger:
                    found = pattern.regex.match(text, t_start, window_end)
                    found_all = [found] if found is not None else []
                else:
                    found_all = pattern.regex.finditer(text, max(0, t_start - PATTERN_BACK), window_end)
                for match in found_all:
                    if match.start() > t_start:
                        break
                    if match.end() < t_end:
                        continue
                    group = next((g for g in ("hit", "hit2") if g in pattern.regex.groupindex and match.group(g)), 0)
                    span = (match.start(group), match.end(group))
                    if span not in seen_spans:
                        seen_spans.add(span)
                        candidates.append((span[0], span[1], pattern.rule.order, pattern.rule))
    findings: list[Finding] = []
    last_end = -1
    candidates.sort(key=lambda c: (c[0], -(c[1] - c[0]), c[2]))
    for start, end, _order, rule in candidates:
        if start < last_end or end <= start:
            continue
        holds, sense = rule.judge(text, start, end)
        if not holds:
            continue
        matched = text[start:end]
        findings.append(Finding(start, end, matched, rule.category, rule.message, rule.suggestion_for(matched, sense),
                                rule.replacement_for(matched, text, start, sense), rule.id))
        last_end = end
    return tuple(findings)


def word_count(text: str) -> int:
    """Words in `text`; a hyphenated word counts once."""
    return len(WORD_RE.findall(text or ""))


def lexicon_entries(lang: str) -> list[dict]:
    """The raw entries of a language's lexicon (for tests and documentation)."""
    return get_lexicon(lang).entries


def line_and_column(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column of a character offset."""
    line_starts = [0] + [m.end() for m in re.finditer("\n", text)]
    line = bisect_right(line_starts, offset)
    return line, offset - line_starts[line - 1] + 1
