"""Section-aware chunks: never across sections; long sections split at item boundaries."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass

from careerbot.corpus.schema import UNINDEXED_SECTIONS, Item, Profile, Section

MAX_CHUNK_WORDS = 180


@dataclass(frozen=True)
class Chunk:
    """A piece of one section of one profile, ready to embed."""

    id: str
    career: str
    title: str
    cluster: str
    section: str
    text: str  # the profile's own words, bullets as "• " lines

    @property
    def embed_text(self) -> str:
        """What is embedded and indexed: a header naming career and section, then the text."""
        return f"Career: {self.title} | Section: {self.section}\n{self.text}"

    @property
    def content_hash(self) -> str:
        """Changes whenever anything that is embedded or stored changes."""
        return hashlib.sha256(f"{self.embed_text}\x00{self.cluster}".encode()).hexdigest()[:16]

    def metadata(self) -> dict[str, str]:
        """Metadata stored beside the vector."""
        return {
            "career": self.career,
            "title": self.title,
            "cluster": self.cluster,
            "section": self.section,
            "hash": self.content_hash,
        }


def section_key(name: str) -> str:
    """'How to land your 1st job' -> 'how-to-land-your-1st-job'."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def _word_count(item: Item) -> int:
    return len(item.text.split())


def _split_items(items: tuple[Item, ...], max_words: int) -> list[list[Item]]:
    """Group consecutive items into parts of at most ~max_words (an item is never cut)."""
    parts: list[list[Item]] = [[]]
    words = 0
    for item in items:
        count = _word_count(item)
        if parts[-1] and words + count > max_words:
            parts.append([])
            words = 0
        parts[-1].append(item)
        words += count
    return parts


def chunk_section(profile: Profile, section: Section, max_words: int = MAX_CHUNK_WORDS) -> list[Chunk]:
    """Chunks of one section; empty and unindexed sections give none."""
    if section.is_empty or section.name in UNINDEXED_SECTIONS:
        return []
    chunks = []
    for n, part in enumerate(_split_items(section.items, max_words)):
        text = Section(section.name, section.line, tuple(part)).render()
        chunks.append(
            Chunk(
                id=f"{profile.slug}#{section_key(section.name)}#{n}",
                career=profile.slug,
                title=profile.title,
                cluster=profile.cluster,
                section=section.name,
                text=text,
            )
        )
    return chunks


def chunk_profiles(profiles: Iterable[Profile], max_words: int = MAX_CHUNK_WORDS) -> list[Chunk]:
    """All chunks of all profiles, in profile then section order."""
    return [c for p in profiles for s in p.sections for c in chunk_section(p, s, max_words)]


def corpus_fingerprint(chunks: Iterable[Chunk]) -> str:
    """One hash of every chunk id and content: equal fingerprints mean an up-to-date index."""
    digest = hashlib.sha256()
    for chunk in sorted(chunks, key=lambda c: c.id):
        digest.update(f"{chunk.id}={chunk.content_hash};".encode())
    return digest.hexdigest()[:24]
