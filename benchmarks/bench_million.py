"""Opt-in scale run: careerbot over N synthetic chunks (default 1,000,000) on a `chroma run` server."""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import bench_scale
import common
import numpy as np
from bench_query import measure

WRITE_TIMEOUT_S = 600.0  # bulk writes of 5,000 rows into a growing index outlast the app's 3 s timeout


def run(n: int, root: Path) -> dict[str, Any]:
    from careerbot.chunking import corpus_fingerprint
    from careerbot.embeddings import build_embeddings
    from careerbot.retrieval.keyword import KeywordIndex
    from careerbot.service import assemble_service, open_store
    from careerbot.settings import make_settings

    url = f"http://127.0.0.1:{common.free_port()}"
    chroma = [str(Path(sys.executable).parent / "chroma"), "run", "--path", str(root / "chroma-server")]
    chroma += ["--host", "127.0.0.1", "--port", url.rsplit(":", 1)[1]]
    server = common.start_server(chroma, url + "/api/v2/heartbeat", 120, output=subprocess.DEVNULL)
    try:
        settings = make_settings(corpus_dir=common.CORPUS, data_dir=root / "data", chroma_url=url)
        writer = settings.model_copy(update={"chroma_timeout_s": WRITE_TIMEOUT_S})
        embeddings = build_embeddings(cache_dir=settings.data_dir)
        profiles, chunks = bench_scale.ours_corpus(common.CORPUS, n)
        real = bench_scale.ours_corpus(common.CORPUS, None)[1]  # the first chunks; clones repeat them
        common.log(f"embedding the {len(real)} real chunks")
        base = np.asarray(embeddings.embed_documents([c.embed_text for c in real]), dtype=np.float32)
        common.log(f"writing {n} chunks to the Chroma server")
        started = time.perf_counter()
        bench_scale.insert_ours(open_store(writer, embeddings), chunks, base)
        write_s = time.perf_counter() - started
        store = open_store(settings, embeddings)  # the app's own timeouts from here on
        rss_before_bm25 = common.proc_status(os.getpid())["VmRSS"]
        common.log("BM25 over every chunk (built, saved, then loaded memory-mapped)")
        started = time.perf_counter()
        ids, texts = [c.id for c in chunks], [c.embed_text for c in chunks]
        KeywordIndex.load_or_build(ids, texts, settings.data_dir / "bm25", corpus_fingerprint(chunks))
        bm25_build_s = time.perf_counter() - started
        rss_after_build = common.proc_status(os.getpid())["VmRSS"]
        started = time.perf_counter()
        service = assemble_service(settings, profiles, chunks, store, embeddings)  # loads the saved BM25
        assemble_s = time.perf_counter() - started
        named = [f"What does a {p.title} do all day?" for p in profiles[-40:]]
        quiet = common.wait_for_quiet("million: queries", 600)
        latency = {}
        for kind, questions in (("open", common.QUESTIONS[:40]), ("named_career", named)):
            for question in questions[:3]:
                service.retrieve(question)
            probe: dict[str, Any] = {kind: service.retrieve}
            latency[kind] = measure(questions, 2, probe, lambda: common.forget_queries(embeddings))[kind]
        per_career = statistics.median(len(v) for v in service.retriever.by_career.values())
        return {
            "chunks": n,
            "background_cpu_before_queries": quiet,
            "profiles": len(profiles),
            "store_write_s": write_s,
            "bm25_build_and_save_s": bm25_build_s,
            "bm25_rss_growth_mib": (rss_after_build - rss_before_bm25) / common.MIB,
            "bm25_disk_mib": common.dir_bytes(settings.data_dir / "bm25") / common.MIB,
            "service_assemble_s": assemble_s,
            "retrieve_open": latency["open"],
            "retrieve_named_career": latency["named_career"],
            "named_career_selectivity": per_career / n,
            "app_peak_rss_mib": common.proc_status(os.getpid())["VmHWM"] / common.MIB,
            "server_peak_rss_mib": common.proc_status(server.pid)["VmHWM"] / common.MIB,
            "server_disk_mib": common.dir_bytes(root / "chroma-server") / common.MIB,
        }
    finally:
        common.stop(server)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chunks", type=int, default=1_000_000)
    parser.add_argument("--out", type=Path, default=common.RESULTS_DIR / "million-latest.json")
    args = parser.parse_args(argv)
    from careerbot.offline import apply_offline_env

    apply_offline_env()
    with tempfile.TemporaryDirectory(prefix="careerbot-million-") as tmp:
        result = run(args.chunks, Path(tmp))
    print(common.write_json(args.out, result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
