"""Evaluation datasets: JSON Lines of cases; unknown fields are ignored."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from careerbot.errors import CareerbotError
from careerbot.schema import STATUSES, Status


@dataclass(frozen=True)
class Case:
    """One question (the last turn) in its conversation, with what a good answer shows."""

    id: str
    turns: tuple[str, ...]
    part: str = "default"
    expected_careers: tuple[str, ...] = ()
    section: str | None = None
    must_include: tuple[str, ...] = ()
    expect: Status | None = None
    occupation: str = ""  # part "no_profile": the occupation the reply must name

    @property
    def question(self) -> str:
        """The evaluated message."""
        return self.turns[-1] if self.turns else ""


@dataclass(frozen=True)
class Dataset:
    """Cases plus thresholds the dataset itself sets (a line {"thresholds": {...}}).

    A threshold is a minimum, except for metrics where lower is better (`LOWER_IS_BETTER` in the
    runner: words_p50 and latencies), where it is a maximum.
    """

    name: str
    cases: tuple[Case, ...]
    thresholds: dict[str, float] = field(default_factory=dict)


def _case(raw: dict[str, Any], where: str) -> Case:
    turns = raw.get("turns")
    if turns is None and "question" in raw:
        turns = [raw["question"]]
    if not isinstance(turns, list) or not all(isinstance(t, str) for t in turns):
        raise CareerbotError(f"{where}: 'turns' must be a list of strings")
    expect = raw.get("expect")
    if expect is not None and expect not in STATUSES:
        raise CareerbotError(f"{where}: 'expect' must be one of {', '.join(STATUSES)}, not {expect!r}")
    return Case(
        id=str(raw.get("id") or where),
        turns=tuple(turns),
        part=str(raw.get("part") or "default"),
        expected_careers=tuple(raw.get("expected_careers") or ()),
        section=raw.get("section"),
        must_include=tuple(raw.get("must_include") or ()),
        expect=expect,
        occupation=str(raw.get("occupation") or ""),
    )


def load_dataset(path: Path) -> Dataset:
    """Read a JSONL dataset; a bad line is an error naming the file and line."""
    if not path.is_file():
        raise CareerbotError(f"dataset {path} does not exist")
    cases: list[Case] = []
    thresholds: dict[str, float] = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{path.name}:{number}"
        try:
            raw = json.loads(line)
        except json.JSONDecodeError as exc:
            raise CareerbotError(f"{where}: not valid JSON ({exc.msg})") from None
        if not isinstance(raw, dict):
            raise CareerbotError(f"{where}: each line must be a JSON object")
        if "thresholds" in raw and "turns" not in raw:
            thresholds.update({str(k): float(v) for k, v in raw["thresholds"].items()})
            continue
        cases.append(_case(raw, where))
    return Dataset(path.stem, tuple(cases), thresholds)
