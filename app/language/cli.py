"""`flask language check`: mark stigmatising, judging or record language in a text.

    flask language check [--lang en|nb] [--json] [FILE|-]
    flask language check --jsonl        < lines of {"text": …, "lang": …}

The default output is for people (line:column, category, the passage, why, and what to write
instead). `--json` prints one object `{"findings": […]}`. `--jsonl` answers every input line with
exactly one output line and writes nothing else to standard output, so another program can keep
the command open and talk to it line by line.
"""
from __future__ import annotations

import json

import click
from flask.cli import AppGroup

from .core import LANGUAGES, check_text, line_and_column, word_count

language_cli = AppGroup("language", help="Check care plan text for stigmatising, judging or record language.")


def _jsonl_answer(line: str, default_lang: str) -> dict:
    if not line.strip():
        return {"findings": []}
    try:
        request = json.loads(line)
    except ValueError as exc:
        return {"findings": [], "error": f"not valid JSON: {exc}"}
    if not isinstance(request, dict):
        return {"findings": [], "error": "expected a JSON object with \"text\" and \"lang\""}
    text = request.get("text")
    lang = request.get("lang") or default_lang
    if not isinstance(text, str):
        return {"findings": [], "error": "\"text\" must be a string"}
    if lang not in LANGUAGES:
        return {"findings": [], "error": f"unsupported language {lang!r}; expected one of {', '.join(LANGUAGES)}"}
    return {"findings": [f.as_dict() for f in check_text(text, lang)]}


def _run_jsonl(stream, default_lang: str) -> None:
    while True:
        line = stream.readline()
        if not line:
            break
        try:
            answer = _jsonl_answer(line, default_lang)
        except Exception as exc:  # one bad line must not end the conversation
            answer = {"findings": [], "error": f"could not check this line: {exc}"}
        # click.echo flushes after every write, so a caller reading line by line is never kept waiting
        click.echo(json.dumps(answer, ensure_ascii=False))


@language_cli.command("check")
@click.option("--lang", type=click.Choice(LANGUAGES), default="en", show_default=True,
              help="Language of the text.")
@click.option("--json", "as_json", is_flag=True, help='Print one JSON object {"findings": [...]}.')
@click.option("--jsonl", is_flag=True,
              help='Read one JSON object {"text", "lang"} per line and answer each with one line {"findings": [...]}.')
@click.argument("source", type=click.File("r", encoding="utf-8"), default="-", required=False)
def check_command(lang: str, as_json: bool, jsonl: bool, source) -> None:
    """Check FILE (or standard input, "-") and list what to reconsider."""
    if as_json and jsonl:
        raise click.UsageError("use either --json or --jsonl, not both")
    if jsonl:
        _run_jsonl(source, lang)
        return
    text = source.read()
    findings = check_text(text, lang)
    if as_json:
        click.echo(json.dumps({"findings": [f.as_dict() for f in findings]}, ensure_ascii=False))
        return
    for finding in findings:
        line, column = line_and_column(text, finding.start)
        click.echo(f"{line}:{column}  {finding.category:<8}  \"{finding.text}\"  {finding.message}")
        click.echo(f"{'':>{len(f'{line}:{column}')}}  {'':<8}  → {finding.suggestion}")
    words = word_count(text)
    if findings:
        click.echo(f"{len(findings)} finding(s) in {words} words.")
    else:
        click.echo(f"No findings in {words} words.")
