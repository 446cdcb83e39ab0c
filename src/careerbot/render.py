"""Answers as plain text for the terminal."""

from __future__ import annotations

import re

from careerbot.schema import Answer

_BOLD = re.compile(r"\*\*(.+?)\*\*")


def plain_answer(answer: Answer) -> str:
    """The answer text without markdown emphasis, then its cited sources."""
    text = _BOLD.sub(r"\1", answer.text)
    cited = [(i, s) for i, s in enumerate(answer.sources, start=1) if s.cited]
    if cited:
        text += "\n\nSources:\n" + "\n".join(f"  [{i}] {s.title}: {s.section}" for i, s in cited)
    return text
