"""32 clients against a real server: no 5xx, no answer about another client's career, p95 printed.

Short by default (FLOOD_SECONDS, 10 s); `FLOOD_SECONDS=60 pytest -m flood` is the full run, and
`benchmarks/bench_load.py` measures 4, 16 and 32 clients with the packaged model.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import REPO, SMALL_CORPUS, copy_corpus, free_port
from reliability.edge_server import Server, running_server

sys.path.insert(0, str(REPO / "benchmarks"))
from bench_load import careers_of, run_load

LOAD_SECONDS = float(os.environ.get("FLOOD_SECONDS", "10"))


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, Path]]:
    root = tmp_path_factory.mktemp("load")
    corpus = copy_corpus(root / "corpus")
    env = {
        "CAREERBOT_RATE_LIMIT_PER_MINUTE": "1000000",
        "CAREERBOT_RATE_LIMIT_PER_IP_PER_MINUTE": "1000000",
    }
    for server in running_server(root, free_port(), corpus, env):
        yield server, corpus


@pytest.mark.flood
def test_32_clients_get_their_own_answers_and_no_5xx(server: tuple[Server, Path]) -> None:
    running, corpus = server
    careers = careers_of(corpus)
    assert len(careers) == len(SMALL_CORPUS)
    result = run_load(running.url, careers, clients=32, seconds=LOAD_SECONDS)
    summary = result.summary()
    print(f"\n32 clients for {LOAD_SECONDS:.0f} s: {summary}")
    assert summary["requests"] >= 32
    assert result.server_errors == 0
    assert result.errors == 0
    assert result.mixed_up == 0
