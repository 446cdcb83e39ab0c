"""pytest plugin (registered as `careerbot`): fixtures to evaluate datasets in a few lines.

def test_my_questions(careerbot_eval):
    careerbot_eval("my_cases.jsonl", hit_3=0.9, recall=0.8)
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest


@pytest.fixture(scope="session")
def careerbot_service() -> Any:
    """The shipped ChatService, built once per test session from CAREERBOT_* settings."""
    from careerbot.service import build_service

    return build_service()


@pytest.fixture
def careerbot_eval(careerbot_service: Any) -> Callable[..., Any]:
    """Call with a dataset path and minimums; fails listing the failing questions."""
    from careerbot.eval.testing import assert_dataset

    def run(path: str | Path, **minimums: float) -> Any:
        return assert_dataset(path, careerbot_service, **minimums)

    return run
