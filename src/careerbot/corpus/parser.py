"""Parse the seed profile format (headings on their own lines, "•" bullets) into a Profile."""

from __future__ import annotations

import re
from pathlib import Path

from careerbot.corpus.schema import DEFAULT_CLUSTER, KNOWN_SECTIONS, Item, Profile, Section
from careerbot.errors import CorpusError

_BULLET = re.compile(r"^\s*[•\-\*·▪◦‣]\s+")
_FRONT_MATTER_KEYS = frozenset({"title", "cluster"})


def _heading_key(text: str) -> str:
    return re.sub(r"\s+", " ", text.strip().rstrip(":").strip()).lower()


_HEADINGS: dict[str, str] = {_heading_key(name): name for name in KNOWN_SECTIONS}


def title_from_slug(slug: str) -> str:
    """'social-media-specialist' -> 'Social media specialist'."""
    words = slug.replace("_", "-").split("-")
    return " ".join(words).capitalize()


def _decode(data: bytes, path: Path) -> str:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise CorpusError(path, line, "is not UTF-8 text; save the file as UTF-8") from None
    return text.removeprefix("\ufeff")


def _front_matter(lines: list[str], path: Path) -> tuple[dict[str, str], int]:
    """Read an optional leading '---' block; returns the fields and the first body line index."""
    if not lines or lines[0].strip() != "---":
        return {}, 0
    fields: dict[str, str] = {}
    for index in range(1, len(lines)):
        line = lines[index].strip()
        if line == "---":
            return fields, index + 1
        if not line:
            continue
        key, sep, value = line.partition(":")
        key = key.strip().lower()
        if not sep or key not in _FRONT_MATTER_KEYS:
            raise CorpusError(
                path, index + 1, f"front matter line {line!r} is not 'title: ...' or 'cluster: ...'"
            )
        fields[key] = value.strip()
    raise CorpusError(path, 1, "front matter opened with '---' is never closed with '---'")


def _match_heading(line: str) -> tuple[str, str] | None:
    """(canonical heading, inline body) when the line is a heading, else None."""
    key = _heading_key(line)
    if key in _HEADINGS:
        return _HEADINGS[key], ""
    if key.startswith("source:") or key == "source":
        return "Source", line.strip()[len("source") :].lstrip(": ").strip()
    return None


def parse_profile_text(text: str, slug: str, path: Path | None = None) -> Profile:
    """Parse profile text; errors carry the file name and line number."""
    where = path or Path(f"{slug}.txt")
    lines = text.splitlines()
    fields, start = _front_matter(lines, where)

    sections: list[tuple[str, int, list[Item]]] = []
    paragraph: list[str] = []

    def flush_paragraph() -> None:
        if paragraph and sections:
            sections[-1][2].append(Item("paragraph", " ".join(paragraph)))
        paragraph.clear()

    for index in range(start, len(lines)):
        raw = lines[index]
        line_no = index + 1
        heading = _match_heading(raw)
        if heading is not None:
            flush_paragraph()
            name, inline = heading
            if any(existing == name for existing, _, _ in sections):
                raise CorpusError(where, line_no, f"section {name!r} appears twice")
            sections.append((name, line_no, [Item("paragraph", inline)] if inline else []))
            continue
        stripped = raw.strip()
        if not stripped:
            flush_paragraph()
            continue
        if not sections:
            raise CorpusError(
                where,
                line_no,
                f"text before the first section heading: {stripped[:60]!r} "
                "(a profile starts with a heading such as 'Similar Titles')",
            )
        if _BULLET.match(raw):
            flush_paragraph()
            sections[-1][2].append(Item("bullet", _BULLET.sub("", raw).strip()))
        else:
            paragraph.append(stripped)
    flush_paragraph()

    if not sections:
        problem = "is empty" if not text.strip() else "has no known section heading"
        raise CorpusError(where, 1, f"{problem} (expected headings such as 'Job Description')")

    parsed = tuple(Section(name, line, tuple(items)) for name, line, items in sections)
    similar = next((s for s in parsed if s.name == "Similar Titles"), None)
    similar_titles = (
        tuple(t.strip() for i in similar.items for t in i.text.split(",") if t.strip()) if similar else ()
    )
    source = next((s.render() for s in parsed if s.name == "Source"), "")
    return Profile(
        slug=slug,
        title=fields.get("title") or title_from_slug(slug),
        cluster=fields.get("cluster") or DEFAULT_CLUSTER,
        similar_titles=similar_titles,
        sections=parsed,
        source=source,
    )


def parse_profile(path: Path) -> Profile:
    """Parse one profile file; the slug is the file name without extension."""
    return parse_profile_text(_decode(path.read_bytes(), path), path.stem, path)
