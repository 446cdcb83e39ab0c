"""Every profile's degree and traits are set, from the fixed vocabulary, and backed by its own text."""

from __future__ import annotations

import re

import pytest

from careerbot.corpus import load_corpus
from careerbot.corpus.schema import DEGREES, TRAITS, Profile
from conftest import CORPUS

LOADED = load_corpus(CORPUS)
PROFILES = LOADED.by_slug()
SLUGS = sorted(PROFILES)
SEED = "social-media-specialist"

# Words the Education section must use for each degree level. A keyword matches at the start
# of a word ("licens" matches "license" and "licensed").
DEGREE_WORDS: dict[str, tuple[str, ...]] = {
    "none": ("no degree", "high school diploma", "apprenticeship", "on-the-job", "on the job"),
    "certificate": ("certificate", "certification", "licens", "diploma program"),
    "associate": ("associate degree",),
    "bachelor": ("bachelor", "degree"),
    "graduate": (
        "master",
        "doctor of",
        "doctorate",
        "juris doctor",
        "phd",
        "graduate degree",
        "medical school",
    ),
}
# Wording that contradicts a level below bachelor ("no 4-year college" must be true of them).
# Said of everyone who enters, not of a specialty ("nurse practitioners need a master's").
NEEDS_COLLEGE = (
    "you need a bachelor",
    "you need at least a bachelor",
    "you need a master",
    "require a bachelor",
    "requires a bachelor",
    "require a master",
    "requires a master",
    "requires a graduate degree",
)

# Words the profile's text must use somewhere for each trait it carries.
TRAIT_WORDS: dict[str, tuple[str, ...]] = {
    "hands-on": ("hands-on", "tools", "instrument", "equipment", "repair", "install", "sewing", "lab"),
    "outdoors": ("outdoor", "outside", "weather", "in the field", "fieldwork", "job site", "sites"),
    "blood": ("blood", "bleed", "wound", "injur", "surgery", "surgical", "trauma", "bodily fluid", "urine"),
    "patient-care": ("patient",),
    "creative": ("creat", "design", "artist", "story", "stories", "sketch", "compos"),
    "computers": ("computer", "software", "code", "coding", "programming", "digital", "online"),
    "math": ("math", "statistic", "calculat", "algebra", "calculus", "spreadsheet"),
    "science": ("science", "scientific", "biology", "chemistry", "physics", "anatomy", "laborator"),
    "people": ("people", "client", "customer", "public", "team", "student", "patient"),
    "helping": ("help", "save a life", "save lives", "calm", "comfort", "care for", "support"),
    "physical": ("physical", "on your feet", "lifting", "heavy", "stamina", "strength", "fitness", "climb"),
    "travel": ("travel", "on the road", "touring"),
    "writing": ("writ",),
    "business": ("business", "sales", "selling", "budget", "marketing", "money", "profit"),
    "animals": ("animal",),
    "law": ("law", "legal", "court", "attorney"),
}
# Mentions of blood that do not mean seeing it.
NOT_SEEING_BLOOD = ("blood pressure", "blood thinner", "blood work", "blood drive")


def _text(profile: Profile, section: str | None = None) -> str:
    sections = [s for s in profile.sections if section is None or s.name == section]
    return " ".join(i.text for s in sections for i in s.items).lower()


def _uses(text: str, words: tuple[str, ...]) -> list[str]:
    return [w for w in words if re.search(rf"(?<![a-z]){re.escape(w)}", text)]


def test_the_tables_cover_the_vocabulary_and_every_tag_is_used() -> None:
    assert set(DEGREE_WORDS) == set(DEGREES)
    assert set(TRAIT_WORDS) == set(TRAITS)
    assert 12 <= len(TRAITS) <= 18
    used = {t for p in LOADED.profiles for t in p.traits}
    assert used == set(TRAITS), f"tags no profile carries: {set(TRAITS) - used}"


@pytest.mark.parametrize("slug", SLUGS)
def test_every_profile_has_a_degree_and_traits(slug: str) -> None:
    profile = PROFILES[slug]
    assert profile.degree in DEGREES
    assert 1 <= len(profile.traits) <= 6
    assert set(profile.traits) <= set(TRAITS)


def test_the_seed_gets_its_attributes_from_the_sidecar_and_stays_unedited() -> None:
    seed = PROFILES[SEED]
    assert (CORPUS / f"{SEED}.meta").is_file()
    assert not (CORPUS / f"{SEED}.txt").read_text(encoding="utf-8").startswith("---")
    assert seed.degree == "bachelor" and "computers" in seed.traits
    assert SEED + ".meta" not in {p.slug for p in LOADED.profiles} and len(LOADED.profiles) == 65


@pytest.mark.parametrize("slug", SLUGS)
def test_degree_matches_the_education_section(slug: str) -> None:
    profile = PROFILES[slug]
    education = _text(profile, "Education and Training Needed")
    assert profile.degree is not None
    assert _uses(education, DEGREE_WORDS[profile.degree]), (
        f"{slug}: degree {profile.degree} but Education says none of {DEGREE_WORDS[profile.degree]}"
    )
    if DEGREES.index(profile.degree) < DEGREES.index("bachelor"):
        assert not _uses(education, NEEDS_COLLEGE), f"{slug}: Education says a college degree is needed"
    else:
        assert not _uses(education, ("no degree",)), f"{slug}: Education says no degree is needed"


@pytest.mark.parametrize("slug", SLUGS)
def test_each_trait_is_backed_by_the_profiles_text(slug: str) -> None:
    profile = PROFILES[slug]
    text = _text(profile)
    for phrase in NOT_SEEING_BLOOD:
        text = text.replace(phrase, "")
    for trait in profile.traits:
        assert _uses(text, TRAIT_WORDS[trait]), f"{slug}: {trait} but no word of {TRAIT_WORDS[trait]}"


def test_blood_is_on_the_careers_that_see_it_and_off_desk_jobs() -> None:
    blood = {p.slug for p in LOADED.profiles if "blood" in p.traits}
    assert {"registered-nurse", "physician", "paramedic", "medical-assistant", "veterinarian"} <= blood
    assert not blood & {"pharmacist", "dietitian", "psychologist", "biomedical-engineer", "school-counselor"}


def test_no_college_careers_exist_for_hands_on_people() -> None:
    # "Good with my hands, no 4-year college" needs real answers in the corpus.
    below = {"none", "certificate", "associate"}
    hands = {p.slug for p in LOADED.profiles if p.degree in below and "hands-on" in p.traits}
    assert {"electrician", "plumber", "carpenter", "welder"} <= hands
