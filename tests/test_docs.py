"""The README stays in step with the code: its settings exist and its commands have --help."""

from __future__ import annotations

import re
import subprocess
import sys

from careerbot.settings import Settings
from conftest import REPO

README = (REPO / "README.md").read_text()


def test_every_documented_setting_exists() -> None:
    documented = set(re.findall(r"CAREERBOT_([A-Z_]+)", README)) - {"DEBUG"}
    fields = {name.upper() for name in Settings.model_fields}
    assert documented, "README documents no setting"
    assert documented <= fields, documented - fields


def test_every_documented_command_runs_with_help() -> None:
    commands = sorted(
        set(re.findall(r"careerbot (ingest|ask|match|chat|serve|doctor|eval|feedback|gaps)\b", README))
    )
    assert len(commands) == 9
    for command in commands:
        done = subprocess.run(
            [sys.executable, "-m", "careerbot.cli", command, "--help"],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 0, (command, done.stderr)
        assert "Usage" in done.stdout


def test_readme_names_the_two_commands_ci_runs() -> None:
    assert "make run" in README and "make test" in README
    assert "make test" in (REPO / ".ci" / "run").read_text()
