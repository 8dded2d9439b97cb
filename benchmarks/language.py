"""Benchmark of the language assistant, beside the alex linter.

Prints, per language:
  * recall on the terms that the labelled evaluation set says should be marked (a term counts as
    found when a finding of the same category overlaps it; the figure for any category is given too),
  * the share of clean sentences that are wrongly marked,
  * the same two figures on a second set of realistic care-plan paragraphs, written apart from the lexicon
    (tests/language/paragraphs): recall on the marked spans and the share of clean paragraphs with any
    finding, with every span it missed listed,
  * median and p95 time to check a 3,000-word plan built from the case documents (target ≤ 10 ms).

Then it installs `alex` with npm into benchmarks/.cache/alex (once; later runs reuse it), runs it on
the English sentences of the same set and on the English paragraphs, with its gendered-pronoun rules
allowed, and prints alex's recall, false marks and time beside ours. If node, npm or the registry is
not reachable, it says so and still prints our figures. The last line of output is one JSON object with every figure.

    .venv/bin/python benchmarks/language.py
"""
from __future__ import annotations

import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import yaml  # noqa: E402

from app.language.core import WORD_RE, _check_text, check_text, get_lexicon, word_count  # noqa: E402

EVALUATION_DIR = ROOT / "tests" / "language" / "evaluation"
PARAGRAPHS_DIR = ROOT / "tests" / "language" / "paragraphs"
CASES_DIR = ROOT / "cases"
CACHE_DIR = ROOT / "benchmarks" / ".cache" / "alex"
PLAN_WORDS = 3000
RUNS = 200
ALEX_VERSION = "11"
# alex flags every gendered pronoun; the sentences are about one woman, so those rules are allowed
ALEX_ALLOW = ["he-she", "her-him", "herself-himself"]
DOCUMENTS = ("story", "interview", "referral", "discharge", "services")

ALEX_RUNNER = r"""
import {text} from 'alex'
import {readFileSync} from 'node:fs'

const input = JSON.parse(readFileSync(0, 'utf8'))
const config = {allow: input.allow}
const messages = []
const started = process.hrtime.bigint()
for (const sentence of input.sentences) {
  const file = text(sentence, config)
  messages.push(file.messages.map((m) => {
    const place = m.place || m.position || {}
    const start = place.start || place
    const end = place.end || place
    return {start: start.offset, end: end.offset, line: start.line, column: start.column,
            endLine: end.line, endColumn: end.column, rule: m.ruleId, source: m.source, actual: m.actual}
  }))
}
const setMs = Number(process.hrtime.bigint() - started) / 1e6
const planMs = []
for (let i = 0; i < input.repeats; i++) {
  const t = process.hrtime.bigint()
  text(input.plan, config)
  planMs.push(Number(process.hrtime.bigint() - t) / 1e6)
}
console.log(JSON.stringify({messages, setMs, planMs}))
"""


def load_set(lang: str) -> list[dict]:
    with (EVALUATION_DIR / f"{lang}.yaml").open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def load_paragraphs(lang: str) -> list[dict]:
    with (PARAGRAPHS_DIR / f"{lang}.yaml").open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def spans_of(item: dict) -> list[tuple[int, int, str]]:
    spans = []
    for flag in item["flags"]:
        start = item["text"].index(flag["term"])
        spans.append((start, start + len(flag["term"]), flag["category"]))
    return spans


def score(items: list[dict], marks: list[list[tuple[int, int, str | None]]]) -> dict:
    """Recall (same category / any category) and the share of clean sentences with any mark."""
    found = found_any = total = clean = clean_marked = 0
    for item, found_marks in zip(items, marks):
        if not item["flags"]:
            clean += 1
            clean_marked += bool(found_marks)
            continue
        for start, end, category in spans_of(item):
            total += 1
            overlapping = [m for m in found_marks if m[0] < end and m[1] > start]
            found_any += bool(overlapping)
            found += any(m[2] == category for m in overlapping)
    return {
        "sentences": len(items), "terms": total, "clean_sentences": clean,
        "recall": round(found / total, 4) if total else None,
        "recall_any_category": round(found_any / total, 4) if total else None,
        "clean_flagged_share": round(clean_marked / clean, 4) if clean else None,
    }


def misses(items: list[dict], marks: list[list[tuple[int, int, str | None]]]) -> list[str]:
    """Each marked span with no finding of its category, and each clean item with a finding."""
    missed = []
    for item, found_marks in zip(items, marks):
        label = item.get("id", item["text"][:40])
        if not item["flags"]:
            if found_marks:
                words = ", ".join(repr(item["text"][m[0]:m[1]]) for m in found_marks)
                missed.append(f"{label}: clean, but marked {words}")
            continue
        for start, end, category in spans_of(item):
            overlapping = [m for m in found_marks if m[0] < end and m[1] > start]
            if not any(m[2] == category for m in overlapping):
                other = f" (found as {', '.join(sorted({str(m[2]) for m in overlapping}))})" if overlapping else ""
                missed.append(f"{label}: {item['text'][start:end]!r} {category}{other}")
    return missed


