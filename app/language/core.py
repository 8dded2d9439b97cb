"""Word-level language checks for care plans, in English and Norwegian Bokmål.

The checker marks words and short patterns that label, moralise, doubt, blame, order, objectify
or speak record language, and proposes a plain, respectful alternative. It is pure: no Flask, no
database. Lexicons live in `lexicon/<lang>.yaml` and are compiled once per process.

How matching works, in short:

* The text is split into word tokens once (letters and digits; an apostrophe inside a word keeps
  it together). Every lexicon term is a sequence of tokens; terms are indexed by their first
  token, so checking a text is one dictionary look-up per token plus a few comparisons.
* Inflected forms are generated from the base form (`inflect: noun | verb | adj …`) or listed.
* Norwegian compounds: an entry may declare that its word can be the last part of a longer word
  (`compound: tail`, "alkohol|misbruker"), the first part ("misbruks|problematikk"), or both. One
  compiled pattern of all such parts is searched only inside tokens that did not match whole.
* Context decides many entries: `require` and `unless` hold regular expressions that must (or
  must not) match right before or right after the hit ("clean" + "flat" is fine; "denied" after
  "was" is something done to the person, not a doubting verb).
* A few entries are patterns over the text (dose notation, "must … before …"); each is tried only
  near a trigger word, so the cost stays proportional to the text.
"""
from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

import yaml

CATEGORIES = ("label", "moral", "doubt", "deficit", "jargon", "coercion", "passive")
LANGUAGES = ("en", "nb")
LEXICON_DIR = Path(__file__).with_name("lexicon")

# A word: letters/digits, with inner apostrophes ("addict's", "OD'd").
TOKEN_RE = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
# For counting words, a hyphenated word counts once.
WORD_RE = re.compile(r"[^\W_]+(?:['’\-‐][^\W_]+)*")
# What may stand between the words of a phrase: spaces, line breaks, hyphens.
FLEX_GAP_RE = re.compile(r"[ \t\r\n\u00a0\-‐–]+")
QUOTES = "\"'«»“”‘’„()[]*_"
CONTEXT_WINDOW = 90
PATTERN_WINDOW = 160


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
    return [word, plural, word + "'s", word + "’s", plural + "'", plural + "’"]


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

    def accepts(self, text: str, start: int, end: int) -> bool:
        if self.require and not any(c.holds(text, start, end) for c in self.require):
            return False
        return not any(c.holds(text, start, end) for c in self.unless)

    def replacement_for(self, matched: str) -> str | None:
        value = self.replacements.get(matched.lower(), self.replacement)
        if value and matched[:1].isupper() and value[:1].islower():
            value = value[:1].upper() + value[1:]
        return value


@dataclass
class _Term:
    tokens: tuple[str, ...]
    gaps: tuple[str | None, ...]  # None: spaces or hyphens; a string: exactly that text
    trailing_dot: bool
    exact_case: bool
    rule: _Rule


@dataclass
class _Pattern:
    regex: re.Pattern
    triggers: frozenset[str]
    rule: _Rule


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
    entries: list[dict] = field(repr=False, default_factory=list)


def _sub_macros(pattern: str, macros: dict[str, str]) -> str:
    for _ in range(5):
        new = re.sub(r"<([A-Z_]+)>", lambda m: macros.get(m.group(1), m.group(0)), pattern)
        if new == pattern:
            break
        pattern = new
    return pattern


def _compile_context(item: dict, macros: dict[str, str], where: str) -> _Context:
    if not isinstance(item, dict) or not set(item) <= {"before", "after"} or not item:
        raise LexiconError(f"{where}: a context is {{before: …}} and/or {{after: …}}")
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
    return _Context(before, after)


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
    with path.open(encoding="utf-8") as handle:
        data = yaml.safe_load(handle)
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
        if not entry.get("terms") and not entry.get("pattern"):
            raise LexiconError(f"{where}: needs `terms` or `pattern`")
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
            term = _Term(key_tokens, gaps, dot, exact_case, rule)
            (exact_index if exact_case else index).setdefault(key_tokens[0], []).append(term)
        compound = entry.get("compound")
        if compound:
            if compound not in ("tail", "head", "both"):
                raise LexiconError(f"{where}: compound is tail, head or both")
            for form in dict.fromkeys(forms):
                if " " in form or "{" in form:
                    raise LexiconError(f"{where}: compound forms are single words")
            base_forms = sorted({f.lower() for f in forms}, key=len)
            # the shortest form is the part; what the other forms add are its endings
            part = base_forms[0]
            endings = frozenset(f[len(part):] for f in base_forms if f.startswith(part))
            parts.setdefault(part, []).append(_CompoundPart(
                part, endings, compound in ("tail", "both"), compound in ("head", "both"), rule))
        if entry.get("pattern"):
            try:
                regex = re.compile(_sub_macros(entry["pattern"], macros),
                                   0 if exact_case else re.IGNORECASE)
            except re.error as exc:
                raise LexiconError(f"{where}: bad pattern: {exc}") from exc
            triggers = frozenset(str(t).lower() for t in entry.get("trigger") or [])
            if not triggers:
                raise LexiconError(f"{where}: a pattern needs `trigger` words")
            patterns.append(_Pattern(regex, triggers, rule))
    compound_re = None
    if parts:
        compound_re = re.compile("|".join(re.escape(p) for p in sorted(parts, key=len, reverse=True)))
    return Lexicon(lang, rules, index, exact_index, patterns, parts, compound_re, data["entries"])


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

