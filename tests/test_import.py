"""Importing careerbot loads nothing; each command imports only what it needs (checked in subprocesses)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from conftest import copy_corpus, free_port, wait_http

CODE = """
import os, sys

class Spy(dict):
    reads = []
    def get(self, key, default=None):
        Spy.reads.append(key)
        return super().get(key, default)
    def __getitem__(self, key):
        Spy.reads.append(key)
        return super().__getitem__(key)
    def __contains__(self, key):
        Spy.reads.append(key)
        return super().__contains__(key)

os.environ = Spy(os.environ)
import careerbot, careerbot.cli, careerbot.settings, careerbot.service, careerbot.web.app, careerbot.eval
heavy = [m for m in ("torch", "chromadb", "sentence_transformers", "gradio", "transformers") if m in sys.modules]
ours = sorted({k for k in Spy.reads if k.startswith(("CAREERBOT_", "HF_", "GRADIO_", "ANONYMIZED_"))})
print(heavy, ours, os.listdir("."))
"""

# The language-model packages count too: the default extractive engine must never load them.
HEAVY = (
    "torch", "sentence_transformers", "transformers", "gradio", "langchain_huggingface",
    "langchain_openai", "openai", "xllamacpp",
)  # fmt: skip

# Runs a command in process, then prints which heavy modules it imported (as JSON, last line).
RUN_AND_REPORT = f"""
import json, sys
from careerbot import cli
sys.argv = ["careerbot", *json.loads(sys.argv[1])]
try:
    cli.app(standalone_mode=False)
finally:
    loaded = [m for m in {HEAVY!r} + ("onnxruntime",) if m in sys.modules]
    print(json.dumps(loaded))
"""

API_AND_REPORT = f"""
import json, sys
from careerbot import build_service
svc = build_service()
print(svc.ask("What does a paralegal do?").status)
print(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))
"""


def test_import_is_light_and_side_effect_free(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-c", CODE], cwd=tmp_path, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[] [] []"


@pytest.fixture(scope="module")
def indexed_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """A small corpus indexed with the real model (this ingest exports the ONNX model, importing torch)."""
    root = tmp_path_factory.mktemp("imports")
    env = {k: v for k, v in os.environ.items() if not k.startswith("CAREERBOT_")}
    env.update(CAREERBOT_DATA_DIR=str(root / "data"), CAREERBOT_CORPUS_DIR=str(copy_corpus(root / "corpus")))
    done = subprocess.run(
        [sys.executable, "-m", "careerbot.cli", "ingest"],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    return env


def run_command(env: dict[str, str], *args: str) -> tuple[str, list[str]]:
    done = subprocess.run(
        [sys.executable, "-c", RUN_AND_REPORT, json.dumps(args)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    *output, loaded = done.stdout.strip().splitlines()
    return "\n".join(output), json.loads(loaded)


@pytest.mark.slow
def test_unchanged_ingest_loads_no_model(indexed_env: dict[str, str]) -> None:
    _, loaded = run_command(indexed_env, "ingest")
    assert loaded == []  # not even onnxruntime: nothing needed embedding


@pytest.mark.slow
def test_ask_embeds_its_query_without_torch_or_gradio(indexed_env: dict[str, str]) -> None:
    output, loaded = run_command(indexed_env, "ask", "What does a paralegal do?", "--json")
    assert json.loads(output)["status"] == "answered"
    assert loaded == ["onnxruntime"]


@pytest.mark.slow
def test_python_api_imports_no_torch_or_gradio(indexed_env: dict[str, str]) -> None:
    done = subprocess.run(
        [sys.executable, "-c", API_AND_REPORT], env=indexed_env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    status, loaded = done.stdout.strip().splitlines()[-2:]
    assert status == "answered" and json.loads(loaded) == []


@pytest.mark.slow
def test_changed_corpus_embeds_with_onnx_only(indexed_env: dict[str, str], tmp_path: Path) -> None:
    corpus = Path(indexed_env["CAREERBOT_CORPUS_DIR"])
    env = {**indexed_env, "CAREERBOT_CORPUS_DIR": str(copy_corpus(tmp_path / "corpus"))}
    profile = Path(env["CAREERBOT_CORPUS_DIR"]) / "paralegal.txt"
    text = profile.read_text(encoding="utf-8")
    profile.write_text(text.replace("Legal assistant,", "Legal assistant, legal researcher,", 1))
    _, loaded = run_command(env, "ingest")
    assert loaded == ["onnxruntime"]  # the export is cached in the data dir: torch is not needed again
    assert (corpus / "paralegal.txt").read_text() != profile.read_text()


@pytest.mark.slow
def test_serve_no_page_answers_without_gradio(indexed_env: dict[str, str]) -> None:
    port = free_port()
    code = (  # reports whether gradio was imported by the time the server starts serving
        "import sys, uvicorn\n"
        "from careerbot import cli\n"
        "serve = uvicorn.run\n"
        "def run(*args, **kwargs):\n"
        "    print('gradio' in sys.modules, flush=True)\n"
        "    serve(*args, **kwargs)\n"
        "uvicorn.run = run\n"
        f"sys.argv = ['careerbot', 'serve', '--no-page', '--port', '{port}']\n"
        "cli.main()\n"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", code],
        env=indexed_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_http(f"{base}/healthz", timeout=120, proc=proc)  # type: ignore[arg-type]
        answer = httpx.post(f"{base}/api/chat", json={"message": "What does a paralegal do?"}, timeout=30)
        assert answer.status_code == 200 and answer.json()["status"] == "answered"
        assert httpx.get(f"{base}/healthz").json()["index_loaded"] is True
        assert "shadow" in httpx.get(f"{base}/widget.js").text.lower()
        assert httpx.get(f"{base}/").status_code == 404  # no page without Gradio
    finally:
        proc.terminate()
        out, _ = proc.communicate(timeout=30)
    assert out.strip().splitlines()[0] == "False"
