"""Synthetic corpora scaled from the real one, deterministically.

Chunks: the real chunks, then clone rounds of every profile (career renamed with a made-up word,
"Registered nurse Kalomi", slug "registered-nurse-kalomi"), cut at exactly N chunks.
Vectors: a clone's vector is its original's real embedding plus seeded Gaussian noise, re-normalised
(sizes above ``embed_real_max`` only; smaller sizes embed their clones for real).

Run as a script it builds stores from a seed folder, so the slow Chroma inserts of the large sizes
run in a separate process (one per system, in parallel) while nothing is being timed.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

SEED = 6
SIGMA = 0.02  # per dimension: mean cosine to the original ~0.93 at 384 dimensions
BATCH = 5000  # below Chroma's max batch (5461)
_SYLLABLES = ("ka", "lo", "mi", "ra", "te", "vu", "so", "ne", "di", "po")


def code(round_no: int) -> str:
    """A made-up, unique name for clone round 1..999: 1 -> 'Kakalo'."""
    digits = f"{round_no:03d}"
    return "".join(_SYLLABLES[int(d)] for d in digits).capitalize()


def ours_corpus(corpus_dir: Path, n: int | None) -> tuple[list[Any], list[Any]]:
    """(profiles, chunks): the real ones, then renamed clones, cut at ``n`` chunks (None: real only)."""
    from careerbot.chunking import chunk_profiles
    from careerbot.corpus import load_corpus

    real = list(load_corpus(corpus_dir).profiles)
    profiles, chunks = list(real), chunk_profiles(real)
    if n is None:
        return profiles, chunks
    round_no = 0
    while len(chunks) < n:
        round_no += 1
        name = code(round_no)
        for profile in real:
            clone = replace(
                profile,
                slug=f"{profile.slug}-{name.lower()}",
                title=f"{profile.title} {name}",
                similar_titles=tuple(f"{t} {name}" for t in profile.similar_titles),
                related=(),
            )
            profiles.append(clone)
            chunks.extend(chunk_profiles([clone]))
            if len(chunks) >= n:
                break
    return profiles, chunks[:n]


def baseline_corpus(real: list[dict[str, Any]], titles: dict[str, str], n: int) -> list[dict[str, Any]]:
    """Baseline chunks {id, text, metadata}: the real ones, then clones with the career renamed."""
    from baseline import career_of

    docs = list(real)
    round_no = 0
    while len(docs) < n:
        round_no += 1
        name = code(round_no)
        for doc in real:
            stem = career_of(doc["metadata"])
            title = titles.get(stem, stem.replace("-", " "))
            text = re.sub(re.escape(title), f"{title} {name}", doc["text"], flags=re.IGNORECASE)
            source = Path(doc["metadata"]["source"]).with_name(f"{stem}-{name.lower()}.txt")
            docs.append(
                {"id": f"{doc['id']}-{name.lower()}", "text": text, "metadata": {"source": str(source)}}
            )
            if len(docs) >= n:
                break
    return docs[:n]


def perturbed(base: np.ndarray, n: int) -> np.ndarray:
    """Row i < len(base) is base[i]; later rows are base[i % len(base)] + noise, normalised."""
    real = len(base)
    out = base[np.arange(n) % real].astype(np.float32)
    if n > real:
        rng = np.random.default_rng(SEED)
        out[real:] += rng.standard_normal((n - real, base.shape[1]), dtype=np.float32) * SIGMA
        out[real:] /= np.linalg.norm(out[real:], axis=1, keepdims=True)
    return out


def mean_cosine(a: np.ndarray, b: np.ndarray) -> float:
    a = a / np.linalg.norm(a, axis=1, keepdims=True)
    b = b / np.linalg.norm(b, axis=1, keepdims=True)
    return float(np.mean(np.sum(a * b, axis=1)))


def insert_ours(data_dir: Path, chunks: list[Any], vectors: np.ndarray, model_id: str) -> None:
    """Write chunks and vectors with VectorStore.upsert, as careerbot's own store."""
    from careerbot.chunking import corpus_fingerprint
    from careerbot.settings import make_settings
    from careerbot.store import VectorStore, open_client

    settings = make_settings(data_dir=data_dir)
    store = VectorStore.open(open_client(settings), settings.collection, model_id, str(settings.chroma_path))
    for start in range(0, len(chunks), BATCH):
        batch = chunks[start : start + BATCH]
        store.upsert(
            [c.id for c in batch],
            vectors[start : start + BATCH].tolist(),
            [c.embed_text for c in batch],
            [c.metadata() for c in batch],
        )
    store.set_fingerprint(corpus_fingerprint(chunks))


def insert_baseline(data_dir: Path, docs: list[dict[str, Any]], vectors: np.ndarray) -> None:
    """Write chunks and vectors into a collection created the way LangChain's Chroma creates it."""
    import baseline

    collection = baseline.client(data_dir).get_or_create_collection(
        name=baseline.COLLECTION, embedding_function=None
    )
    for start in range(0, len(docs), BATCH):
        batch = docs[start : start + BATCH]
        collection.upsert(
            ids=[d["id"] for d in batch],
            embeddings=vectors[start : start + BATCH],
            documents=[d["text"] for d in batch],
            metadatas=[d["metadata"] for d in batch],
        )


def write_seed(seed_dir: Path, ours_vectors: np.ndarray, base: dict[str, Any]) -> None:
    """What the builder process needs: real vectors of both systems and the baseline's chunks."""
    seed_dir.mkdir(parents=True, exist_ok=True)
    np.save(seed_dir / "ours.npy", ours_vectors)
    np.save(seed_dir / "baseline.npy", base["vectors"])
    payload = {"docs": base["docs"], "titles": base["titles"]}
    (seed_dir / "baseline.json").write_text(json.dumps(payload), encoding="utf-8")


def store_dir(root: Path, system: str, n: int) -> Path:
    return root / f"{system}-{n}"


def build(system: str, corpus: Path, seed_dir: Path, sizes: list[int], out: Path, model_id: str) -> None:
    """Build the perturbed stores of one system (the builder process)."""
    if system == "ours":
        base = np.load(seed_dir / "ours.npy")
        for n in sizes:
            _profiles, chunks = ours_corpus(corpus, n)
            insert_ours(store_dir(out, system, n), chunks, perturbed(base, n), model_id)
            print(f"built {system} {n}", file=sys.stderr, flush=True)
        return
    base = np.load(seed_dir / "baseline.npy")
    seed = json.loads((seed_dir / "baseline.json").read_text(encoding="utf-8"))
    for n in sizes:
        docs = baseline_corpus(seed["docs"], seed["titles"], n)
        insert_baseline(store_dir(out, system, n), docs, perturbed(base, n))
        print(f"built {system} {n}", file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="build synthetic stores for bench_scale")
    parser.add_argument("--system", choices=("ours", "baseline"), required=True)
    parser.add_argument("--corpus", type=Path, required=True)
    parser.add_argument("--seed-dir", type=Path, required=True)
    parser.add_argument("--sizes", required=True, help="comma-separated chunk counts")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--model-id", required=True)
    args = parser.parse_args(argv)
    from careerbot.offline import apply_offline_env

    apply_offline_env()
    sizes = [int(s) for s in args.sizes.split(",") if s]
    build(args.system, args.corpus, args.seed_dir, sizes, args.out, args.model_id)
    return 0


if __name__ == "__main__":
    sys.exit(main())
