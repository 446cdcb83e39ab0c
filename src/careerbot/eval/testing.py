"""Helpers for a user's own tests: "this dataset must reach hit@3 >= 0.9 and recall >= 0.8"."""

from __future__ import annotations

from pathlib import Path

from careerbot.eval.dataset import load_dataset
from careerbot.eval.runner import EvalRun, evaluate
from careerbot.service import ChatService, build_service


def assert_dataset(path: str | Path, service: ChatService | None = None, **minimums: float) -> EvalRun:
    """Evaluate a dataset and fail with the list of failing questions unless every minimum is met.

    Metric names: hit_1, hit_3, hit_5, mrr, section_hit, first_section, recall, groundedness,
    citation_validity, status_accuracy, and per part no_profile, switch, discover, compare, harmful,
    language (``hit_3=0.9`` means hit@3 >= 0.9); words_p50 is a maximum (``words_p50=130``).
    """
    run = evaluate(service or build_service(), load_dataset(Path(path)))
    run.assert_meets(**minimums)
    return run
