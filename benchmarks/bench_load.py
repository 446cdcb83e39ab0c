"""Load on the real server: req/s, p50/p95/p99 and errors at 4, 16 and 32 concurrent clients.

A robustness run (errors, 5xx, mixed-up answers) over 7 profiles and 21 questions that repeat, so most
answers reuse a cached query embedding: its req/s are not the throughput figure (bench_speed.py is).

Usage: bench_load.py [--seconds 60] [--clients 4 16 32] [--url http://127.0.0.1:7860]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common
from common import NO_RATE_LIMIT, PYTHON, REPO, child_env, copy_corpus, free_port, percentile

SMALL: tuple[str, ...] = ("social-media-specialist", "dental-hygienist", "electrician", "registered-nurse")
SMALL += ("software-developer", "lawyer", "paralegal")
TEMPLATES = ("What does a {} do?", "What skills does a {} need?", "How much does a {} earn?")
COLUMNS = {"clients": 7, "req_per_s": 7, "p50_ms": 8, "p95_ms": 8, "p99_ms": 8, "errors": 6}
COLUMNS |= {"server_errors": 4, "mixed_up": 5}


@dataclass
class LoadResult:
    """What the clients saw."""

    clients: int
    seconds: float
    latencies: list[float] = field(default_factory=list)
    errors: int = 0  # transport errors and non-200 answers
    server_errors: int = 0  # 5xx
    mixed_up: int = 0  # an answer about another career than the one asked about
    error_kinds: dict[str, int] = field(default_factory=dict)  # HTTP status or exception name -> count

    def summary(self) -> dict[str, Any]:
        """req/s, percentiles in ms and error counts."""
        ms = [s * 1000 for s in self.latencies]
        counts = {"errors": self.errors, "server_errors": self.server_errors, "mixed_up": self.mixed_up}
        percentiles = {f"p{q}_ms": round(percentile(ms, q), 1) for q in (50, 95, 99)}
        rate = {"clients": self.clients, "requests": len(ms), "req_per_s": round(len(ms) / self.seconds, 1)}
        return rate | percentiles | counts | {"error_kinds": self.error_kinds}


def _answer(client: httpx.Client, url: str, body: dict[str, Any], stream: bool) -> tuple[int, dict[str, Any]]:
    response = client.post(f"{url}/api/chat{'/stream' if stream else ''}", json=body)
    if response.status_code != 200 or not stream:
        return response.status_code, response.json() if response.status_code == 200 else {}
    final = [e for e in response.text.split("\n\n") if e.startswith("event: done\n")]
    return (200, json.loads(final[-1].split("data: ", 1)[1])) if final else (599, {})


def run_load(url: str, careers: Sequence[tuple[str, str]], clients: int, seconds: float) -> LoadResult:
    """`clients` threads asking about `careers` (slug, title) for `seconds`; every answer is checked."""
    result, lock = LoadResult(clients, seconds), threading.Lock()
    start_at = time.monotonic() + 0.2

    def client_loop(index: int) -> None:
        latencies: list[float] = []
        counts: Counter[str] = Counter()  # errors, server_errors, mixed_up
        kinds: Counter[str] = Counter()
        with httpx.Client(timeout=60) as client:
            time.sleep(max(0.0, start_at - time.monotonic()))
            turn = index
            while time.monotonic() < start_at + seconds:
                slug, title = careers[turn % len(careers)]
                question = TEMPLATES[(turn // len(careers)) % len(TEMPLATES)].format(title.lower())
                body = {"message": question, "conversation_id": f"load-{index:03d}"}
                began = time.perf_counter()
                try:
                    status, answer = _answer(client, url, body, stream=turn % 4 == 3)
                except httpx.HTTPError as exc:
                    status, answer = 0, {}
                    kinds[type(exc).__name__] += 1
                latencies.append(time.perf_counter() - began)
                turn += 1
                if status != 200:
                    counts.update(errors=1, server_errors=status >= 500)
                    kinds.update([str(status)] if status else [])
                else:
                    first = (answer.get("sources") or [{}])[0].get("career")
                    counts["mixed_up"] += first != slug or title not in answer["answer"]
        with lock:
            result.latencies += latencies
            result.errors += counts["errors"]
            result.server_errors += counts["server_errors"]
            result.mixed_up += counts["mixed_up"]
            result.error_kinds = dict(Counter(result.error_kinds) + kinds)

    threads = [threading.Thread(target=client_loop, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return result


def careers_of(corpus: Path) -> list[tuple[str, str]]:
    """(slug, title) of every profile in a corpus folder."""
    from careerbot.corpus import load_corpus

    return [(p.slug, p.title) for p in load_corpus(corpus).profiles]


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--clients", type=int, nargs="+", default=[4, 16, 32])
    parser.add_argument("--url", help="An already running server (its rate limits must be lifted).")
    parser.add_argument("--out", type=Path, help="Write the results as JSON here.")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-load-") as tmp:
        corpus, proc, url = copy_corpus(Path(tmp) / "corpus", SMALL), None, args.url
        if url is None:
            port, limit = free_port(), str(NO_RATE_LIMIT)
            env = child_env(CAREERBOT_DATA_DIR=str(Path(tmp) / "data"), CAREERBOT_RATE_LIMIT_PER_MINUTE=limit)
            env["CAREERBOT_RATE_LIMIT_PER_IP_PER_MINUTE"] = limit
            serve = [PYTHON, "-m", "careerbot.cli", "serve", "--port", str(port), "--corpus", str(corpus)]
            url = f"http://127.0.0.1:{port}"
            proc = common.start_server(serve, f"{url}/healthz", 600, env=env, cwd=REPO)
        try:
            careers = careers_of(corpus)
            run_load(url, careers, 4, 3)  # warm-up
            rows = [run_load(url, careers, n, args.seconds).summary() for n in args.clients]
        finally:
            if proc is not None:
                common.stop(proc)
    names = {"server_errors": "5xx", "mixed_up": "mixed", "req_per_s": "req/s", "p50_ms": "p50 ms"}
    names |= {"p95_ms": "p95 ms", "p99_ms": "p99 ms"}
    for row in [{k: names.get(k, k) for k in COLUMNS}, *rows]:
        print(" ".join(f"{row[k]:>{width}}" for k, width in COLUMNS.items()))
    if args.out:
        args.out.write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
