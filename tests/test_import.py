"""Importing careerbot builds no model, opens no store and reads no environment."""

from __future__ import annotations

import subprocess
import sys


def test_import_is_light_and_side_effect_free(tmp_path) -> None:  # type: ignore[no-untyped-def]
    code = (
        "import os, sys\n"
        "class Spy(dict):\n"
        "    reads = []\n"
        "    def get(self, k, d=None):\n"
        "        Spy.reads.append(k); return super().get(k, d)\n"
        "    def __getitem__(self, k):\n"
        "        Spy.reads.append(k); return super().__getitem__(k)\n"
        "import careerbot, careerbot.cli, careerbot.settings, careerbot.service\n"
        "heavy = [m for m in ('torch', 'chromadb', 'sentence_transformers', 'gradio') if m in sys.modules]\n"
        "print(heavy, os.listdir('.'))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[] []"