def _match_term(term: _Term, text: str, tokens: list[tuple[int, int, str]], i: int,
                lowered: list[str]) -> int | None:
    """End offset when `term` matches from token i, else None."""
    n = len(term.tokens)
    if i + n > len(tokens):
        return None
    words = [tokens[i + k][2] for k in range(n)] if term.exact_case else lowered[i:i + n]
    if tuple(words) != term.tokens:
        return None
    for k, gap in enumerate(term.gaps):
        between = text[tokens[i + k][1]:tokens[i + k + 1][0]]
        if gap is None:
            if not FLEX_GAP_RE.fullmatch(between):
                return None
        elif between != gap:
            return None
    end = tokens[i + n - 1][1]
    if term.trailing_dot and end < len(text) and text[end] == ".":
        end += 1
    return end


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
            if part.head and len(rest) >= 4 and not rest.startswith(rule.not_tails or ("\0",)):
                return rule
    return None


def _tokenize(text: str) -> list[tuple[int, int, str]]:
    return [(m.start(), m.end(), m.group(0)) for m in TOKEN_RE.finditer(text)]


def check_text(text: str, lang: str = "en") -> list[Finding]:
    """All findings in `text`, sorted by start; offsets are character offsets into `text`."""
    lexicon = get_lexicon(lang)
    if not text:
        return []
    tokens = _tokenize(text)
    lowered = [t[2].lower() for t in tokens]
    candidates: list[tuple[int, int, int, _Rule]] = []
    index, exact_index = lexicon.index, lexicon.exact_index
    compound_re = lexicon.compound_re
    for i, (start, _end, word) in enumerate(tokens):
        low = lowered[i]
        matched_whole = False
        for term in index.get(low, ()):
            end = _match_term(term, text, tokens, i, lowered)
            if end is not None:
                candidates.append((start, end, term.rule.order, term.rule))
                if len(term.tokens) == 1:
                    matched_whole = True
        for term in exact_index.get(word, ()):
            end = _match_term(term, text, tokens, i, lowered)
            if end is not None:
                candidates.append((start, end, term.rule.order, term.rule))
        if compound_re is not None and not matched_whole and len(low) >= 7:
            rule = _compound_rule(lexicon, low)
            if rule is not None:
                candidates.append((start, _end, rule.order, rule))
    if lexicon.patterns:
        present = set(lowered)
        starts = [t[0] for t in tokens]
        for pattern in lexicon.patterns:
            hits = pattern.triggers & present
            if not hits:
                continue
            seen_spans: set[tuple[int, int]] = set()
            for i, low in enumerate(lowered):
                if low not in hits:
                    continue
                t_start, t_end = tokens[i][0], tokens[i][1]
                window_start = max(0, t_start - PATTERN_WINDOW)
                for match in pattern.regex.finditer(text, window_start, min(len(text), t_end + PATTERN_WINDOW)):
                    if match.start() > t_start:
                        break
                    if match.end() < t_end:
                        continue
                    group = "hit" if "hit" in pattern.regex.groupindex and match.group("hit") else 0
                    span = (match.start(group), match.end(group))
                    if span not in seen_spans:
                        seen_spans.add(span)
                        candidates.append((span[0], span[1], pattern.rule.order, pattern.rule))
        del starts
    findings: list[Finding] = []
    last_end = -1
    candidates.sort(key=lambda c: (c[0], -(c[1] - c[0]), c[2]))
    for start, end, _order, rule in candidates:
        if start < last_end or end <= start:
            continue
        if not rule.accepts(text, start, end):
            continue
        matched = text[start:end]
        findings.append(Finding(start, end, matched, rule.category, rule.message, rule.suggestion,
                                rule.replacement_for(matched), rule.id))
        last_end = end
    return findings


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


def iter_findings_dicts(findings: Iterable[Finding]) -> list[dict]:
    return [f.as_dict() for f in findings]
