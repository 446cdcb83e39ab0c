"""Command line: ingest | ask | chat | serve | doctor | eval | feedback | gaps."""

from __future__ import annotations

import json
import logging
import os
import sys
from pathlib import Path
from typing import Annotated, Any, get_args

import typer

from careerbot.errors import CareerbotError
from careerbot.settings import EngineName

ENGINE_NAMES = list(get_args(EngineName))

app = typer.Typer(
    help="careerbot: grounded, cited career advice from career profiles.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

CorpusOpt = Annotated[
    Path | None,
    typer.Option("--corpus", help="Folder of profiles (default: CAREERBOT_CORPUS_DIR or ./corpus)."),
]


def _settings(**overrides: Any) -> Any:
    from careerbot.settings import make_settings

    return make_settings(**{k: v for k, v in overrides.items() if v is not None})


def _setup_logging(verbose: bool) -> None:
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    for noisy in ("httpx", "chromadb", "sentence_transformers", "urllib3"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


@app.callback()
def _main(
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log progress to stderr.")] = False,
) -> None:
    _setup_logging(verbose)


@app.command()
def ingest(
    corpus: CorpusOpt = None,
    rebuild: Annotated[
        bool,
        typer.Option(
            "--rebuild",
            help="Embed everything into a new collection and switch to it when complete "
            "(running servers follow within seconds).",
        ),
    ] = False,
) -> None:
    """Index the corpus: embed new or changed profile sections, remove deleted ones."""
    from careerbot.embeddings import build_embeddings
    from careerbot.indexing import rebuild_index, sync_index
    from careerbot.service import load_chunks, open_store, store_location
    from careerbot.store import open_client

    settings = _settings(corpus_dir=corpus)
    profiles, chunks, errors = load_chunks(settings)
    for error in errors:
        typer.echo(f"skipped: {error}", err=True)
    # Lazy: the model loads only if a chunk needs embedding, so an unchanged corpus loads none.
    embeddings = build_embeddings(
        settings.embedding_model_path, settings.embedding_batch_size, settings.data_dir
    )
    if rebuild:
        store, stats = rebuild_index(
            open_client(settings),
            settings.collection,
            store_location(settings),
            embeddings,
            chunks,
            batch_size=settings.embedding_batch_size,
        )
    else:
        store = open_store(settings, embeddings)
        stats = sync_index(store, embeddings, chunks, batch_size=settings.embedding_batch_size)
    typer.echo(
        f"{len(profiles)} profiles, {stats.summary()} -> {store.location} (collection {store.name})", err=True
    )


@app.command()
def ask(
    question: Annotated[str, typer.Argument(help="Your question, in quotes.")],
    as_json: Annotated[
        bool,
        typer.Option("--json", help="Print one JSON object (schema 1): answer, status, parts, sources."),
    ] = False,
    full: Annotated[
        bool,
        typer.Option("--full", help="Also print the rest of the quoted sections (more from the profile)."),
    ] = False,
    corpus: CorpusOpt = None,
) -> None:
    """Ask one question and print the answer with its sources."""
    from careerbot.service import build_service

    service = build_service(_settings(corpus_dir=corpus))
    answer = service.ask(question)
    if as_json:
        typer.echo(json.dumps(answer.to_dict(), ensure_ascii=False))
        return
    from careerbot.render import plain_answer

    typer.echo(plain_answer(answer, full=full))


@app.command()
def match(
    interests: Annotated[
        str, typer.Argument(help='What you like or are good at, e.g. "drawing and computers".')
    ],
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object (schema 1).")] = False,
    corpus: CorpusOpt = None,
) -> None:
    """Careers that fit your interests, best first, each with a reason quoted from its profile."""
    from careerbot.service import build_service

    answer = build_service(_settings(corpus_dir=corpus)).match(interests)
    if as_json:
        typer.echo(json.dumps(answer.to_dict(), ensure_ascii=False))
        return
    from careerbot.render import plain_answer

    typer.echo(plain_answer(answer))


@app.command()
def chat(corpus: CorpusOpt = None) -> None:
    """Talk with careerbot in the terminal (empty line or Ctrl-D to quit)."""
    from careerbot.service import build_service

    service = build_service(_settings(corpus_dir=corpus))
    history: list[dict[str, str]] = []
    typer.echo("Ask about any career. Empty line to quit.", err=True)
    while True:
        try:
            question = input("you> ")
        except (EOFError, KeyboardInterrupt):
            break
        if not question.strip():
            break
        answer = _chat_turn(service, question, history)
        history += [{"role": "user", "content": question}, {"role": "assistant", "content": answer.text}]


def _chat_turn(service: Any, question: str, history: list[dict[str, str]]) -> Any:
    """Print one answer; a language model's checked sentences are printed as they are written."""
    from careerbot.render import plain_answer
    from careerbot.schema import Answer

    if not hasattr(service.engine, "stream"):
        answer = service.ask(question, history)
        typer.echo(plain_answer(answer))
        return answer
    shown = ""
    for part in service.stream(question, history):
        if isinstance(part, Answer):
            full = plain_answer(part)
            if shown and full.startswith(shown):  # the checked sentences are out: print the rest
                typer.echo(full[len(shown) :])
            else:  # the model's answer was replaced (fallback): print the answer given
                typer.echo(("\n\n" if shown else "") + full)
            return part
        shown += part
        typer.echo(part, nl=False)
    return None


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Address to bind (default 127.0.0.1).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (default 7860).")] = None,
    corpus: CorpusOpt = None,
    no_page: Annotated[
        bool,
        typer.Option("--no-page", help="Serve only the JSON/SSE API, /widget.js and /healthz (no Gradio)."),
    ] = False,
) -> None:
    """Serve the chat page at / with the JSON API, /widget.js and /healthz."""
    from careerbot.web.server import run

    run(_settings(corpus_dir=corpus, host=host, port=port), page=not no_page)


@app.command()
def doctor(corpus: CorpusOpt = None) -> None:
    """Show what is installed, where the index is, which models, and whether servers answer."""
    from careerbot.doctor import report

    ok = report(_settings(corpus_dir=corpus), typer.echo)
    raise typer.Exit(0 if ok else 1)


@app.command("eval")
def eval_command(
    cases: Annotated[
        Path, typer.Option("--cases", help="Dataset (JSONL): id, part, turns, expected_careers, ...")
    ],
    engine: Annotated[
        list[str] | None,
        typer.Option(
            "--engine",
            help=f"Answer engine: {', '.join(ENGINE_NAMES)}; repeat it to compare engines side by side.",
        ),
    ] = None,
    report: Annotated[
        Path | None, typer.Option("--report", help="Folder for report.md, results.jsonl, plots.")
    ] = None,
    baseline: Annotated[
        Path | None, typer.Option("--baseline", help="An earlier results.jsonl: list what got worse.")
    ] = None,
    minimum: Annotated[
        list[str] | None,
        typer.Option(
            "--min",
            help="Threshold like hit@3=0.85 (repeatable); for words_p50 and latencies it is a maximum.",
        ),
    ] = None,
    corpus: CorpusOpt = None,
) -> None:
    """Evaluate answers on a dataset; exit 1 when a threshold is missed."""
    from careerbot.eval import evaluate, load_dataset
    from careerbot.eval.report import (
        compare_table,
        load_results,
        regressions,
        summary_table,
        write_comparison,
        write_report,
    )
    from careerbot.service import build_service

    engines = list(dict.fromkeys(engine or ["extractive"]))
    for name in engines:
        if name not in ENGINE_NAMES:
            raise typer.BadParameter(f"--engine {name!r}: choose one of {', '.join(ENGINE_NAMES)}")
    minimums: dict[str, float] = {}
    for item in minimum or []:
        name, sep, value = item.partition("=")
        try:
            minimums[name.strip()] = float(value)
        except ValueError:
            sep = ""
        if not sep:
            raise typer.BadParameter(f"--min {item!r}: write it as metric=number, e.g. hit@3=0.85")
    dataset = load_dataset(cases)
    if len(engines) > 1:
        runs, problems, embeddings = {}, [], None
        for name in engines:
            service = build_service(_settings(corpus_dir=corpus, llm=name), embeddings=embeddings)
            embeddings = service.retriever.embeddings  # load the embedding model once
            runs[name] = evaluate(service, dataset)
            found = runs[name].check(minimums)
            problems += [f"[{name}] {p}" for p in found]
            if report:
                write_report(runs[name], report / name, found)
        typer.echo(compare_table(runs))
        if report:
            typer.echo(f"report: {write_comparison(runs, report, problems)}", err=True)
        for problem in problems:
            typer.echo(f"MISSED {problem}", err=True)
        raise typer.Exit(1 if problems else 0)
    service = build_service(_settings(corpus_dir=corpus, llm=engines[0]))
    run = evaluate(service, dataset)
    problems = run.check(minimums)
    worse = regressions(run, load_results(baseline)) if baseline else None
    typer.echo(summary_table(run))
    if report:
        typer.echo(f"report: {write_report(run, report, problems, worse)}", err=True)
    for line in worse or []:
        typer.echo(f"worse: {line}", err=True)
    for problem in problems:
        typer.echo(f"MISSED {problem}", err=True)
    raise typer.Exit(1 if problems else 0)


feedback_app = typer.Typer(
    help="Thumbs up/down stored by the chat page (CAREERBOT_DATABASE_URL, or SQLite in the data dir).",
    no_args_is_help=True,
)
app.add_typer(feedback_app, name="feedback")


def _feedback_store() -> Any:
    from careerbot.feedback import FeedbackStore

    settings = _settings()
    return FeedbackStore.from_settings(settings)


@feedback_app.command("export")
def feedback_export(
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="File to write (default: stdout).")
    ] = None,
) -> None:
    """Write all stored feedback as JSON Lines (question, answer, sources, rating, time)."""
    lines = [json.dumps(row.to_dict(), ensure_ascii=False) for row in _feedback_store().rows()]
    text = "\n".join(lines) + ("\n" if lines else "")
    if output:
        output.write_text(text, encoding="utf-8")
        typer.echo(f"{len(lines)} feedback rows -> {output}", err=True)
    else:
        typer.echo(text, nl=False)


