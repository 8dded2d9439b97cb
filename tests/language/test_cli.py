"""`flask language check`, tested on a small app that only registers the command group."""
from __future__ import annotations

import json

import pytest
from flask import Flask

from app.language.cli import language_cli
from app.language.core import check_text


@pytest.fixture()
def runner():
    app = Flask(__name__)
    app.cli.add_command(language_cli)
    return app.test_cli_runner()


def test_human_readable_output_gives_position_category_text_message_and_suggestion(runner):
    result = runner.invoke(args=["language", "check"], input="Anna is fine.\nShe claims she is clean.\n")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("2:5  doubt")
    assert '"claims"' in lines[0] and "suspect" in lines[0]
    assert lines[1].strip().startswith("→ says")
    assert lines[2].startswith("2:19  moral")
    assert lines[-1] == "2 finding(s) in 8 words."


def test_clean_text_says_so(runner):
    result = runner.invoke(args=["language", "check", "-"], input="Anna wants a flat of her own.")
    assert result.exit_code == 0
    assert result.output == "No findings in 7 words.\n"


def test_json_output_is_one_object_with_findings(runner):
    text = "Pas. påstår at hun er ren."
    result = runner.invoke(args=["language", "check", "--lang", "nb", "--json"], input=text)
    assert result.exit_code == 0
    payload = json.loads(result.output)
    assert list(payload) == ["findings"]
    assert [(f["text"], f["category"]) for f in payload["findings"]] == [("Pas.", "jargon"), ("påstår", "doubt"), ("ren", "moral")]
    for finding in payload["findings"]:
        assert {"start", "end", "text", "category", "message", "suggestion"} <= set(finding)
        assert text[finding["start"]:finding["end"]] == finding["text"]


def test_default_language_is_english(runner):
    result = runner.invoke(args=["language", "check", "--json"], input="Hun påstår. Pt claims.")
    assert [f["rule"] for f in json.loads(result.output)["findings"]] == ["en.jargon.pt", "en.doubt.claims"]


def test_reads_a_file(runner, tmp_path):
    path = tmp_path / "plan.md"
    path.write_text("# Mål\n\nAnna må være rusfri før hun får bolig.\n", encoding="utf-8")
    result = runner.invoke(args=["language", "check", "--lang", "nb", "--json", str(path)])
    assert result.exit_code == 0
    [finding] = json.loads(result.output)["findings"]
    assert (finding["text"], finding["category"]) == ("må", "coercion")
    assert path.read_text(encoding="utf-8")[finding["start"]:finding["end"]] == "må"


def test_unknown_language_is_a_usage_error(runner):
    result = runner.invoke(args=["language", "check", "--lang", "sv"], input="x")
    assert result.exit_code == 2


def test_json_and_jsonl_together_is_a_usage_error(runner):
    result = runner.invoke(args=["language", "check", "--json", "--jsonl"], input="")
    assert result.exit_code == 2


def test_jsonl_answers_every_line_with_exactly_one_line(runner):
    requests = [
        json.dumps({"text": "Pt claims she is clean.", "lang": "en"}),
        "",
        json.dumps({"text": "Hun har vært ren i tre måneder, sier hun.", "lang": "nb"}),
        "this is not json",
        json.dumps(["not", "an", "object"]),
        json.dumps({"lang": "nb"}),
        json.dumps({"text": "x", "lang": "sv"}),
        json.dumps({"text": "Anna tells us what matters."}),
        json.dumps({"text": "Søsteren er pas.' viktigste støtte — «æøå».", "lang": "nb"}, ensure_ascii=False),
    ]
    result = runner.invoke(args=["language", "check", "--jsonl"], input="\n".join(requests) + "\n")
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert len(lines) == len(requests)
    answers = [json.loads(line) for line in lines]
    assert [f["text"] for f in answers[0]["findings"]] == ["Pt", "claims", "clean"]
    assert answers[1] == {"findings": []}
    assert [f["text"] for f in answers[2]["findings"]] == ["ren"]
    for index in (3, 4, 5, 6):
        assert answers[index]["findings"] == [] and answers[index]["error"], answers[index]
    assert answers[7] == {"findings": []}
    text = json.loads(requests[8])["text"]
    [finding] = answers[8]["findings"]
    assert text[finding["start"]:finding["end"]] == "pas."
    for answer, request in zip(answers, requests):
        for finding in answer["findings"]:
            source = json.loads(request)["text"]
            assert source[finding["start"]:finding["end"]] == finding["text"]


def test_jsonl_findings_match_the_library(runner):
    text = "43 y.o. female alcoholic with a long h/o alcohol and benzodiazepine abuse."
    result = runner.invoke(args=["language", "check", "--jsonl"], input=json.dumps({"text": text, "lang": "en"}) + "\n")
    assert json.loads(result.output) == {"findings": [f.as_dict() for f in check_text(text, "en")]}


def test_jsonl_with_no_input_prints_nothing(runner):
    result = runner.invoke(args=["language", "check", "--jsonl"], input="")
    assert result.exit_code == 0
    assert result.output == ""
