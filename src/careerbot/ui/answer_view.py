"""The structured Answer as safe HTML for the chat page: lead first, folded extras, numbered sources.

Every piece of text is escaped here; the only markup is the fixed set of tags this module writes.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import Any

# "[3]" citation markers; bounded digits, so matching is linear in the text.
_CITE = re.compile(r"\[(\d{1,3})\]")
_BOLD = re.compile(r"\*\*([^*\n]{1,300})\*\*")
_BULLETS = ("• ", "- ", "* ")


@dataclass(frozen=True)
class ViewPoint:
    """One quoted sentence or bullet and the 1-based source it cites (0 = none)."""

    text: str
    source: int = 0
    bullet: bool = False


@dataclass(frozen=True)
class ViewRow:
    """One career of a comparison."""

    title: str
    points: tuple[ViewPoint, ...]


@dataclass(frozen=True)
class ViewRelated:
    """A related career offered with a reason."""

    title: str
    reason: str
    source: int = 0


@dataclass(frozen=True)
class ViewSource:
    """A retrieved source as the page shows it."""

    title: str
    section: str
    text: str
    cited: bool


@dataclass(frozen=True)
class AnswerView:
    """Everything the page renders from one Answer, read in one place."""

    text: str
    status: str
    kind: str
    intro: str
    lead: tuple[ViewPoint, ...]
    points: tuple[ViewPoint, ...]
    comparison_aspect: str
    comparison: tuple[ViewRow, ...]
    related: tuple[ViewRelated, ...]
    follow_ups: tuple[str, ...]
    more: str
    sources: tuple[ViewSource, ...]
    notes: tuple[str, ...] = ()  # said with the answer: a language model wrote it, the store was down

    @property
    def structured(self) -> bool:
        """True when the answer carries its parts (schema 1), not only its text."""
        return bool(self.lead or self.comparison or self.related)


def _points(items: Any) -> tuple[ViewPoint, ...]:
    return tuple(
        ViewPoint(
            str(getattr(p, "text", "")), int(getattr(p, "source", 0) or 0), bool(getattr(p, "bullet", False))
        )
        for p in items or ()
    )


def view_of(answer: Any) -> AnswerView:
    """The one adapter from an Answer (with or without the structured fields) to what the page shows."""
    rows = tuple(
        ViewRow(str(getattr(r, "title", "")), _points(getattr(r, "points", ())))
        for r in getattr(answer, "comparison", ()) or ()
    )
    related = tuple(
        ViewRelated(
            str(getattr(r, "title", "")), str(getattr(r, "reason", "")), int(getattr(r, "source", 0) or 0)
        )
        for r in getattr(answer, "related", ()) or ()
    )
    sources = tuple(
        ViewSource(
            str(s.title), str(s.section), str(getattr(s, "text", "")), bool(getattr(s, "cited", False))
        )
        for s in getattr(answer, "sources", ()) or ()
    )
    return AnswerView(
        text=str(getattr(answer, "text", "")),
        status=str(getattr(answer, "status", "answered")),
        kind=str(getattr(answer, "kind", "answer")),
        intro=str(getattr(answer, "intro", "")),
        lead=_points(getattr(answer, "lead", ())),
        points=_points(getattr(answer, "points", ())),
        comparison_aspect=str(getattr(answer, "comparison_aspect", "")),
        comparison=rows,
        related=related,
        follow_ups=tuple(str(q) for q in getattr(answer, "follow_ups", ()) or ())[:3],
        more=str(getattr(answer, "more", "")),
        sources=sources,
        notes=tuple(str(n) for n in getattr(answer, "notes", ()) or ()),
    )


class Citations:
    """Renumbers cited sources 1, 2, 3... in the order the answer first cites them."""

    def __init__(self, view: AnswerView, answer_id: str) -> None:
        self.view = view
        self.answer_id = answer_id
        self.order: list[int] = []  # original 1-based indexes, in display order

    def number(self, original: int) -> int:
        """The display number of an original source index (0 when it is not a real source)."""
        if not 1 <= original <= len(self.view.sources):
            return 0
        if original not in self.order:
            self.order.append(original)
        return self.order.index(original) + 1

    def link(self, original: int) -> str:
        """A clickable [n] for this source, or nothing."""
        shown = self.number(original)
        if not shown:
            return ""
        target = f"cb-src-{self.answer_id}-{shown}"
        return f'<a class="cb-cite" href="#{target}">[{shown}]</a>'


def _inline(text: str, cites: Citations) -> str:
    """Escaped text with **bold** kept and [n] turned into citation links."""
    out: list[str] = []
    position = 0
    for match in _CITE.finditer(text):
        out.append(_bold(html.escape(text[position : match.start()], quote=False)))
        out.append(cites.link(int(match.group(1))) or html.escape(match.group(0)))
        position = match.end()
    out.append(_bold(html.escape(text[position:], quote=False)))
    return "".join(out)


def _bold(escaped: str) -> str:
    return _BOLD.sub(r"<strong>\1</strong>", escaped)


def text_html(text: str, cites: Citations) -> str:
    """Markdown-ish text (paragraphs, bullet lines, **bold**, [n]) as HTML, no blank lines."""
    parts: list[str] = []
    bullets: list[str] = []
    for raw in text.splitlines():
        line = raw.strip()
        if line.startswith(_BULLETS):
            bullets.append(f"<li>{_inline(line[2:], cites)}</li>")
            continue
        if bullets:
            parts.append("<ul>" + "".join(bullets) + "</ul>")
            bullets = []
        if line.startswith("#"):
            line = line.lstrip("#").strip()
            parts.append(f"<p><strong>{_inline(line, cites)}</strong></p>")
        elif line:
            parts.append(f"<p>{_inline(line, cites)}</p>")
    if bullets:
        parts.append("<ul>" + "".join(bullets) + "</ul>")
    return "".join(parts)


def _points_html(points: tuple[ViewPoint, ...], cites: Citations) -> str:
    out: list[str] = []
    bullets: list[str] = []
    for point in points:
        body = _inline(point.text, cites) + (" " + cites.link(point.source) if point.source else "")
        if point.bullet:
            bullets.append(f"<li>{body}</li>")
            continue
        if bullets:
            out.append("<ul>" + "".join(bullets) + "</ul>")
            bullets = []
        out.append(f"<p>{body}</p>")
    if bullets:
        out.append("<ul>" + "".join(bullets) + "</ul>")
    return "".join(out)


def _comparison_html(view: AnswerView, cites: Citations) -> str:
    aspect = html.escape(view.comparison_aspect or "What the profiles say")
    rows = "".join(
        f'<tr><th scope="row">{html.escape(row.title)}</th><td>{_points_html(row.points, cites)}</td></tr>'
        for row in view.comparison
    )
    return (
        f'<table class="cb-compare"><caption>{aspect}</caption>'
        f'<thead><tr><th scope="col">Career</th><th scope="col">{aspect}</th></tr></thead>'
        f"<tbody>{rows}</tbody></table>"
    )


def _related_html(view: AnswerView, cites: Citations) -> str:
    items = []
    for career in view.related:
        reason = f": {_inline(career.reason, cites)}" if career.reason else ""
        cite = " " + cites.link(career.source) if career.source else ""
        items.append(f"<li><strong>{html.escape(career.title)}</strong>{reason}{cite}</li>")
    return '<ul class="cb-related">' + "".join(items) + "</ul>"


def source_body(text: str) -> str:
    """A source's text with its bullet lines kept as a list."""
    return text_html(text, Citations(_EMPTY, ""))