@feedback_app.command("purge")
def feedback_purge(
    everything: Annotated[
        bool, typer.Option("--all", help="Delete all feedback, not only expired rows.")
    ] = False,
) -> None:
    """Delete feedback older than CAREERBOT_FEEDBACK_RETENTION_DAYS (or all of it), then compact."""
    store = _feedback_store()
    typer.echo(f"deleted {store.purge(everything)} feedback rows from {store.where}", err=True)


@app.command()
def gaps(
    as_json: Annotated[
        bool, typer.Option("--json", help="Print one JSON array of {occupation, count}.")
    ] = False,
) -> None:
    """Occupations people asked about that have no profile, most asked first (what to write next)."""
    found = _feedback_store().gaps()
    if as_json:
        typer.echo(json.dumps([{"occupation": o, "count": n} for o, n in found], ensure_ascii=False))
        return
    if not found:
        typer.echo("no questions about missing occupations recorded yet", err=True)
        return
    width = max(len(o) for o, _ in found)
    for occupation, count in found:
        typer.echo(f"{count:>6}  {occupation:<{width}}".rstrip())


def _undecodable_argument(argv: list[str]) -> str | None:
    """An error message when an argument is not valid UTF-8 (Python keeps such bytes as lone surrogates)."""
    for position, arg in enumerate(argv, start=1):
        if any("\udc80" <= ch <= "\udcff" for ch in arg):
            return (
                f"argument {position} is not valid UTF-8 text; check your terminal's encoding and retype it"
            )
    return None


def main() -> None:
    """Console entry point: expected errors become one clear line, never a traceback."""
    problem = _undecodable_argument(sys.argv[1:])
    if problem:
        if "--json" in sys.argv[1:]:
            typer.echo(json.dumps({"error": problem, "status": "invalid_input"}))
        typer.echo(f"error: {problem}", err=True)
        sys.exit(2)  # a usage error, like any other malformed argument
    try:
        app()
    except CareerbotError as exc:
        typer.echo(f"error: {exc}", err=True)
        sys.exit(1)
    except Exception as exc:
        if os.environ.get("CAREERBOT_DEBUG"):
            raise
        typer.echo(
            f"unexpected error: {type(exc).__name__}: {exc} (set CAREERBOT_DEBUG=1 for the traceback)",
            err=True,
        )
        sys.exit(2)


if __name__ == "__main__":
    main()
