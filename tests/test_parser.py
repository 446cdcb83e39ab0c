"""The parser reads the user's seed format as it is, and reports bad files by file and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from careerbot.corpus import KNOWN_SECTIONS, load_corpus, parse_profile
from careerbot.errors import CorpusError
from conftest import CORPUS, SHARED

SEED = CORPUS / "social-media-specialist.txt"


def test_seed_profile_is_the_users_file_byte_for_byte() -> None:
    assert SEED.read_bytes() == (SHARED / "seed" / "social-media-specialist.txt").read_bytes()


def test_seed_headings_are_read_in_order_with_title_from_slug() -> None:
    profile = parse_profile(SEED)
    assert profile.slug == "social-media-specialist"
    assert profile.title == "Social media specialist"
    assert profile.cluster == "General"
    assert [s.name for s in profile.sections] == list(KNOWN_SECTIONS)


def test_seed_bodies_bullets_and_empty_headings() -> None:
    profile = parse_profile(SEED)
    assert profile.similar_titles[:2] == ("Social media coordinator", "social media manager")
    day = profile.section("Day in the Life")
    assert day is not None and len(day.items) == 8
    assert all(item.kind == "bullet" for item in day.items)
    assert day.items[0].text.startswith("Checking posts from the day before")
    for empty in ("The Inside Scoop", "Jobs by", "Online Courses and Tools"):
        section = profile.section(empty)
        assert section is not None and section.is_empty
    assert profile.source == "Interviews, Glassdoor, Bureau of Labor Statistics"
    assert profile.plan_b == ("Public Relations Officer", "Digital Marketer")
    roadmap = profile.section("Typical Roadmap")
    assert roadmap is not None and roadmap.render() == "Social media manager roadmap"


def test_front_matter_sets_title_and_cluster(tmp_path: Path) -> None:
    path = tmp_path / "welder.txt"
    path.write_text("---\ntitle: Welder\ncluster: Skilled trades\n---\nJob Description\n\nJoins metal.\n")
    profile = parse_profile(path)
    assert (profile.title, profile.cluster) == ("Welder", "Skilled trades")
    assert profile.sections[0].items[0].text == "Joins metal."


@pytest.mark.parametrize(
    ("content", "line", "problem"),
    [
        (b"", 1, "is empty"),
        (b"just some notes\nabout nothing\n", 1, "text before the first section heading"),
        (b"Job Description\n\nok\n\xff\xfe broken\n", 4, "not UTF-8"),
        (b"Job Description\nA\nJob Description\nB\n", 3, "appears twice"),
        (b"---\ntitle: X\n", 1, "never closed"),
        (b"---\ntitle: X\nJob Description\n", 3, "front matter line"),
        (b"---\ncolour: red\n---\nJob Description\nA\n", 2, "front matter line"),
        (b"---\ntitle: X\ndegree: phd\n---\nJob Description\nA\n", 3, "degree 'phd' is not one of"),
        (b"---\ndegree:\n---\nJob Description\nA\n", 2, "degree '' is not one of"),
        (b"---\ntraits: hands-on, gardening\n---\nJob Description\nA\n", 2, "trait 'gardening'"),
        (b"---\ntraits: math,,science\n---\nJob Description\nA\n", 2, "trait ''"),
        (b"---\ntraits: math, math\n---\nJob Description\nA\n", 2, "a tag twice"),
        (b"---\ndegree: none\ndegree: bachelor\n---\nJob Description\nA\n", 3, "set twice"),
    ],
)
def test_malformed_file_names_file_and_line(tmp_path: Path, content: bytes, line: int, problem: str) -> None:
    path = tmp_path / "broken.txt"
    path.write_bytes(content)
    with pytest.raises(CorpusError) as caught:
        parse_profile(path)
    assert caught.value.line == line
    assert str(caught.value).startswith(f"broken.txt:{line}:")
    assert problem in str(caught.value)


def test_one_bad_file_does_not_stop_the_others(tmp_path: Path) -> None:
    (tmp_path / "good.txt").write_text("Job Description\n\nFine.\n")
    (tmp_path / "bad.txt").write_bytes(b"\xff\xfe\x00")
    result = load_corpus(tmp_path)
    assert [p.slug for p in result.profiles] == ["good"]
    assert len(result.errors) == 1 and result.errors[0].path.name == "bad.txt"


def test_plan_b_entries_that_are_corpus_careers_become_links() -> None:
    profiles = load_corpus(CORPUS).by_slug()
    lawyer = profiles["lawyer"]
    assert "paralegal" in lawyer.related
    assert all(slug in profiles for slug in lawyer.related)


def test_front_matter_sets_degree_and_traits(tmp_path: Path) -> None:
    path = tmp_path / "welder.txt"
    path.write_text(
        "---\ndegree: certificate\ntraits: hands-on,physical\n---\nJob Description\n\nJoins metal.\n"
    )
    profile = parse_profile(path)
    assert (profile.degree, profile.traits) == ("certificate", ("hands-on", "physical"))
    bare = tmp_path / "bare.txt"
    bare.write_text("Job Description\n\nJoins metal.\n")
    assert (parse_profile(bare).degree, parse_profile(bare).traits) == (None, ())


def test_meta_sidecar_gives_attributes_to_an_unedited_profile(tmp_path: Path) -> None:
    (tmp_path / "seed.txt").write_text("Job Description\n\nPosts things.\n")
    (tmp_path / "seed.meta").write_text(
        "# why: the seed stays byte-identical\n\ndegree: bachelor\ntraits: writing\n"
    )
    result = load_corpus(tmp_path)
    assert result.errors == ()
    [profile] = result.profiles
    assert (profile.slug, profile.degree, profile.traits) == ("seed", "bachelor", ("writing",))


@pytest.mark.parametrize(
    ("meta", "front", "line", "problem"),
    [
        ("degree: bachelor\ntraits: blood, knitting\n", "", 2, "trait 'knitting'"),
        ("---\ndegree: none\n", "", 1, "front matter line '---'"),
        ("degree: none\n", "---\ndegree: bachelor\n---\n", 1, "also set in job.txt at line 2"),
    ],
)
def test_bad_meta_sidecar_names_the_meta_file_and_line(
    tmp_path: Path, meta: str, front: str, line: int, problem: str
) -> None:
    (tmp_path / "job.txt").write_text(front + "Job Description\n\nWork.\n")
    (tmp_path / "job.meta").write_text(meta)
    (tmp_path / "other.txt").write_text("Job Description\n\nFine.\n")
    result = load_corpus(tmp_path)
    assert [p.slug for p in result.profiles] == ["other"]
    [error] = result.errors
    assert str(error).startswith(f"job.meta:{line}:") and problem in str(error)


def test_a_meta_file_is_never_a_profile_and_an_orphan_is_reported(tmp_path: Path) -> None:
    (tmp_path / "good.txt").write_text("Job Description\n\nFine.\n")
    (tmp_path / "god.meta").write_text("degree: none\n")
    result = load_corpus(tmp_path)
    assert [p.slug for p in result.profiles] == ["good"]
    [error] = result.errors
    assert str(error).startswith("god.meta:1:") and "no profile god.txt" in str(error)
