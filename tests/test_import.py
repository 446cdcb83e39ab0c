"""Importing careerbot builds no model, opens no store, writes no file and reads no environment."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

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


def test_import_is_light_and_side_effect_free(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-c", CODE], cwd=tmp_path, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[] [] []"
