"""Synthetic corpora scaled from the real one, deterministically.

Chunks: the real chunks, then clone rounds of every profile (career renamed with a made-up word,
"Registered nurse Kalomi", slug "registered-nurse-kalomi"), cut at exactly N chunks.
Vectors: row i is the given vectors' row i; past their end, a clone's vector is its original's real
embedding plus seeded Gaussian noise, re-normalised (so sizes up to ``embed_real_max``, given the real
embeddings of their clones, get no noise).

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
    from baseline import career_of

    def clone(doc: dict[str, Any], name: str) -> list[dict[str, Any]]:
        stem = career_of(doc["metadata"])
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

    insert(
        upsert, [c.id for c in chunks], [c.embed_text for c in chunks], [c.metadata() for c in chunks], base
    )
    store.set_fingerprint(corpus_fingerprint(chunks))


def open_ours(data_dir: Path, model_id: str) -> Any:
    """careerbot's store in a data folder (no embeddings needed to write precomputed vectors)."""
    from careerbot.settings import make_settings
    from careerbot.store import VectorStore, open_client

    settings = make_settings(data_dir=data_dir)
    return VectorStore.open(open_client(settings), settings.collection, model_id, str(settings.chroma_path))


def insert_baseline(data_dir: Path, docs: list[dict[str, Any]], base: np.ndarray) -> None:
    """Write chunks into a collection created the way LangChain's Chroma creates it."""
    import baseline

    collection = baseline.client(data_dir).get_or_create_collection(
        name=baseline.COLLECTION, embedding_function=None
    )

    def upsert(ids: list[str], vectors: np.ndarray, texts: list[str], metadatas: list[Any]) -> None:
        collection.upsert(ids=ids, embeddings=vectors, documents=texts, metadatas=metadatas)

    insert(upsert, [d["id"] for d in docs], [d["text"] for d in docs], [d["metadata"] for d in docs], base)


def write_seed(seed_dir: Path, ours_vectors: np.ndarray, base: dict[str, Any]) -> None:
    """What the builder process needs: real vectors of both systems and the baseline's chunks."""
    seed_dir.mkdir(parents=True, exist_ok=True)
    np.save(seed_dir / "ours.npy", ours_vectors)
    np.save(seed_dir / "baseline.npy", base["vectors"])
    payload = {"docs": base["docs"], "titles": base["titles"]}
    (seed_dir / "baseline.json").write_text(json.dumps(payload), encoding="utf-8")


def store_dir(root: Path, system: str, n: int) -> Path:
    return root / f"{system}-{n}"


def main(argv: list[str] | None = None) -> int:
    """Build the perturbed stores of one system (the builder process)."""
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
    base = np.load(args.seed_dir / f"{args.system}.npy")
    seed = json.loads((args.seed_dir / "baseline.json").read_text(encoding="utf-8"))
    for n in [int(s) for s in args.sizes.split(",") if s]:
        out = store_dir(args.out, args.system, n)
        if args.system == "ours":
            insert_ours(open_ours(out, args.model_id), ours_corpus(args.corpus, n)[1], base)
        else:
            insert_baseline(out, baseline_corpus(seed["docs"], seed["titles"], n), base)
        print(f"built {args.system} {n}", file=sys.stderr, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
