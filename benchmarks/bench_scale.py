"""Retrieval latency and index size on synthetic corpora of 1k, 10k and 100k chunks."""

from __future__ import annotations

import gc
import subprocess
import time
from pathlib import Path
from typing import Any

import baseline
import numpy as np
import synthetic
from bench_query import measure
from common import (
    BENCH_DIR,
    PYTHON,
    QUESTIONS,
    Config,
    Workspace,
    child_env,
    dir_bytes,
    forget_queries,
    log,
    wait_for_quiet,
)


def _real_vectors(ws: Workspace) -> tuple[np.ndarray, dict[str, Any]]:
    """The real embeddings of both systems, read back from the stores built by the ingest phase."""
    from careerbot.corpus import load_corpus
    from careerbot.settings import make_settings
    from careerbot.store import open_client

    settings = make_settings(corpus_dir=ws.corpus, data_dir=ws.ours_data)
    got = open_client(settings).get_collection(settings.collection).get(include=["embeddings"])
    by_id = dict(zip(got["ids"], got["embeddings"], strict=True))
    ours = np.array([by_id[c.id] for c in synthetic.ours_corpus(ws.corpus, None)[1]], dtype=np.float32)
    got = (
        baseline.client(ws.base_data)
        .get_collection(baseline.COLLECTION)
        .get(include=["embeddings", "documents", "metadatas"])
    )
    rows = sorted(
        zip(got["ids"], got["documents"], got["metadatas"], got["embeddings"], strict=True),
        key=lambda r: int(r[0]),
    )
    base = {
        "docs": [{"id": i, "text": d, "metadata": dict(m)} for i, d, m, _v in rows],
        "vectors": np.array([v for *_rest, v in rows], dtype=np.float32),
        "titles": {p.slug: p.title for p in load_corpus(ws.corpus).profiles},
    }
    return ours, base


def _with_clones(real: np.ndarray, texts: list[str], embeddings: Any) -> tuple[np.ndarray, float | None]:
    """Real vectors for the real chunks, fresh embeddings for the clones after them; and the clones'
    mean cosine to their originals."""
    n, n_real = len(texts), min(len(texts), len(real))
    if n == n_real:
        return real[:n], None
    clones = np.asarray(embeddings.embed_documents(texts[n_real:]), dtype=np.float32)
    return np.vstack([real[:n_real], clones]), synthetic.mean_cosine(
        clones, real[np.arange(n_real, n) % n_real]
    )


def _build_real(ws: Workspace, n: int, embeddings: Any, base_embeddings: Any, seed: Any) -> dict[str, Any]:
    """A size small enough to embed its clones for real (in this process)."""
    ours_real, base = seed
    chunks = synthetic.ours_corpus(ws.corpus, n)[1]
    vectors, ours_cos = _with_clones(ours_real, [c.embed_text for c in chunks], embeddings)
    synthetic.insert_ours(synthetic.open_ours(_store(ws, "ours", n), embeddings.model_id), chunks, vectors)
    docs = synthetic.baseline_corpus(base["docs"], base["titles"], n)
    vectors, base_cos = _with_clones(base["vectors"], [d["text"] for d in docs], base_embeddings)
    synthetic.insert_baseline(_store(ws, "baseline", n), docs, vectors)
    return {"ours": ours_cos, "baseline": base_cos}


def _store(ws: Workspace, system: str, n: int) -> Path:
    return synthetic.store_dir(ws.path("synthetic"), system, n)


