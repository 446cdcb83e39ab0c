"""`careerbot serve` answers the API before the chat page has loaded, then serves the page.

Importing Gradio costs about 4 s of CPU, so the page is built in the background once the server runs;
until then `/` is a small page that reloads itself (503 with Retry-After).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from careerbot.service import ChatService
from conftest import CORPUS, free_port


def _copy_of_the_built_index(service: ChatService, into: Path) -> Path:
    """The real service's data dir with its ONNX export: the server starts with nothing to build."""
    data = into / "data"
    shutil.copytree(service.settings.data_dir, data)
    shutil.copytree(Path(service.retriever.embeddings.cache_dir) / "onnx", data / "onnx", dirs_exist_ok=True)
    return data


@pytest.mark.slow
def test_the_api_answers_while_the_page_loads_then_the_page_is_served(
    real_service: ChatService, tmp_path: Path
) -> None:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("CAREERBOT_")}
    env |= {
        "CAREERBOT_DATA_DIR": str(_copy_of_the_built_index(real_service, tmp_path)),
        "CAREERBOT_CORPUS_DIR": str(CORPUS),
        "GRADIO_TEMP_DIR": str(tmp_path / "gradio-tmp"),
    }
    log = (tmp_path / "server.log").open("wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "careerbot.cli", "serve", "--port", str(port)], env=env, stderr=log
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180
        health = None
        while health is None and time.monotonic() < deadline:
            assert proc.poll() is None, (tmp_path / "server.log").read_text()[-3000:]
            try:
                health = httpx.get(f"{url}/healthz", timeout=2).json()
            except httpx.HTTPError:
                time.sleep(0.05)
        assert health is not None, "the server did not start"

        # the first moment the server answers, the page is still loading, and chat already works
        assert health["page"] == "loading", health
        reply = httpx.post(f"{url}/api/chat", json={"message": "How do I become a welder?"}, timeout=30)
        assert reply.status_code == 200 and reply.json()["status"] == "answered"
        starting = httpx.get(url + "/", timeout=5)
        if starting.status_code == 503:  # (on a very fast machine the page may already be there)
            assert starting.headers["retry-after"] == "2"
            assert "reloads by itself" in starting.text

        while httpx.get(f"{url}/healthz", timeout=5).json()["page"] != "ready":
            assert time.monotonic() < deadline, "the page never became ready"
            assert proc.poll() is None, (tmp_path / "server.log").read_text()[-3000:]
            time.sleep(0.2)
        page = httpx.get(url + "/", timeout=10)
        assert page.status_code == 200 and "gradio" in page.text.lower()
        config = httpx.get(url + "/config", timeout=10)
        assert config.status_code == 200 and "components" in config.json()
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        log.close()
    assert "Traceback" not in (tmp_path / "server.log").read_text()
