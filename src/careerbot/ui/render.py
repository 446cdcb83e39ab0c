"""Pure functions that turn answers into safe markdown for the chat page."""

from __future__ import annotations

import re

from careerbot.schema import Answer, Source

_LINK = re.compile(r"\]\(")
_SCHEME = re.compile(r"(?i)\b(javascript|vbscript|data)\s*:")
EXCERPT_CHARS = 240


def safe_markdown(text: str) -> str:
    """Markdown with raw HTML escaped, links disarmed and script-like schemes broken.

    Idempotent (the chat page re-renders its whole history on every turn): "&" is left alone, so
    text that was escaped once is not escaped again.
    """
    text = text.replace("<", "&lt;").replace(">", "&gt;")
    text = _LINK.sub("]\u200b(", text)  # "[x](y)" stays text, never a link
    return _SCHEME.sub(lambda m: m.group(1) + "\u200b:", text)


def excerpt(text: str, limit: int = EXCERPT_CHARS) -> str:
    """The start of a source's text, cut at a word boundary."""
    flat = " ".join(text.replace("• ", "").split())
    return flat if len(flat) <= limit else flat[:limit].rsplit(" ", 1)[0] + "…"


def sources_markdown(sources: tuple[Source, ...]) -> str:
    """Cited sources first, then the rest of the retrieved context, each with an excerpt."""
    cited = [(i, s) for i, s in enumerate(sources, 1) if s.cited]
    lines = [f"**[{i}] {s.title}: {s.section}**  \n{excerpt(s.text)}" for i, s in cited]
    return safe_markdown("\n\n".join(lines))


def answer_markdown(answer: Answer) -> str:
    """The answer text, safe to render."""
    return safe_markdown(answer.text)
