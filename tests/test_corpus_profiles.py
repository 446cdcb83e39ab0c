"""The 65-career corpus: every profile complete, in the user's format, linked by Plan B."""

from __future__ import annotations

import re

import pytest

from careerbot.corpus import KNOWN_SECTIONS, load_corpus
from conftest import CORPUS

SLUGS = [
    "social-media-specialist",
    "software-developer",
    "data-scientist",
    "cybersecurity-analyst",
    "ux-designer",
    "web-developer",
    "it-support-specialist",
    "game-developer",
    "graphic-designer",
    "photographer",
    "video-editor",
    "journalist",
    "writer",
    "musician",
    "animator",
    "fashion-designer",
    "interior-designer",
    "architect",
    "accountant",
    "financial-analyst",
    "marketing-manager",
    "public-relations-specialist",
    "human-resources-specialist",
    "sales-representative",
    "entrepreneur",
    "project-manager",
    "real-estate-agent",
    "registered-nurse",
    "physician",
    "dentist",
    "dental-hygienist",
    "pharmacist",
    "physical-therapist",
    "occupational-therapist",
    "medical-assistant",
    "paramedic",
    "veterinarian",
    "psychologist",
    "dietitian",
    "radiologic-technologist",
    "teacher",
    "school-counselor",
    "social-worker",
    "librarian",
    "civil-engineer",
    "mechanical-engineer",
    "electrical-engineer",
    "environmental-scientist",
    "biomedical-engineer",
    "chemist",
    "electrician",
    "plumber",
    "carpenter",
    "hvac-technician",
    "automotive-technician",
    "welder",
    "chef",
    "pilot",
    "lawyer",
    "paralegal",
    "police-officer",
    "firefighter",
    "event-planner",
    "personal-trainer",
    "cosmetologist",
]

REQUIRED = [s for s in KNOWN_SECTIONS if s not in ("Jobs by", "Online Courses and Tools")]
CLUSTERS = {
    "Technology", "Arts, media and design", "Business and finance", "Health care",
    "Education and social services", "Engineering and science", "Skilled trades",
    "Law and public safety", "Hospitality and personal services", "Transportation",
}  # fmt: skip
SEED = "social-media-specialist"
LOADED = load_corpus(CORPUS)
PROFILES = LOADED.by_slug()


def test_exactly_the_65_careers_and_no_broken_file() -> None:
    assert LOADED.errors == ()
    assert sorted(PROFILES) == sorted(SLUGS)
    assert len(SLUGS) == len(set(SLUGS)) == 65
    assert len({p.title.lower() for p in LOADED.profiles}) == 65


@pytest.mark.parametrize("slug", [s for s in SLUGS if s != SEED])
def test_profile_is_complete_in_the_seed_format(slug: str) -> None:
    profile = PROFILES[slug]
    names = [s.name for s in profile.sections]
    assert [n for n in names if n in REQUIRED] == REQUIRED, "headings missing or out of order"
    for name in REQUIRED:
        section = profile.section(name)
        assert section is not None and not section.is_empty, f"{name} is empty"
    assert profile.title and profile.title[0].isupper()
    assert profile.cluster in CLUSTERS
    assert 5 <= len(profile.similar_titles) <= 12
    assert "Bureau of Labor Statistics" in profile.source and re.search(r"\b20\d\d\b", profile.source)
    words = sum(len(i.text.split()) for s in profile.sections for i in s.items)
    assert 450 <= words <= 950, words
    bulleted = ("Day in the Life", "Skills Needed", "How to land your 1st job", "Plan B")
    for name in bulleted:
        section = profile.section(name)
        assert section is not None and all(i.kind == "bullet" for i in section.items), name


@pytest.mark.parametrize("slug", [s for s in SLUGS if s != SEED])
def test_plan_b_links_to_other_corpus_careers(slug: str) -> None:
    profile = PROFILES[slug]
    assert 2 <= len(profile.plan_b) <= 4
    assert profile.related, f"no Plan B entry of {slug} names a corpus career: {profile.plan_b}"
    assert slug not in profile.related


def test_pay_figures_say_they_are_us_figures_with_a_year() -> None:
    for profile in LOADED.profiles:
        for section in profile.sections:
            for item in section.items:
                for sentence in item.text.split(". "):
                    if "$" in sentence and ("median" in sentence or "a year" in sentence):
                        assert "US" in sentence or "U.S." in sentence, (profile.slug, sentence)
                        assert "20" in sentence, (profile.slug, sentence)


@pytest.mark.parametrize("slug", [s for s in SLUGS if s != SEED])
def test_inside_scoop_gives_a_us_median_pay_with_its_year_and_source(slug: str) -> None:
    # The seed is the user's file and stays as written; every other profile carries pay in
    # The Inside Scoop, as "In the US, the median pay for X was about $N a year in May 2023 (BLS)".
    section = PROFILES[slug].section("The Inside Scoop")
    assert section is not None
    found = [
        sentence
        for item in section.items
        if "Bureau of Labor Statistics" in item.text
        for sentence in re.split(r"(?<=[.;])\s+", item.text)
        if re.search(r"\$\d", sentence) and "median" in sentence
    ]
    assert found, f"{slug}: no median pay figure next to a named source"
    assert all(re.search(r"\b(May )?20\d\d\b", s) and "US" in s for s in found), found
