"""A real uvicorn server running the shipped app with the shipped edge settings, for HTTP tests.

`python edge_server.py CORPUS DATA PORT [--real]` serves `create_app` exactly as `careerbot serve` does
(`uvicorn.run(app, **uvicorn_options(settings))`), with lexical fake embeddings unless `--real`.
Other settings come from CAREERBOT_* variables. `start_edge_server` runs it as a subprocess.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx


def serve(corpus: Path, data: Path, port: int, real: bool) -> None:
    """Build the service and serve it until killed."""
    import uvicorn

    from careerbot.embeddings import LexicalFakeEmbeddings, build_embeddings
    from careerbot.offline import apply_offline_env
    from careerbot.service import build_service
    from careerbot.settings import make_settings
    from careerbot.web.app import create_app

    apply_offline_env()
    settings = make_settings(corpus_dir=corpus, data_dir=data, port=port, host="127.0.0.1")
    embeddings = build_embeddings() if real else LexicalFakeEmbeddings()
    service = build_service(settings, embeddings=embeddings, progress=False)
    if real:
        import torch

        torch.set_num_threads(1)  # as web/server.py does
    try:
        from careerbot.web.transport import uvicorn_options
    except ImportError:  # the code before issue 10, to show that these tests fail there (see the note)
        options = {"host": settings.host, "port": settings.port, "log_level": "warning"}
    else:
        options = uvicorn_options(settings)
    uvicorn.run(create_app(service), **options)


def rss_kb(pid: int) -> tuple[int, int]:
    """(current, peak) resident memory of a process in KiB, from /proc."""
    fields = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines())
    return int(fields["VmRSS"].split()[0]), int(fields["VmHWM"].split()[0])


def start_edge_server(
    corpus: Path, data: Path, port: int, env: dict[str, str], real: bool = False, timeout: float = 180.0
) -> subprocess.Popen[bytes]:
    """Start the server in a subprocess (stderr to DATA/server.log) and wait until /healthz answers."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("CAREERBOT_")}
    args = [sys.executable, __file__, str(corpus), str(data), str(port), *(["--real"] if real else [])]
    data.mkdir(parents=True, exist_ok=True)
    with (data / "server.log").open("wb") as log:  # a file, not a pipe: a full pipe would block the server
        proc = subprocess.Popen(args, env={**clean, **env}, stdout=subprocess.DEVNULL, stderr=log)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"edge server exited: {server_log(data)[-2000:]}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                return proc
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    proc.kill()
    raise TimeoutError("edge server did not start")


def server_log(data: Path) -> str:
    """What the server wrote to stderr so far."""
    return (data / "server.log").read_text(errors="replace")


def stop(proc: subprocess.Popen[bytes]) -> None:
    """Stop the server."""
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@dataclass
class Server:
    """A running edge server."""

    url: str
    port: int
    pid: int
    root: Path


def running_server(root: Path, port: int, corpus: Path, env: dict[str, str]) -> Iterator[Server]:
    """Fixture body: a server for the test module; afterwards it must be alive with no traceback logged."""
    env = {**env, "GRADIO_TEMP_DIR": str(root / "gradio-tmp")}
    proc = start_edge_server(corpus, root / "data", port, env)
    yield Server(f"http://127.0.0.1:{port}", port, proc.pid, root)
    alive = proc.poll() is None
    stop(proc)
    log = server_log(root / "data")
    assert alive, "the server died"
    assert "Traceback" not in log, log[-3000:]


if __name__ == "__main__":
    serve(Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3]), "--real" in sys.argv[4:])
