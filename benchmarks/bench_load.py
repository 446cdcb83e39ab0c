"""Load on the real server: req/s, p50/p95/p99 and errors at 4, 16 and 32 concurrent clients.

Starts `careerbot serve` (the shipped app, uvicorn options and edge limits; rate limits lifted because
every client is 127.0.0.1) on a free port over a small corpus with the packaged model, then runs each
client count for `--seconds`. Each client asks about careers in turn (JSON, every fourth request over
SSE) and checks that the answer is about the career it asked about: a mixed-up answer counts as an error.

    python benchmarks/bench_load.py [--seconds 60] [--clients 4 16 32] [--url http://127.0.0.1:7860]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import CORPUS, NO_RATE_LIMIT, PYTHON, REPO, child_env, free_port, percentile, stop, wait_http

SMALL = (
    "social-media-specialist",
    "dental-hygienist",
    "electrician",
    "registered-nurse",
    "software-developer",
    "lawyer",
    "paralegal",
)
TEMPLATES = ("What does a {} do?", "What skills does a {} need?", "How much does a {} earn?")


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
        return {
            "clients": self.clients,
            "requests": len(ms),
            "req_per_s": round(len(ms) / self.seconds, 1),
            "p50_ms": round(percentile(ms, 50), 1),
            "p95_ms": round(percentile(ms, 95), 1),
            "p99_ms": round(percentile(ms, 99), 1),
            "errors": self.errors,
            "server_errors": self.server_errors,
            "mixed_up": self.mixed_up,
            "error_kinds": self.error_kinds,
        }


def _answer(client: httpx.Client, url: str, body: dict[str, Any], stream: bool) -> tuple[int, dict[str, Any]]:
    if not stream:
        response = client.post(f"{url}/api/chat", json=body)
        return response.status_code, response.json() if response.status_code == 200 else {}
    response = client.post(f"{url}/api/chat/stream", json=body)
    if response.status_code != 200:
        return response.status_code, {}
    final = [e for e in response.text.split("\n\n") if e.startswith("event: done\n")]
    return (200, json.loads(final[-1].split("data: ", 1)[1])) if final else (599, {})


def run_load(url: str, careers: Sequence[tuple[str, str]], clients: int, seconds: float) -> LoadResult:
    """`clients` threads asking about `careers` (slug, title) for `seconds`; every answer is checked."""
    result = LoadResult(clients, seconds)
    lock = threading.Lock()
    start_at = time.monotonic() + 0.2
    end_at = start_at + seconds

    def client_loop(index: int) -> None:
        latencies, errors, server_errors, mixed = [], 0, 0, 0
        kinds: dict[str, int] = {}
        with httpx.Client(timeout=60) as client:
            time.sleep(max(0.0, start_at - time.monotonic()))
            turn = index
            while time.monotonic() < end_at:
                slug, title = careers[turn % len(careers)]
                question = TEMPLATES[(turn // len(careers)) % len(TEMPLATES)].format(title.lower())
                body = {"message": question, "conversation_id": f"load-{index:03d}"}
                began = time.perf_counter()
                try:
                    status, answer = _answer(client, url, body, stream=turn % 4 == 3)
                except httpx.HTTPError as exc:
                    status, answer = 0, {}
                    kinds[type(exc).__name__] = kinds.get(type(exc).__name__, 0) + 1
                latencies.append(time.perf_counter() - began)
                turn += 1
                if status != 200:
                    errors += 1
                    if status:
                        kinds[str(status)] = kinds.get(str(status), 0) + 1
                    server_errors += status >= 500
                elif (
                    not answer.get("sources")
                    or answer["sources"][0]["career"] != slug
                    or title not in answer["answer"]
                ):
                    mixed += 1
        with lock:
            result.latencies += latencies
            result.errors += errors
            result.server_errors += server_errors
            result.mixed_up += mixed
            for kind, count in kinds.items():
                result.error_kinds[kind] = result.error_kinds.get(kind, 0) + count

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
        corpus = Path(tmp) / "corpus"
        corpus.mkdir()
        for slug in SMALL:
            (corpus / f"{slug}.txt").write_bytes((CORPUS / f"{slug}.txt").read_bytes())
        proc = None
        url = args.url
        if url is None:
            port = free_port()
            env = child_env(
                CAREERBOT_DATA_DIR=str(Path(tmp) / "data"),
                CAREERBOT_RATE_LIMIT_PER_MINUTE=str(NO_RATE_LIMIT),
                CAREERBOT_RATE_LIMIT_PER_IP_PER_MINUTE=str(NO_RATE_LIMIT),
            )
            serve = [PYTHON, "-m", "careerbot.cli", "serve", "--port", str(port), "--corpus", str(corpus)]
            proc = subprocess.Popen(serve, env=env, cwd=REPO)
            url = f"http://127.0.0.1:{port}"
            wait_http(f"{url}/healthz", proc, timeout=600)
        try:
            careers = careers_of(corpus)
            run_load(url, careers, 4, 3)  # warm-up
            rows = [run_load(url, careers, n, args.seconds).summary() for n in args.clients]
        finally:
            if proc is not None:
                stop(proc)
    print(
        f"{'clients':>7} {'req/s':>7} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'errors':>6} {'5xx':>4} {'mixed':>5}"
    )
    for r in rows:
        print(
            f"{r['clients']:>7} {r['req_per_s']:>7} {r['p50_ms']:>8} {r['p95_ms']:>8} {r['p99_ms']:>8} "
            f"{r['errors']:>6} {r['server_errors']:>4} {r['mixed_up']:>5}"
        )
    if args.out:
        args.out.write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
