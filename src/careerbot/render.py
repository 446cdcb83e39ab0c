"""Answers as text: the one Markdown rendering of an Answer's parts, the terminal view, safe chat markdown."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from careerbot.schema import Answer, ComparisonRow, Point, RelatedCareer, Source

_BOLD = re.compile(r"\*\*(.+?)\*\*")
_LINK = re.compile(r"\]\(")
_SCHEME = re.compile(r"(?i)\b(javascript|vbscript|data)\s*:")
EXCERPT_CHARS = 240
FOLLOW_UPS_HEADING = "You could also ask:"
RELATED_HEADINGS = {
    "discovery": "Careers that may fit:",
    "no_profile": "Related careers I do have profiles for:",
}
RELATED_HEADING = "Related careers you can ask me about:"


def _cite(point: Point) -> str:
    return f"{point.text} [{point.source}]"


def _points_markdown(points: Sequence[Point]) -> str:
    """Sentences run on as a paragraph, bullets as a list; each point keeps its citation."""
    blocks: list[str] = []
    paragraph: list[str] = []
    bullets: list[str] = []
    for point in points:
        if point.bullet:
            if paragraph:
                blocks.append(" ".join(paragraph))
                paragraph = []
            bullets.append(f"- {_cite(point)}")
        else:
            if bullets:
                blocks.append("\n".join(bullets))
                bullets = []
            paragraph.append(_cite(point))
    if paragraph:
        blocks.append(" ".join(paragraph))
    if bullets:
        blocks.append("\n".join(bullets))
    return "\n\n".join(blocks)


def _cell(points: Sequence[Point]) -> str:
    return " ".join(_cite(p) for p in points).replace("|", "\\|") or "-"


def comparison_markdown(aspect: str, rows: Sequence[ComparisonRow]) -> str:
    """A side-by-side table: one column per career, the aspect compared as its caption."""
    titles = " vs ".join(r.title for r in rows)
    lines = [f"**{titles}: {aspect}**" if aspect else f"**{titles}**", ""]
    lines.append("| " + " | ".join(r.title for r in rows) + " |")
    lines.append("|" + "---|" * len(rows))
    depth = max((len(r.points) for r in rows), default=0)
    for i in range(depth):
        lines.append("| " + " | ".join(_cell(r.points[i : i + 1]) for r in rows) + " |")
    return "\n".join(lines)


def _related_line(career: RelatedCareer) -> str:
    line = f"- **{career.title}**"
    if career.reason:
        line += f": {career.reason}" + (f" [{career.source}]" if career.source else "")
    return line


def related_markdown(kind: str, related: Sequence[RelatedCareer]) -> str:
    """The related careers under a heading that says they are related, not what was asked."""
    heading = RELATED_HEADINGS.get(kind, RELATED_HEADING)
    return "\n".join([heading, *(_related_line(r) for r in related)])


def answer_text(answer: Answer) -> str:
    """The Markdown a user sees by default: intro, lead, points, comparison, related, follow-ups, notes."""
    parts = [answer.intro.strip()]
    parts.append(_points_markdown(answer.lead))
    parts.append(_points_markdown(answer.points))
    if answer.comparison:
        parts.append(comparison_markdown(answer.comparison_aspect, answer.comparison))
    if answer.related:
        parts.append(related_markdown(answer.kind, answer.related))
    if answer.follow_ups:
        parts.append("\n".join([f"**{FOLLOW_UPS_HEADING}**", *(f"- {q}" for q in answer.follow_ups)]))
    parts += [f"_{note}_" for note in answer.notes]
    return "\n\n".join(p for p in parts if p)


def compose(**parts: Any) -> Answer:
    """An Answer built from its parts, ``text`` rendered by `answer_text` (pass ``status``; no ``text``)."""
    answer = Answer(text="", **parts)
    return replace(answer, text=answer_text(answer))


def rerender(answer: Answer, **changes: Any) -> Answer:
    """The answer with some parts changed and its text rendered again.

    An answer made from a fixed text (no parts) keeps that text as its intro.
    """
    structured = answer.intro or answer.quoted or answer.related or answer.follow_ups
    base = answer if structured else replace(answer, intro=answer.text)
    changed = replace(base, **changes)
    return replace(changed, text=answer_text(changed))


# -- terminal ------------------------------------------------------------------------------------


def plain_answer(answer: Answer, full: bool = False) -> str:
    """The answer text without Markdown emphasis, ``more`` when ``full``, then its cited sources."""
    text = answer.text
    if full and answer.more:
        text += "\n\nMore from the profile:\n\n" + answer.more
    text = _BOLD.sub(r"\1", text)
    cited = [(i, s) for i, s in enumerate(answer.sources, start=1) if s.cited]
    if cited:
        text += "\n\nSources:\n" + "\n".join(f"  [{i}] {s.title}: {s.section}" for i, s in cited)
    return text


# -- chat page -----------------------------------------------------------------------------------


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
    """Cited sources, each with an excerpt, safe to render."""
    cited = [(i, s) for i, s in enumerate(sources, 1) if s.cited]
    lines = [f"**[{i}] {s.title}: {s.section}**  \n{excerpt(s.text)}" for i, s in cited]
    return safe_markdown("\n\n".join(lines))


def answer_markdown(answer: Answer) -> str:
    """The answer text, safe to render."""
    return safe_markdown(answer.text)


def more_markdown(answer: Answer) -> str:
    """The "more from the profile" part, safe to render ("" when there is none)."""
    return safe_markdown(answer.more)