def score_paragraphs(lang: str) -> dict:
    """Recall and clean paragraphs marked on the paragraph set, with the misses."""
    items = load_paragraphs(lang)
    marks = [[(f.start, f.end, f.category) for f in check_text(i["text"], lang)] for i in items]
    figures = score(items, marks)
    figures["paragraphs"] = figures.pop("sentences")
    figures["clean_paragraphs"] = figures.pop("clean_sentences")
    figures["misses"] = misses(items, marks)
    return figures


def build_plan(lang: str, items: list[dict]) -> str:
    """About 3,000 words of realistic text: the case documents, then the evaluation sentences."""
    parts = []
    for case in sorted(CASES_DIR.glob("*")) if CASES_DIR.is_dir() else []:
        for document in DOCUMENTS:
            path = case / f"{document}.{lang}.md"
            if path.is_file():
                parts.append(path.read_text(encoding="utf-8"))
    parts.append("\n".join(item["text"] for item in items))
    text = "\n\n".join(parts)
    while word_count(text) < PLAN_WORDS:
        text += "\n\n" + text
    words = list(WORD_RE.finditer(text))
    return text[: words[PLAN_WORDS - 1].end()]


def time_ours(plan: str, lang: str) -> dict:
    check_text(plan, lang)  # warm: the lexicon is compiled once per process
    # The checker keeps its latest answers (the same text is asked about again and again); what is timed here is
    # a text it has not seen, as after every keystroke.
    uncached = _check_text.__wrapped__
    timings = []
    for _ in range(RUNS):
        started = time.perf_counter()
        uncached(plan, lang)
        timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    return {"plan_words": word_count(plan), "median_ms": round(statistics.median(timings), 3),
            "p95_ms": round(timings[int(0.95 * (len(timings) - 1))], 3), "runs": RUNS,
            "findings_in_plan": len(check_text(plan, lang))}


