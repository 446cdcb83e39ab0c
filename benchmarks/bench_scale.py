"""Retrieval latency and index size on synthetic corpora scaled from the real one (method: README.md).

As a script, ``bench_scale.py ours|baseline CORPUS SEED_DIR OUT SIZES MODEL_ID`` builds one system's
perturbed stores from a seed folder, in a separate process while nothing is timed.
"""

from __future__ import annotations

import gc
import json
import re
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import baseline
import common
import numpy as np
from bench_query import measure

SEED = 6
SIGMA = 0.02  # per dimension: mean cosine to the original ~0.93 at 384 dimensions
BATCH = 5000  # below Chroma's max batch (5461)
_SYLLABLES = ("ka", "lo", "mi", "ra", "te", "vu", "so", "ne", "di", "po")


def code(round_no: int) -> str:
    """A made-up, unique name for clone round 1..999: 1 -> 'Kakalo'."""
    return "".join(_SYLLABLES[int(d)] for d in f"{round_no:03d}").capitalize()


def _clones(first: list[Any], real: list[Any], n: int, clone: Any) -> list[Any]:
    """``first``, then rounds of ``clone(item, name)`` (a list) over ``real``, cut at ``n``."""
    out, round_no = list(first), 0
    while len(out) < n:
        round_no += 1
        for item in real:
            out += clone(item, code(round_no))
            if len(out) >= n:
                break
    return out[:n]


def ours_corpus(corpus_dir: Path, n: int | None) -> tuple[list[Any], list[Any]]:
    """(profiles, chunks): the real ones, then renamed clones, cut at ``n`` chunks (None: real only)."""
    from careerbot.chunking import chunk_profiles
    from careerbot.corpus import load_corpus

    real = list(load_corpus(corpus_dir).profiles)
    profiles = list(real)

    def clone(profile: Any, name: str) -> list[Any]:
        similar = tuple(f"{t} {name}" for t in profile.similar_titles)
        slug, title = f"{profile.slug}-{name.lower()}", f"{profile.title} {name}"
        profiles.append(replace(profile, slug=slug, title=title, similar_titles=similar, related=()))
        return list(chunk_profiles([profiles[-1]]))

    chunks = chunk_profiles(real)
    return profiles, chunks if n is None else _clones(chunks, real, n, clone)


def baseline_corpus(real: list[dict[str, Any]], titles: dict[str, str], n: int) -> list[dict[str, Any]]:
    """Baseline chunks {id, text, metadata}: the real ones, then clones with the career renamed."""

    def clone(doc: dict[str, Any], name: str) -> list[dict[str, Any]]:
        stem = baseline.career_of(doc["metadata"])
        title = titles.get(stem, stem.replace("-", " "))
        text = re.sub(re.escape(title), f"{title} {name}", doc["text"], flags=re.IGNORECASE)
        source = Path(doc["metadata"]["source"]).with_name(f"{stem}-{name.lower()}.txt")
        return [{"id": f"{doc['id']}-{name.lower()}", "text": text, "metadata": {"source": str(source)}}]

    return _clones(real, real, n, clone)


def perturbed(base: np.ndarray, start: int, stop: int, rng: np.random.Generator) -> np.ndarray:
    """Rows start..stop-1: row i < len(base) is base[i]; later rows base[i % len(base)] + noise, normalised."""
    rows = np.arange(start, stop)
    out = base[rows % len(base)].astype(np.float32)
    clone = rows >= len(base)
    out[clone] += rng.standard_normal((int(clone.sum()), base.shape[1]), dtype=np.float32) * SIGMA
    out[clone] /= np.linalg.norm(out[clone], axis=1, keepdims=True)
    return out


def mean_cosine(a: np.ndarray, b: np.ndarray) -> float:
    a = a / np.linalg.norm(a, axis=1, keepdims=True)
    b = b / np.linalg.norm(b, axis=1, keepdims=True)
    return float(np.mean(np.sum(a * b, axis=1)))


def insert(upsert: Any, ids: list[str], texts: list[str], metadatas: list[Any], base: np.ndarray) -> None:
    """Write rows in batches: upsert(ids, vectors, texts, metadatas), vectors from :func:`perturbed`."""
    rng = np.random.default_rng(SEED)
    for start in range(0, len(ids), BATCH):
        stop = min(start + BATCH, len(ids))
        upsert(ids[start:stop], perturbed(base, start, stop, rng), texts[start:stop], metadatas[start:stop])
        if start // BATCH % 20 == 0:
            print(f"  {stop} / {len(ids)}", file=sys.stderr, flush=True)


