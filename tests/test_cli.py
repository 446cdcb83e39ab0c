"""The command line: JSON for every status on stdout, logs on stderr, clear errors, no tracebacks."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import copy_corpus

CLI = [sys.executable, "-m", "careerbot.cli"]


@pytest.fixture(scope="module")
def cli_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    root = tmp_path_factory.mktemp("cli")
    env = {k: v for k, v in os.environ.items() if not k.startswith("CAREERBOT_")}
    env.update(CAREERBOT_DATA_DIR=str(root / "data"), CAREERBOT_CORPUS_DIR=str(copy_corpus(root / "corpus")))
    done = subprocess.run([*CLI, "ingest"], env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "7 profiles" in done.stderr and "added" in done.stderr
    return env


def run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CLI, *args], env=env, capture_output=True, text=True, timeout=300)


@pytest.mark.parametrize(
    ("question", "status"),
    [
        ("What does a paralegal do?", "answered"),
        ("How do I become a scuba diver?", "no_info"),
        ("What is the capital of France?", "out_of_scope"),
        ("   ", "invalid_input"),
    ],
)
def test_ask_json_prints_one_object_for_every_status(
    cli_env: dict[str, str], question: str, status: str
) -> None:
    done = run(cli_env, "ask", question, "--json")
    assert done.returncode == 0, done.stderr
    payload = json.loads(done.stdout)  # exactly one JSON document, nothing else on stdout
    assert set(payload) == {
        "schema", "answer", "status", "reason", "kind", "intro", "lead", "points", "comparison",
        "related", "follow_ups", "more", "occupation", "sources", "notes",
    }  # fmt: skip
    assert payload["schema"] == 1
    assert payload["status"] == status
    for source in payload["sources"]:
        assert set(source) == {"career", "title", "section", "score", "cited", "text"}


def test_ask_plain_text_lists_sources(cli_env: dict[str, str]) -> None:
    done = run(cli_env, "ask", "What skills does a software developer need?")
    assert done.returncode == 0
    assert "Sources:" in done.stdout and "Software developer: Skills Needed" in done.stdout
    full = run(cli_env, "ask", "What skills does a software developer need?", "--full")
    assert "More from the profile:" in full.stdout and "More from the profile:" not in done.stdout
    assert len(full.stdout) > len(done.stdout)


def test_reingest_of_unchanged_corpus_embeds_nothing(cli_env: dict[str, str]) -> None:
    done = run(cli_env, "ingest")
    assert "0 added, 0 updated, 0 removed" in done.stderr


def test_missing_corpus_is_one_clear_line(cli_env: dict[str, str], tmp_path: Path) -> None:
    done = run(cli_env, "ask", "hi", "--corpus", str(tmp_path / "nope"))
    assert done.returncode == 1
    assert done.stderr.strip().startswith("error: corpus folder") and "Traceback" not in done.stderr


def test_unreachable_chroma_server_is_one_clear_line(cli_env: dict[str, str]) -> None:
    env = {**cli_env, "CAREERBOT_CHROMA_URL": "http://127.0.0.1:9"}
    done = run(env, "ask", "What does a lawyer do?", "--json")
    assert done.returncode == 1
    assert "does not answer" in done.stderr and "chroma run" in done.stderr
    assert "Traceback" not in done.stderr and done.stdout == ""


@pytest.mark.parametrize("command", ["ingest", "ask", "chat", "serve", "doctor"])
def test_every_command_has_help(command: str) -> None:
    done = subprocess.run([*CLI, command, "--help"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and "Usage" in done.stdout


def test_doctor_reports_index_and_models(cli_env: dict[str, str]) -> None:
    done = run(cli_env, "doctor")
    assert done.returncode == 0, done.stdout
    assert "embedding model:" in done.stdout and "chunks" in done.stdout and "torch" in done.stdout


def test_chat_keeps_the_conversation(cli_env: dict[str, str]) -> None:
    done = subprocess.run(
        [*CLI, "chat"],
        env=cli_env,
        input="Tell me about being an electrician\nwhat about the education?\n\n",
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert "Electrician: Education and Training Needed" in done.stdout.split("you> ")[-2]


def test_a_malformed_profile_is_reported_and_the_rest_still_answers(
    cli_env: dict[str, str], tmp_path: Path
) -> None:
    corpus = Path(cli_env["CAREERBOT_CORPUS_DIR"])
    broken = tmp_path / "corpus"
    broken.mkdir()
    for path in corpus.glob("*.txt"):
        (broken / path.name).write_bytes(path.read_bytes())
    (broken / "astronaut.txt").write_bytes(b"Job Description\n\nFlies to space.\n\xff\xfe\n")
    env = {**cli_env, "CAREERBOT_DATA_DIR": str(tmp_path / "data")}
    done = run(env, "ask", "What does a paralegal do?", "--json", "--corpus", str(broken))
    assert done.returncode == 0
    assert json.loads(done.stdout)["status"] == "answered"
    assert "astronaut.txt:4: is not UTF-8" in done.stderr
    assert "Traceback" not in done.stderr
