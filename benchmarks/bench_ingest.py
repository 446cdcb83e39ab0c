"""Ingest: full build, unchanged re-ingest, one changed profile, and the whole `ingest` command."""

from __future__ import annotations

import shutil
import statistics
import time
from pathlib import Path
from typing import Any

import baseline
from common import BENCH_DIR, PYTHON, Config, Workspace, child_env, copy_corpus, dir_bytes, log, run_timed

EDITED_PROFILE = "registered-nurse"
EDIT = "\nSkills Needed\n  • Staying calm and kind during a benchmark edit\n"
STATS = ("chunks", "added", "updated", "removed", "unchanged")


def edit_one_profile(corpus: Path) -> str:
    """Add one bullet to one section of one profile (as an editor would); returns its slug."""
    path = corpus / f"{EDITED_PROFILE}.txt"  # in the smoke run's profiles too
    text = path.read_text(encoding="utf-8")
    if "\nSkills Needed\n" not in text:
        raise RuntimeError(f"{path.name} has no 'Skills Needed' heading to edit")
    path.write_text(text.replace("\nSkills Needed\n", EDIT, 1), encoding="utf-8")
    return path.stem


def _ours(corpus: Path, data: Path, embeddings: Any) -> tuple[float, Any, int]:
    """What `careerbot ingest` does after its imports and model load, timed in-process."""
    from careerbot.indexing import sync_index
    from careerbot.service import load_chunks, open_store
    from careerbot.settings import make_settings

    started = time.perf_counter()
    settings = make_settings(corpus_dir=corpus, data_dir=data)
    profiles, chunks, _errors = load_chunks(settings)
    store = open_store(settings, embeddings)
    stats = sync_index(store, embeddings, chunks, batch_size=settings.embedding_batch_size, progress=False)
    return time.perf_counter() - started, stats, len(profiles)


def _stats(stats: Any) -> dict[str, int]:
    return {k: getattr(stats, k) for k in STATS}


def _base(corpus: Path, data: Path, embeddings: Any) -> tuple[float, int]:
    started = time.perf_counter()
    count = baseline.ingest(corpus, data, embeddings)
    return time.perf_counter() - started, count


def run(cfg: Config, ws: Workspace, embeddings: Any, base_embeddings: Any) -> dict[str, Any]:
    log("ingest: ours, full build")
    seconds, stats, profiles = _ours(ws.corpus, ws.ours_data, embeddings)
    ours: dict[str, Any] = {"profiles": profiles, "chunks": stats.chunks, "full_build_s": seconds}
    ours |= {"chunks_per_s": stats.embedded / seconds, "full_build_stats": _stats(stats)}
    ours["index_bytes"] = dir_bytes(ws.ours_data / "chroma")
    log("ingest: baseline, full build")
    seconds, count = _base(ws.corpus, ws.base_data, base_embeddings)
    base: dict[str, Any] = {"profiles": profiles, "chunks": count, "full_build_s": seconds}
    base["chunks_per_s"] = count / seconds
    base["index_bytes"] = dir_bytes(ws.base_data / "chroma")

    log("ingest: unchanged re-ingest")
    runs = [_ours(ws.corpus, ws.ours_data, embeddings) for _ in range(3)]
    ours["reingest_unchanged_s"] = statistics.median(r[0] for r in runs)
    ours["reingest_unchanged_runs_s"] = [r[0] for r in runs]
    ours["reingest_unchanged_stats"] = _stats(runs[-1][1])
    base["reingest_unchanged_s"] = _base(ws.corpus, ws.base_data, base_embeddings)[0]

    log("ingest: one profile changed")
    edited = copy_corpus(ws.path("edited-corpus"), cfg.profiles)
    ours["changed_profile"] = base["changed_profile"] = edit_one_profile(edited)
    seconds, stats, _ = _ours(edited, ws.copy(ws.ours_data, "ours-data-edited"), embeddings)
    ours.update(changed_one_s=seconds, changed_one_stats=_stats(stats))
    base["changed_one_s"] = _base(edited, ws.copy(ws.base_data, "baseline-data-edited"), base_embeddings)[0]

    # The commands run on copies: a second process must not rebuild a store this process has open.
    log("ingest: whole `careerbot ingest` command, unchanged corpus")
    env = child_env(
        CAREERBOT_DATA_DIR=str(ws.copy(ws.ours_data, "ours-cli")), CAREERBOT_CORPUS_DIR=str(ws.corpus)
    )
    done = run_timed([str(Path(PYTHON).parent / "careerbot"), "ingest"], env)
    ours.update(cli_unchanged_s=done["seconds"], cli_peak_rss_bytes=done["peak_rss_bytes"])
    ours["cli_embedded_nothing"] = "0 added, 0 updated, 0 removed" in done["err"]
    log("ingest: whole baseline ingest command, unchanged corpus")
    cmd = [PYTHON, str(BENCH_DIR / "baseline.py"), "ingest", "--corpus", str(ws.corpus)]
    done = run_timed([*cmd, "--data", str(ws.copy(ws.base_data, "baseline-cli"))], child_env())
    base.update(cli_unchanged_s=done["seconds"], cli_peak_rss_bytes=done["peak_rss_bytes"])
    for name in ("ours-data-edited", "baseline-data-edited", "ours-cli", "baseline-cli"):
        shutil.rmtree(ws.path(name), ignore_errors=True)
    return {"ours": ours, "baseline": base}