def insert_ours(store: Any, chunks: list[Any], base: np.ndarray) -> None:
    """Write chunks with VectorStore.upsert, as careerbot's own store."""
    from careerbot.chunking import corpus_fingerprint

    def upsert(ids: list[str], vectors: np.ndarray, texts: list[str], metadatas: list[Any]) -> None:
        store.upsert(ids, vectors.tolist(), texts, metadatas)

    rows = ([c.id for c in chunks], [c.embed_text for c in chunks], [c.metadata() for c in chunks])
    insert(upsert, *rows, base)
    store.set_fingerprint(corpus_fingerprint(chunks))


def open_ours(data_dir: Path, model_id: str) -> Any:
    """careerbot's store in a data folder (no embeddings needed to write precomputed vectors)."""
    from careerbot.settings import make_settings
    from careerbot.store import VectorStore, open_client

    settings = make_settings(data_dir=data_dir)
    return VectorStore.open(open_client(settings), settings.collection, model_id, str(settings.chroma_path))


def insert_baseline(data_dir: Path, docs: list[dict[str, Any]], base: np.ndarray) -> None:
    """Write chunks into a collection created the way LangChain's Chroma creates it."""
    chroma = baseline.client(data_dir)
    collection = chroma.get_or_create_collection(baseline.COLLECTION, embedding_function=None)

    def upsert(ids: list[str], vectors: np.ndarray, texts: list[str], metadatas: list[Any]) -> None:
        collection.upsert(ids=ids, embeddings=vectors, documents=texts, metadatas=metadatas)

    insert(upsert, [d["id"] for d in docs], [d["text"] for d in docs], [d["metadata"] for d in docs], base)


def _write_seed(ws: common.Workspace) -> Path:
    """A folder with both systems' real embeddings (from the ingest phase's stores) and the baseline's docs."""
    from careerbot.corpus import load_corpus
    from careerbot.settings import make_settings
    from careerbot.store import open_client

    seed = ws.path("synthetic-seed")
    seed.mkdir()
    settings = make_settings(corpus_dir=ws.corpus, data_dir=ws.ours_data)
    got = open_client(settings).get_collection(settings.collection).get(include=["embeddings"])
    by_id = dict(zip(got["ids"], got["embeddings"], strict=True))
    np.save(seed / "ours.npy", np.array([by_id[c.id] for c in ours_corpus(ws.corpus, None)[1]], np.float32))
    collection = baseline.client(ws.base_data).get_collection(baseline.COLLECTION)
    got = collection.get(include=["embeddings", "documents", "metadatas"])
    rows = list(zip(got["ids"], got["documents"], got["metadatas"], got["embeddings"], strict=True))
    rows.sort(key=lambda row: int(row[0]))
    np.save(seed / "baseline.npy", np.array([v for *_rest, v in rows], dtype=np.float32))
    docs = [{"id": i, "text": d, "metadata": dict(m)} for i, d, m, _v in rows]
    titles = {p.slug: p.title for p in load_corpus(ws.corpus).profiles}
    (seed / "baseline.json").write_text(json.dumps({"docs": docs, "titles": titles}), encoding="utf-8")
    return seed


def _with_clones(real: np.ndarray, texts: list[str], embed: Any) -> tuple[np.ndarray, float | None]:
    """Real vectors, then fresh embeddings of the clones; the clones' mean cosine to their originals."""
    n, n_real = len(texts), min(len(texts), len(real))
    if n == n_real or embed is None:  # no clones, or clones perturbed later by insert()
        return real, None
    clones = np.asarray(embed.embed_documents(texts[n_real:]), dtype=np.float32)
    return np.vstack([real[:n_real], clones]), mean_cosine(clones, real[np.arange(n_real, n) % n_real])


def build(system: str, n: int, corpus: Path, seed: Path, out: Path, model_id: str, embed: Any = None) -> Any:
    """One system's synthetic store of ``n`` chunks, clones embedded with ``embed`` or else perturbed;
    the clones' mean cosine to their originals (None when perturbed)."""
    real = np.load(seed / f"{system}.npy")
    if system == "ours":
        chunks = ours_corpus(corpus, n)[1]
        vectors, cosine = _with_clones(real, [c.embed_text for c in chunks], embed)
        insert_ours(open_ours(out / f"ours-{n}", model_id), chunks, vectors)
    else:
        seed_docs = json.loads((seed / "baseline.json").read_text(encoding="utf-8"))
        docs = baseline_corpus(seed_docs["docs"], seed_docs["titles"], n)
        vectors, cosine = _with_clones(real, [d["text"] for d in docs], embed)
        insert_baseline(out / f"baseline-{n}", docs, vectors)
    return cosine