def _sources_html(view: AnswerView, cites: Citations) -> str:
    if not cites.order:
        return ""
    items = []
    for shown, original in enumerate(cites.order, 1):
        source = view.sources[original - 1]
        target = f"cb-src-{cites.answer_id}-{shown}"
        items.append(
            f'<li id="{target}" tabindex="-1">'
            f"<strong>[{shown}] {html.escape(source.title)}: {html.escape(source.section)}</strong>"
            f"{source_body(source.text)}</li>"
        )
    return (
        f'<details class="cb-sources"><summary>Sources ({len(items)})</summary>'
        f'<ol class="cb-source-list">{"".join(items)}</ol></details>'
    )


def answer_html(answer: Any, answer_id: str) -> str:
    """The whole reply as one HTML block (no blank lines, so Markdown leaves it alone)."""
    view = view_of(answer)
    cites = Citations(view, answer_id)
    body: list[str] = []
    if view.intro and view.structured:
        body.append(f'<p class="cb-intro">{_inline(view.intro, cites)}</p>')
    if view.comparison:
        body.append(_comparison_html(view, cites))
    if view.lead:
        body.append(f'<div class="cb-lead">{_points_html(view.lead, cites)}</div>')
    if view.points:
        body.append(_points_html(view.points, cites))
    if view.related:
        body.append(_related_html(view, cites))
    if not view.structured:
        body.append(text_html(view.text, cites))
    if view.structured:  # an unstructured answer's text already ends with its notes
        body += [f'<p class="cb-note"><em>{html.escape(note)}</em></p>' for note in view.notes]
    if view.more:
        body.append(
            '<details class="cb-more"><summary>More from the profile</summary>'
            f"{text_html(view.more, cites)}</details>"
        )
    body.append(_sources_html(view, cites))
    return f'<div class="cb-answer" id="cb-a-{html.escape(answer_id)}">{"".join(body)}</div>'


def streaming_html(text: str, answer_id: str) -> str:
    """Partial answer text while it streams, escaped."""
    return f'<div class="cb-answer cb-streaming" id="cb-a-{html.escape(answer_id)}">{text_html(text, Citations(_EMPTY, ""))}</div>'


_EMPTY = AnswerView("", "answered", "answer", "", (), (), "", (), (), (), "", ())
