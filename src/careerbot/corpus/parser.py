"""Parse the seed profile format (headings on their own lines, "•" bullets) into a Profile."""

from __future__ import annotations

import re
from pathlib import Path

from careerbot.corpus.schema import (
    DEFAULT_CLUSTER,
    DEGREES,
    KNOWN_SECTIONS,
    TRAITS,
    Item,
    Profile,
    Section,
)
from careerbot.errors import CorpusError

_BULLET = re.compile(r"^\s*[•\-\*·▪◦‣]\s+")
_FRONT_MATTER_KEYS = frozenset({"title", "cluster", "degree", "traits"})
_FIELD_FORMS = "'title: ...', 'cluster: ...', 'degree: ...' or 'traits: ...'"

# key -> (value, file, line) where it was set, so a clash can name both places.
MetaFields = dict[str, tuple[str, Path, int]]


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


def _field(line: str, path: Path, line_no: int) -> tuple[str, str]:
    """One checked 'key: value' line of front matter or of a .meta sidecar."""
    key, sep, value = line.partition(":")
    key, value = key.strip().lower(), value.strip()
    if not sep or key not in _FRONT_MATTER_KEYS:
        raise CorpusError(path, line_no, f"front matter line {line!r} is not one of {_FIELD_FORMS}")
    if key == "degree" and value not in DEGREES:
        raise CorpusError(path, line_no, f"degree {value!r} is not one of: {', '.join(DEGREES)}")
    if key == "traits":
        tags = [tag.strip() for tag in value.split(",")]
        for tag in tags:
            if tag not in TRAITS:
                raise CorpusError(
                    path,
                    line_no,
                    f"trait {tag!r} is not one of: {', '.join(TRAITS)} (see careerbot/corpus/schema.py)",
                )
        if len(set(tags)) != len(tags):
            raise CorpusError(path, line_no, f"traits list a tag twice: {value!r}")
    return key, value


def _front_matter(lines: list[str], path: Path) -> tuple[MetaFields, int]:
    """Read an optional leading '---' block; returns the fields and the first body line index."""
    if not lines or lines[0].strip() != "---":
        return {}, 0
    fields: MetaFields = {}
    for index in range(1, len(lines)):
        line = lines[index].strip()
        if line == "---":
            return fields, index + 1
        if line:
            _add(fields, _field(line, path, index + 1), path, index + 1)
    raise CorpusError(path, 1, "front matter opened with '---' is never closed with '---'")


def _add(fields: MetaFields, item: tuple[str, str], path: Path, line_no: int) -> None:
    key, value = item
    if key in fields:
        raise CorpusError(path, line_no, f"{key!r} is set twice (first at line {fields[key][2]})")
    fields[key] = (value, path, line_no)


def parse_meta_text(text: str, path: Path) -> MetaFields:
    """Fields of a '<slug>.meta' sidecar: front-matter lines without '---'; '#' starts a comment line."""
    fields: MetaFields = {}
    for index, raw in enumerate(text.splitlines()):
        line = raw.strip()
        if line and not line.startswith("#"):
            _add(fields, _field(line, path, index + 1), path, index + 1)
    return fields


def _match_heading(line: str) -> tuple[str, str] | None:
    """(canonical heading, inline body) when the line is a heading, else None."""
    key = _heading_key(line)
    if key in _HEADINGS:
        return _HEADINGS[key], ""
    if key.startswith("source:") or key == "source":
        return "Source", line.strip()[len("source") :].lstrip(": ").strip()
    return None


def parse_profile_text(
    text: str, slug: str, path: Path | None = None, meta: MetaFields | None = None
) -> Profile:
    """Parse profile text (plus sidecar fields from ``parse_meta_text``); errors carry file and line."""
    where = path or Path(f"{slug}.txt")
    lines = text.splitlines()
    fields, start = _front_matter(lines, where)
    for key, (value, meta_file, line_no) in (meta or {}).items():
        if key in fields:
            raise CorpusError(
                meta_file, line_no, f"{key!r} is also set in {where.name} at line {fields[key][2]}; keep one"
            )
        fields[key] = (value, meta_file, line_no)

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
    values = {key: value for key, (value, _, _) in fields.items()}
    traits = values.get("traits")
    return Profile(
        slug=slug,
        title=values.get("title") or title_from_slug(slug),
        cluster=values.get("cluster") or DEFAULT_CLUSTER,
        similar_titles=similar_titles,
        sections=parsed,
        source=source,
        degree=values.get("degree"),
        traits=tuple(t.strip() for t in traits.split(",")) if traits else (),
    )


def meta_path(path: Path) -> Path:
    """The sidecar that gives a profile attributes without editing it: '<slug>.meta'."""
    return path.with_suffix(".meta")


def parse_profile(path: Path) -> Profile:
    """Parse one profile file and its '<slug>.meta' sidecar if present; the slug is the file stem."""
    sidecar = meta_path(path)
    meta = parse_meta_text(_decode(sidecar.read_bytes(), sidecar), sidecar) if sidecar.is_file() else None
    return parse_profile_text(_decode(path.read_bytes(), path), path.stem, path, meta)
