"""Chunks follow sections, carry a header naming career and section, and have stable ids."""

from __future__ import annotations

from careerbot.chunking import chunk_profiles, corpus_fingerprint
from careerbot.corpus import load_corpus, parse_profile_text
from conftest import CORPUS


def test_every_chunk_belongs_to_one_section_and_names_it() -> None:
    profiles = load_corpus(CORPUS).profiles
    chunks = chunk_profiles(profiles)
    by_slug = {p.slug: p for p in profiles}
    for chunk in chunks:
        section = by_slug[chunk.career].section(chunk.section)
        assert section is not None
        for line in chunk.text.splitlines():
            assert line.removeprefix("• ") in {i.text for i in section.items}
        assert chunk.embed_text.startswith(f"Career: {chunk.title} | Section: {chunk.section}\n")
        assert chunk.metadata()["career"] == chunk.career


def test_ids_are_deterministic_and_unique() -> None:
    first = chunk_profiles(load_corpus(CORPUS).profiles)
    second = chunk_profiles(load_corpus(CORPUS).profiles)
    assert [c.id for c in first] == [c.id for c in second]
    assert len({c.id for c in first}) == len(first)
    assert "social-media-specialist#day-in-the-life#0" in {c.id for c in first}
    assert corpus_fingerprint(first) == corpus_fingerprint(second)


def test_long_sections_split_at_item_boundaries_only() -> None:
    bullets = "\n".join(f"  • Task number {n} " + "word " * 30 for n in range(12))
    profile = parse_profile_text(f"Day in the Life\n{bullets}\nPlan B\n  • Chef\n", "x")
    chunks = chunk_profiles([profile], max_words=100)
    day = [c for c in chunks if c.section == "Day in the Life"]
    assert len(day) > 1
    assert [c.id for c in day] == [f"x#day-in-the-life#{n}" for n in range(len(day))]
    assert sum(c.text.count("• ") for c in day) == 12
    assert [c.section for c in chunks][-1] == "Plan B"


def test_empty_headings_and_source_give_no_chunks() -> None:
    seed = next(p for p in load_corpus(CORPUS).profiles if p.slug == "social-media-specialist")
    sections = {c.section for c in chunk_profiles([seed])}
    assert not sections & {"The Inside Scoop", "Jobs by", "Source", "Online Courses and Tools"}
