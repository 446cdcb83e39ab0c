"""Generative engines in the evaluation (guard metrics, engines side by side) and in `careerbot doctor`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage
from typer.testing import CliRunner

from careerbot.answer.generative import GenerativeEngine
from careerbot.cli import app
from careerbot.eval import evaluate
from careerbot.eval.dataset import Case, Dataset
from careerbot.eval.report import compare_table
from careerbot.service import ChatService
from conftest import copy_corpus, free_port

CASES = (
    Case("c1", ("How do I become an electrician?",), "retrieval", ("electrician",), expect="answered"),
    Case("c2", ("tell me a joke",), "refusal", expect="out_of_scope"),
)
REPLY = "Electricians learn through a paid apprenticeship [1]. Electricians earn $95,000 a year [1]."


def test_evaluation_counts_the_guard_and_compares_engines(fake_service: ChatService) -> None:
    dataset = Dataset("tiny", CASES)
    extractive = evaluate(fake_service, dataset)
    model = GenericFakeChatModel(messages=iter([AIMessage(content=REPLY)] * 5))
    fake_service.engine = GenerativeEngine(model, fake_service.engine, name="fake")
    generated = evaluate(fake_service, dataset)
    summary = generated.summary
    assert summary["llm_answers"] == 1  # the refusal never reached the model
    assert summary["guard_dropped_share"] == pytest.approx(0.5)  # the invented salary
    assert summary["fallback_rate"] == 0
    assert extractive.summary["llm_answers"] is None
    table = compare_table({"extractive": extractive, "fake": generated})
    assert table.splitlines()[0] == "| metric | extractive | fake |"
    assert any(line.startswith("| guard_dropped_share | - | 0.500 |") for line in table.splitlines())
    row = generated.results[0].to_dict()
    assert row["guard"]["dropped"][0]["reason"].startswith("unsupported")


def test_terminal_chat_prints_checked_sentences_then_sources(
    fake_service: ChatService, capsys: pytest.CaptureFixture[str]
) -> None:
    from careerbot.cli import _chat_turn

    model = GenericFakeChatModel(messages=iter([AIMessage(content=REPLY)]))
    fake_service.engine = GenerativeEngine(model, fake_service.engine, name="fake")
    answer = _chat_turn(fake_service, "How do I become an electrician?", [])
    out = capsys.readouterr().out
    from careerbot.render import plain_answer

    assert out == plain_answer(answer) + "\n"  # streamed sentences, then only the rest of the answer
    assert out.count("apprenticeship") == 1 and answer.lead
    assert "95,000" not in out and "Sources:" in out


def test_doctor_reports_an_openai_server_that_does_not_answer(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CAREERBOT_LLM", "openai")
    monkeypatch.setenv("CAREERBOT_LLM_BASE_URL", f"http://127.0.0.1:{free_port()}/v1")
    monkeypatch.setenv("CAREERBOT_LLM_API_KEY", "sk-do-not-print")
    result = CliRunner().invoke(app, ["doctor"])
    assert "answer engine: openai" in result.output
    assert "does not answer" in result.output
    assert "sk-do-not-print" not in result.output
    assert result.exit_code == 1


def test_doctor_reports_the_local_model(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CAREERBOT_LLM", "local")
    result = CliRunner().invoke(app, ["doctor"])
    assert "local xllamacpp, model" in result.output and ".gguf" in result.output


def test_eval_rejects_an_unknown_engine(tmp_path: Path) -> None:
    cases = tmp_path / "c.jsonl"
    cases.write_text(json.dumps({"id": "a", "turns": ["hi"]}) + "\n")
    result = CliRunner().invoke(app, ["eval", "--cases", str(cases), "--engine", "gpt"])
    assert result.exit_code == 2 and "choose one of extractive, local, openai" in result.output


@pytest.mark.llm
def test_eval_compares_extractive_and_local_side_by_side(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`careerbot eval --engine extractive --engine local` with the real model, on two questions."""
    corpus = copy_corpus(tmp_path / "corpus", ("electrician", "plumber"))
    cases = tmp_path / "cases.jsonl"
    cases.write_text(
        "".join(json.dumps({"id": c.id, "turns": list(c.turns), "expect": c.expect}) + "\n" for c in CASES)
    )
    monkeypatch.setenv("CAREERBOT_LLM_MAX_TOKENS", "24")
    monkeypatch.setenv("CAREERBOT_LLM_THREADS", "1")
    report = tmp_path / "report"
    args = [
        "eval",
        "--cases",
        str(cases),
        "--engine",
        "extractive",
        "--engine",
        "local",
        "--report",
        str(report),
    ]
    result = CliRunner().invoke(app, [*args, "--corpus", str(corpus)])
    assert result.exit_code == 0, result.output
    assert "| metric | extractive | local |" in result.output
    assert "| llm_answers | - | 1 |" in result.output
    assert (report / "compare.md").exists() and (report / "local" / "results.jsonl").exists()
    rows = [json.loads(line) for line in (report / "local" / "results.jsonl").read_text().splitlines()]
    assert rows[0]["guard"]["tokens"] > 0 and rows[1]["guard"] is None