def _ours_service(ws: common.Workspace, n: int, embeddings: Any) -> tuple[Any, float, float]:
    """ChatService over a synthetic store, wired like build_service does."""
    from careerbot.retrieval.keyword import KeywordIndex
    from careerbot.service import assemble_service, open_store
    from careerbot.settings import make_settings

    profiles, chunks = ours_corpus(ws.corpus, n)
    settings = make_settings(corpus_dir=ws.corpus, data_dir=ws.path(f"synthetic/ours-{n}"))
    started = time.perf_counter()
    store = open_store(settings, embeddings)
    keyword_started = time.perf_counter()
    keyword = KeywordIndex([chunk.id for chunk in chunks], [chunk.embed_text for chunk in chunks])
    keyword_s = time.perf_counter() - keyword_started
    service = assemble_service(settings, profiles, chunks, store, embeddings, keyword=keyword)
    if store.count() != n:
        raise RuntimeError(f"synthetic store holds {store.count()} chunks, expected {n}")
    return service, time.perf_counter() - started, keyword_s


def run(cfg: common.Config, ws: common.Workspace, embeddings: Any, base_embeddings: Any) -> dict[str, Any]:
    seed_dir = _write_seed(ws)
    sizes = ",".join(str(n) for n in cfg.scale_sizes if n > cfg.embed_real_max)
    common.log(f"scale: building perturbed stores [{sizes}] in two builder processes")
    builders = []  # one per system (inserting is single-threaded: two use both cores)
    for system in ("ours", "baseline") if sizes else ():
        args = [system, ws.corpus, seed_dir, ws.path("synthetic"), sizes, embeddings.model_id]
        with ws.path(f"builder-{system}.log").open("wb") as out:
            cmd = [common.PYTHON, __file__, *map(str, args)]
            builders.append((system, subprocess.Popen(cmd, env=common.child_env(), stderr=out, stdout=out)))
    real = np.load(seed_dir / "ours.npy")
    result: dict[str, Any] = {"sigma": SIGMA, "seed": SEED, "sizes": {}}
    sample = perturbed(real, len(real), 2 * len(real), np.random.default_rng(SEED))
    result["perturbation_cosine"] = mean_cosine(sample, real)
    for n in cfg.scale_sizes:
        if n <= cfg.embed_real_max:
            common.log(f"scale: embedding the clones of the {n}-chunk corpus")
            both = {"ours": embeddings, "baseline": base_embeddings}
            where = (n, ws.corpus, seed_dir, ws.path("synthetic"), embeddings.model_id)
            result["clone_cosine_real"] = {
                system: build(system, *where, embed) for system, embed in both.items()
            }
    started = time.perf_counter()
    for system, proc in builders:
        if proc.wait(timeout=3600) != 0:
            tail = ws.path(f"builder-{system}.log").read_text()[-3000:]
            raise RuntimeError(f"synthetic builder for {system} failed:\n{tail}")
    result["builder_wait_s"] = time.perf_counter() - started
    result["background_cpu"] = common.wait_for_quiet("scale", cfg.quiet_wait)

    questions = common.QUESTIONS[: cfg.questions]
    for n in cfg.scale_sizes:
        common.log(f"scale: {n} chunks")
        service, build_s, keyword_s = _ours_service(ws, n, embeddings)
        base_dir = ws.path(f"synthetic/baseline-{n}")
        rag = baseline.BaselineRAG(base_dir, base_embeddings)
        if baseline.client(base_dir).get_collection(baseline.COLLECTION).count() != n:
            raise RuntimeError(f"baseline synthetic store does not hold {n} chunks")
        for question in questions[:3]:
            service.retrieve(question)
            rag.retrieve(question)
        probes = {"ours": service.retrieve, "baseline": rag.retrieve}
        latency = measure(questions, cfg.passes, probes, lambda: common.forget_queries(embeddings))
        ours = {"retrieve": latency["ours"], "index_bytes": common.dir_bytes(ws.path(f"synthetic/ours-{n}"))}
        ours |= {"service_build_s": build_s, "keyword_index_s": keyword_s, "profiles": service.info.profiles}
        base = {"retrieve": latency["baseline"], "index_bytes": common.dir_bytes(base_dir)}
        result["sizes"][str(n)] = {"ours": ours, "baseline": base}
        del service, rag
        gc.collect()
    return result


def main(system: str, corpus: str, seed_dir: str, out: str, sizes: str, model_id: str) -> int:
    """Build the perturbed stores of one system (the builder process)."""
    from careerbot.offline import apply_offline_env

    apply_offline_env()
    for n in [int(size) for size in sizes.split(",")]:
        build(system, n, Path(corpus), Path(seed_dir), Path(out), model_id)
        print(f"built {system} {n}", file=sys.stderr, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