def _ours_service(ws: Workspace, n: int, embeddings: Any) -> tuple[Any, float, float]:
    """ChatService over a synthetic store, wired like build_service does."""
    from careerbot.retrieval.keyword import KeywordIndex
    from careerbot.service import assemble_service, open_store
    from careerbot.settings import make_settings

    profiles, chunks = synthetic.ours_corpus(ws.corpus, n)
    settings = make_settings(corpus_dir=ws.corpus, data_dir=_store(ws, "ours", n))
    started = time.perf_counter()
    store = open_store(settings, embeddings)
    keyword_started = time.perf_counter()
    keyword = KeywordIndex([c.id for c in chunks], [c.embed_text for c in chunks])
    keyword_s = time.perf_counter() - keyword_started
    service = assemble_service(settings, profiles, chunks, store, embeddings, keyword=keyword)
    if store.count() != n:
        raise RuntimeError(f"synthetic store holds {store.count()} chunks, expected {n}")
    return service, time.perf_counter() - started, keyword_s


def run(cfg: Config, ws: Workspace, embeddings: Any, base_embeddings: Any) -> dict[str, Any]:
    seed = _real_vectors(ws)
    synthetic.write_seed(ws.path("synthetic-seed"), *seed)
    perturbed = ",".join(str(n) for n in cfg.scale_sizes if n > cfg.embed_real_max)
    log(f"scale: building perturbed stores [{perturbed}] in two builder processes")
    builders = []  # one per system (inserting is single-threaded: two use both cores)
    for system in ("ours", "baseline") if perturbed else ():
        cmd = [
            PYTHON,
            str(BENCH_DIR / "synthetic.py"),
            "--system",
            system,
            "--corpus",
            str(ws.corpus),
            "--sizes",
            perturbed,
        ]
        cmd += [
            "--seed-dir",
            str(ws.path("synthetic-seed")),
            "--out",
            str(ws.path("synthetic")),
            "--model-id",
            embeddings.model_id,
        ]
        with ws.path(f"builder-{system}.log").open("wb") as logfile:
            builders.append((system, subprocess.Popen(cmd, env=child_env(), stderr=logfile, stdout=logfile)))
    n_real = len(seed[0])
    result: dict[str, Any] = {"sigma": synthetic.SIGMA, "seed": synthetic.SEED, "sizes": {}}
    sample = synthetic.perturbed(seed[0], n_real, 2 * n_real, np.random.default_rng(synthetic.SEED))
    result["perturbation_cosine"] = synthetic.mean_cosine(sample, seed[0])
    for n in cfg.scale_sizes:
        if n <= cfg.embed_real_max:
            log(f"scale: embedding the clones of the {n}-chunk corpus")
            result["clone_cosine_real"] = _build_real(ws, n, embeddings, base_embeddings, seed)
    started = time.perf_counter()
    for system, proc in builders:
        if proc.wait(timeout=3600) != 0:
            tail = ws.path(f"builder-{system}.log").read_text()[-3000:]
            raise RuntimeError(f"synthetic builder for {system} failed:\n{tail}")
    result["builder_wait_s"] = time.perf_counter() - started
    result["background_cpu"] = wait_for_quiet("scale", cfg.quiet_wait)

    questions = QUESTIONS[: cfg.questions]
    for n in cfg.scale_sizes:
        log(f"scale: {n} chunks")
        service, build_s, keyword_s = _ours_service(ws, n, embeddings)
        rag = baseline.BaselineRAG(_store(ws, "baseline", n), base_embeddings)
        if baseline.client(_store(ws, "baseline", n)).get_collection(baseline.COLLECTION).count() != n:
            raise RuntimeError(f"baseline synthetic store does not hold {n} chunks")
        for question in questions[:3]:
            service.retrieve(question)
            rag.retrieve(question)
        probes = {"ours": service.retrieve, "baseline": rag.retrieve}
        latency = measure(questions, cfg.passes, probes, lambda: forget_queries(embeddings))
        result["sizes"][str(n)] = {
            "ours": {
                "retrieve": latency["ours"],
                "index_bytes": dir_bytes(_store(ws, "ours", n)),
                "service_build_s": build_s,
                "keyword_index_s": keyword_s,
                "profiles": service.info.profiles,
            },
            "baseline": {
                "retrieve": latency["baseline"],
                "index_bytes": dir_bytes(_store(ws, "baseline", n)),
            },
        }
        del service, rag
        gc.collect()
    return result