def ensure_alex() -> tuple[Path | None, str | None]:
    """The path of an installed alex, or None and the reason why not."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if not node or not npm:
        return None, "node or npm is not installed"
    package = CACHE_DIR / "node_modules" / "alex" / "package.json"
    if not package.is_file():
        CACHE_DIR.mkdir(parents=True, exist_ok=True)
        try:
            result = subprocess.run(
                [npm, "install", "--prefix", str(CACHE_DIR), f"alex@{ALEX_VERSION}", "--no-audit", "--no-fund",
                 "--loglevel=error"], capture_output=True, text=True, timeout=600)
        except (OSError, subprocess.TimeoutExpired) as exc:
            return None, f"npm install failed: {exc}"
        if result.returncode != 0 or not package.is_file():
            tail = (result.stderr or result.stdout).strip().splitlines()[-3:]
            return None, "npm install failed: " + " | ".join(tail)
    runner = CACHE_DIR / "run-alex.mjs"
    runner.write_text(ALEX_RUNNER, encoding="utf-8")
    return runner, None


def offset_of(text: str, line: int | None, column: int | None) -> int | None:
    if line is None or column is None:
        return None
    starts = [0] + [m.end() for m in re.finditer("\n", text)]
    return starts[line - 1] + column - 1


def run_alex(items: list[dict], plan: str) -> dict:
    runner, reason = ensure_alex()
    if runner is None:
        return {"available": False, "reason": reason}
    payload = json.dumps({"sentences": [i["text"] for i in items], "plan": plan, "repeats": 10, "allow": ALEX_ALLOW})
    try:
        result = subprocess.run(["node", str(runner)], input=payload, capture_output=True, text=True,
                                timeout=900, cwd=str(CACHE_DIR))
    except (OSError, subprocess.TimeoutExpired) as exc:
        return {"available": False, "reason": f"running alex failed: {exc}"}
    if result.returncode != 0:
        return {"available": False, "reason": "running alex failed: " + result.stderr.strip()[-300:]}
    output = json.loads(result.stdout.strip().splitlines()[-1])
    marks, clean_rules = [], Counter()
    for item, messages in zip(items, output["messages"]):
        sentence_marks = []
        for message in messages:
            start = message["start"] if message["start"] is not None else offset_of(item["text"], message["line"], message["column"])
            end = message["end"] if message["end"] is not None else offset_of(item["text"], message["endLine"], message["endColumn"])
            sentence_marks.append((start, end, None))
            if not item["flags"]:
                clean_rules[f"{message['source']}:{message['rule']}"] += 1
        marks.append(sentence_marks)
    figures = score(items, marks)
    figures["recall"] = figures["recall_any_category"]  # alex has no categories: any overlap counts
    plan_ms = sorted(output["planMs"])
    figures.update({
        "available": True,
        "version": json.loads((CACHE_DIR / "node_modules" / "alex" / "package.json").read_text())["version"],
        "allowed_rules": ALEX_ALLOW,
        "set_ms_per_sentence": round(output["setMs"] / len(items), 3),
        "plan_median_ms": round(statistics.median(plan_ms), 3),
        "plan_p95_ms": round(plan_ms[int(0.95 * (len(plan_ms) - 1))], 3),
        "most_common_rules_on_clean_sentences": dict(clean_rules.most_common(6)),
    })
    return figures


def main() -> int:
    figures: dict = {"target_median_ms": 10, "lexicon_entries": {}, "ours": {}, "paragraphs": {}}
    plans = {}
    print("Language assistant benchmark")
    print("=" * 78)
    for lang in ("en", "nb"):
        items = load_set(lang)
        ours = score(items, [[(f.start, f.end, f.category) for f in check_text(i["text"], lang)] for i in items])
        plans[lang] = build_plan(lang, items)
        ours.update(time_ours(plans[lang], lang))
        figures["ours"][lang] = ours
        figures["lexicon_entries"][lang] = len(get_lexicon(lang).rules)
        print(f"[{lang}] {ours['sentences']} sentences, {ours['terms']} terms to mark, {ours['clean_sentences']} clean; "
              f"lexicon {figures['lexicon_entries'][lang]} entries")
        print(f"     recall {ours['recall']:.3f} (same category), {ours['recall_any_category']:.3f} (any category); "
              f"clean sentences marked {ours['clean_flagged_share']:.3f}")
        print(f"     {ours['plan_words']}-word plan: median {ours['median_ms']:.2f} ms, p95 {ours['p95_ms']:.2f} ms "
              f"over {ours['runs']} runs ({ours['findings_in_plan']} findings) — target ≤ 10 ms median")
        paragraphs = figures["paragraphs"][lang] = score_paragraphs(lang)
        print(f"     paragraph set: {paragraphs['paragraphs']} paragraphs, {paragraphs['terms']} spans to mark, "
              f"{paragraphs['clean_paragraphs']} clean")
        print(f"     recall {paragraphs['recall']:.3f} (same category), {paragraphs['recall_any_category']:.3f} "
              f"(any category); clean paragraphs marked {paragraphs['clean_flagged_share']:.3f}")
        for miss in paragraphs["misses"]:
            print(f"       missed {miss}")
    print("-" * 78)
    print("alex (npm), English sentences of the same set, gendered-pronoun rules allowed:")
    alex = run_alex(load_set("en"), plans["en"])
    figures["alex"] = alex
    if not alex.get("available"):
        print(f"     alex could not be run: {alex['reason']}")
        print("     (our figures above are complete without it)")
    else:
        ours_en = figures["ours"]["en"]
        print(f"     alex {alex['version']}: recall {alex['recall_any_category']:.3f} (any overlap; alex has no categories); "
              f"clean sentences marked {alex['clean_flagged_share']:.3f}")
        print(f"     alex time: {alex['set_ms_per_sentence']:.2f} ms per sentence; {PLAN_WORDS}-word plan median "
              f"{alex['plan_median_ms']:.1f} ms, p95 {alex['plan_p95_ms']:.1f} ms")
        print(f"     ours     : recall {ours_en['recall_any_category']:.3f} (any overlap), {ours_en['recall']:.3f} (same category); "
              f"clean sentences marked {ours_en['clean_flagged_share']:.3f}; plan median {ours_en['median_ms']:.2f} ms")
        print(f"     alex on clean sentences, most common rules: {alex['most_common_rules_on_clean_sentences']}")
        alex_paragraphs = figures["alex_paragraphs"] = run_alex(load_paragraphs("en"), plans["en"])
        ours_paragraphs = figures["paragraphs"]["en"]
        if alex_paragraphs.get("available"):
            print(f"     English paragraph set: alex recall {alex_paragraphs['recall_any_category']:.3f} (any overlap), "
                  f"clean paragraphs marked {alex_paragraphs['clean_flagged_share']:.3f}; ours recall "
                  f"{ours_paragraphs['recall_any_category']:.3f} (any overlap), clean paragraphs marked "
                  f"{ours_paragraphs['clean_flagged_share']:.3f}")
    print("=" * 78)
    print(json.dumps(figures, ensure_ascii=False, sort_keys=True))
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    sys.exit(main())
