"""Evaluation from pytest: the golden set and the real people's questions, guarded at measured levels."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from careerbot.eval import evaluate, load_dataset
from careerbot.eval.report import load_results, regressions, write_report
from careerbot.retrieval.hybrid import HybridRetriever, Retrieval
from careerbot.retrieval.query import QueryAnalysis
from careerbot.service import ChatService
from conftest import REAL_QUESTIONS

GOLDEN = Path(__file__).parent / "golden" / "cases.jsonl"


@pytest.fixture(scope="module")
def real_run(real_service: ChatService):  # type: ignore[no-untyped-def]
    return evaluate(real_service, load_dataset(REAL_QUESTIONS))


@pytest.fixture(scope="module")
def golden_run(real_service: ChatService):  # type: ignore[no-untyped-def]
    return evaluate(real_service, load_dataset(GOLDEN))


def test_real_peoples_questions_find_the_right_career(real_run) -> None:  # type: ignore[no-untyped-def]
    # measured 0.967 hit@3, 0.836 hit@1 (target hit@3 >= 0.85)
    real_run.assert_meets(hit_3=0.95, hit_1=0.8, status_accuracy=1.0, groundedness=0.99)


def test_golden_set_meets_its_targets(golden_run) -> None:  # type: ignore[no-untyped-def]
    # measured hit@3 1.000, hit@1 0.981, recall 0.980, section hit 0.941, first section 0.980,
    # median words 110 (before short answers: 215 words, first section 0.824), groundedness 1.000
    golden_run.assert_meets(
        hit_3=0.98,
        hit_1=0.95,
        recall=0.95,
        section_hit=0.9,
        first_section=0.9,
        words_p50=130,  # a maximum
        groundedness=1.0,
        citation_validity=1.0,
        status_accuracy=1.0,
    )


def test_every_behaviour_case_gets_its_status(golden_run) -> None:  # type: ignore[no-untyped-def]
    for status in ("answered", "no_info", "out_of_scope", "invalid_input"):
        assert golden_run.summary[f"status_accuracy[{status}]"] == 1.0, status


class BrokenRetriever(HybridRetriever):
    """Answers every question with what it would retrieve for one fixed question."""

    def __init__(self, inner: HybridRetriever) -> None:
        super().__init__(inner.store, inner.embeddings, inner.keyword, inner.chunks, inner.candidates)

    def retrieve(self, analysis: QueryAnalysis, k: int) -> Retrieval:
        fixed = QueryAnalysis(question="What does a chef do all day?", named=())
        return super().retrieve(fixed, k)


def test_a_broken_retriever_fails_the_eval_with_what_got_worse(
    real_service: ChatService, real_run, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    broken = ChatService(
        real_service.settings,
        real_service.profiles,
        BrokenRetriever(real_service.retriever),
        real_service.engine,
        real_service.info,
    )
    run = evaluate(broken, load_dataset(REAL_QUESTIONS))
    problems = run.check({"hit@3": 0.85})
    assert len(problems) == 1
    assert problems[0].startswith("hit@3 = 0.")
    assert "R01 [real]" in problems[0]  # the failing questions are listed
    assert "Should I be a nurse?" in problems[0]
    with pytest.raises(AssertionError, match="failing cases"):
        run.assert_meets(hit_3=0.85)

    write_report(real_run, tmp_path / "before", [])
    worse = regressions(run, load_results(tmp_path / "before" / "results.jsonl"))
    assert len(worse) >= 40
    assert any(w.startswith("R01 ") and "lost hit@3" in w for w in worse)


def test_cli_eval_writes_report_and_fails_on_a_missed_threshold(tmp_path: Path) -> None:
    cases = tmp_path / "cases.jsonl"
    cases.write_text(
        json.dumps({"thresholds": {"hit@1": 0.5}})
        + "\n"
        + json.dumps(
            {"id": "a", "turns": ["What does a paralegal do?"], "expected_careers": ["paralegal"], "extra": 1}
        )
        + "\n"
        + json.dumps({"id": "b", "turns": ["hi"], "expect": "answered"})
        + "\n"
    )
    from conftest import copy_corpus

    corpus = copy_corpus(tmp_path / "corpus")
    command = [sys.executable, "-m", "careerbot.cli", "eval", "--cases", str(cases), "--corpus", str(corpus)]
    ok = subprocess.run(
        [*command, "--report", str(tmp_path / "r")], capture_output=True, text=True, timeout=300
    )
    assert ok.returncode == 0, ok.stderr
    assert "| hit@3 | 1.000 |" in ok.stdout
    for name in ("report.md", "results.jsonl", "hit_at_k_by_part.png", "latency_histogram.png"):
        assert (tmp_path / "r" / name).stat().st_size > 0
    missed = subprocess.run([*command, "--min", "mrr=1.1"], capture_output=True, text=True, timeout=300)
    assert missed.returncode == 1
    assert "MISSED mrr" in missed.stderr


def test_user_tests_can_use_the_pytest_fixture(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from conftest import copy_corpus

    monkeypatch.setenv("CAREERBOT_CORPUS_DIR", str(copy_corpus(tmp_path / "corpus")))
    cases = tmp_path / "mine.jsonl"
    cases.write_text(
        json.dumps(
            {"id": "ok", "turns": ["What does an electrician do?"], "expected_careers": ["electrician"]}
        )
        + "\n"
        + json.dumps(
            {"id": "wrong", "turns": ["What does a lawyer do?"], "expected_careers": ["electrician"]}
        )
        + "\n"
    )
    pytester.makepyfile(
        f"""
        def test_strict(careerbot_eval):
            careerbot_eval(r"{cases}", hit_1=1.0)

        def test_lenient(careerbot_eval):
            careerbot_eval(r"{cases}", hit_1=0.5)
        """
    )
    result = pytester.runpytest_subprocess("-p", "careerbot", "-q")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["*hit@1 = 0.500 < 1.0*", "*wrong*What does a lawyer do?*"])


CONVERSATION = Path(__file__).parent / "golden" / "cases-conversation.jsonl"
HELD_OUT = Path(__file__).parent / "golden" / "cases-heldout.jsonl"


def test_conversation_batch_meets_its_thresholds(real_service: ChatService) -> None:
    """Subject switches, jobs with no profile, discovery, comparison and refusals (the tuning batch)."""
    run = evaluate(real_service, load_dataset(CONVERSATION))
    assert not run.check(), run.check()


def test_held_out_batch_stays_at_its_measured_level(real_service: ChatService) -> None:
    """Written from the README alone and never tuned on; floors a little under the levels first measured
    (no_profile 0.96, switch 0.94, discover 0.72, compare 1.00, harmful 0.75, language 1.00)."""
    run = evaluate(real_service, load_dataset(HELD_OUT))
    run.assert_meets(no_profile=0.9, switch=0.85, discover=0.65, compare=0.9, harmful=0.7, language=1.0)
