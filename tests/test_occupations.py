"""Occupation lexicon: which occupation a message names, on the real corpus, without the embedding model."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from importlib.resources import files

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from careerbot.analysis.occupations import OccupationLexicon, OccupationMention, career_names, words_of
from careerbot.corpus import Profile, load_corpus
from conftest import CORPUS, REAL_QUESTIONS, REPO

GOLDEN = REPO / "tests" / "golden" / "cases.jsonl"
DATA = files("careerbot.analysis").joinpath("data")


@pytest.fixture(scope="module")
def profiles() -> dict[str, Profile]:
    return load_corpus(CORPUS).by_slug()


@pytest.fixture(scope="module")
def lexicon(profiles: dict[str, Profile]) -> OccupationLexicon:
    return OccupationLexicon(career_names(profiles.values()))


# message -> (kind, slug, words) of find(), or None when the message names no occupation
TABLE: list[tuple[str, tuple[str, str, str] | None]] = [
    # corpus careers, by title, similar title or everyday variant; plural and case do not matter
    ("how do u become a cop", ("career", "police-officer", "cop")),
    ("nurse", ("career", "registered-nurse", "nurse")),
    ("Nurses", ("career", "registered-nurse", "nurse")),
    ("how do I become a registered nurse", ("career", "registered-nurse", "registered nurse")),
    ("how do I become a doctor", ("career", "physician", "doctor")),
    ("How do I become a DO?", ("career", "physician", "do")),
    ("how do i become an x-ray tech", ("career", "radiologic-technologist", "x-ray tech")),
    (
        "Just finished xray tech degree. Where do I go from here?",
        ("career", "radiologic-technologist", "xray tech"),
    ),
    ("how do I become a cook", ("career", "chef", "cook")),
    (
        "Software Engineers, how much of your day is coding?",
        ("career", "software-developer", "software engineer"),
    ),
    ("what's it like being a firefighter", ("career", "firefighter", "firefighter")),
    ("Firemen", ("career", "firefighter", "fireman")),
    ("how much do plumbers make", ("career", "plumber", "plumber")),
    ("is the game industry ok rn? whats changing for game devs", ("career", "game-developer", "game dev")),
    ("being a vet", ("career", "veterinarian", "vet")),
    ("how do I become a therapist", ("career", "psychologist", "therapist")),
    ("tell me about welders", ("career", "welder", "welder")),
    # specialties a profile covers: longest phrase wins ("nurse practitioner" over "nurse")
    ("How do I become a nurse practitioner?", ("specialty", "registered-nurse", "nurse practitioner")),
    ("is a nurse anesthetist a nurse?", ("specialty", "registered-nurse", "nurse anesthetist")),
    ("how do I become a dermatologist", ("specialty", "physician", "dermatologist")),
    ("Radiologist salary", ("specialty", "physician", "radiologist")),
    ("what does a surgeon do", ("specialty", "physician", "surgeon")),
    ("pharmacy technician jobs", ("specialty", "pharmacist", "pharmacy technician")),
    ("Working as a pharmacy tech scraping by at $35,000/year", ("specialty", "pharmacist", "pharmacy tech")),
    ("what does an orthodontist do", ("specialty", "dentist", "orthodontist")),
    # occupations with no profile
    ("what about actuaries?", ("unknown", "", "actuary")),
    ("Can I become an actuary with a math degree?", ("unknown", "", "actuary")),
    ("ZOOKEEPERS salary", ("unknown", "", "zookeeper")),
    (
        "What does a marine biologist do day to day, and what should I study to become one?",
        ("unknown", "", "marine biologist"),
    ),
    ("how do I become a professional esports player", ("unknown", "", "professional esports player")),
    ("tattoo artist", ("unknown", "", "tattoo artist")),
    ("I want to be a YouTuber", ("unknown", "", "youtuber")),
    ("What does a scuba diver do?", ("unknown", "", "scuba diver")),
    ("what does a massage therapist do", ("unknown", "", "massage therapist")),
    ("what does a truck driver earn", ("unknown", "", "truck driver")),
    ("waitresses", ("unknown", "", "waitress")),
    ("I'm a nurse, how do I become a zookeeper?", ("unknown", "", "zookeeper")),
    # ambiguous words count only in an occupation phrasing
    ("i want to be a model", ("unknown", "", "model")),
    ("this model of car is great", None),
    ("the driver crashed my laptop again", None),
    ("in general, what should I study?", None),
    ("becoming a general in the army", ("unknown", "", "general")),
    ("don't judge me but I like math", None),
    ("what does a judge do", ("unknown", "", "judge")),
    ("judge salary", ("unknown", "", "judge")),
    ("what about judges?", ("unknown", "", "judge")),
    ("I like to cook and bake", None),
    ("I like tech and games", None),
    ("my vet said my dog is fine", None),
    ("what should I do with my life", None),
    ("The interviewer asked about my weaknesses, what should I say?", None),
    ("a recruiter called me about a job in sales", None),
    ("tell me about me", None),
    # two occupations joined by "or" share the phrasing; the first one asked about is the subject
    ("Should I be a nurse or a marine biologist?", ("career", "registered-nurse", "nurse")),
    (
        "I was thinking I would qualify for HR or office manager jobs.",
        ("career", "human-resources-specialist", "hr"),
    ),
    # a negated phrasing rules the occupation out
    ("good at science, want to work in a hospital but not as a doctor", None),
    ("I don't want to be a teacher any longer, what else can I do?", None),
    ("I don't want to become a nurse or a doctor", None),
    ("not sure if I should become a nurse", ("career", "registered-nurse", "nurse")),
    # no occupation at all
    ("What's the weather like?", None),
    ("I like drawing and computers, what careers fit me?", None),
    ("", None),
    ("🤔🤔 İİİ ©©", None),
]


def _summary(mention: OccupationMention | None) -> tuple[str, str, str] | None:
    return None if mention is None else (mention.kind, mention.slug, mention.words)


@pytest.mark.parametrize(("message", "expected"), TABLE)
def test_table(lexicon: OccupationLexicon, message: str, expected: tuple[str, str, str] | None) -> None:
    assert _summary(lexicon.find(message)) == expected


def test_table_is_large_and_covers_every_kind() -> None:
    kinds = {e[0] if e else None for _, e in TABLE}
    assert len(TABLE) >= 40
    assert kinds == {"career", "specialty", "unknown", None}


def test_mention_carries_span_lead_and_context(lexicon: OccupationLexicon) -> None:
    message = "Is it hard to become a Dermatologist?"
    mention = lexicon.find(message)
    assert mention is not None
    assert message[mention.start : mention.end] == "Dermatologist"
    assert mention.in_context
    assert mention.lead.startswith("Dermatologists are physicians") and "Physician profile" in mention.lead
    bare = lexicon.find("my aunt is a dermatologist")
    assert bare is not None and not bare.in_context and bare.slug == "physician"


def test_find_all_lists_every_occupation_in_order(lexicon: OccupationLexicon) -> None:
    found = lexicon.find_all("nurse practitioner vs nurse vs zookeeper")
    assert [(m.kind, m.words) for m in found] == [
        ("specialty", "nurse practitioner"),
        ("career", "nurse"),
        ("unknown", "zookeeper"),
    ]


def _questions() -> list[tuple[str, list[str], str]]:
    cases = []
    for path in (REAL_QUESTIONS, GOLDEN):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                case = json.loads(line)
                cases.extend((case["id"], case.get("expected_careers") or [], t) for t in case["turns"])
    return cases


def test_real_and_golden_questions_never_call_a_known_career_unknown(
    lexicon: OccupationLexicon, profiles: dict[str, Profile]
) -> None:
    questions = _questions()
    assert len(questions) > 100
    names = {
        slug: {" ".join(words_of(n)) for n in names}
        for slug, names in career_names(profiles.values()).items()
    }
    false_positives = []
    for case_id, expected, text in questions:
        for mention in lexicon.find_all(text):
            named = " ".join(words_of(mention.words))
            if mention.kind == "unknown" and any(named in names[slug] for slug in expected):
                false_positives.append((case_id, mention.words))
        subject = lexicon.find(text)
        # a question about corpus careers whose subject comes out "unknown" would be answered no_info
        if expected and subject is not None and subject.kind == "unknown":
            false_positives.append((case_id, subject.words))
    assert false_positives == []


def test_golden_no_profile_questions_name_their_occupation(lexicon: OccupationLexicon) -> None:
    cases = [json.loads(line) for line in GOLDEN.read_text(encoding="utf-8").splitlines() if line.strip()]
    no_profile = [c for c in cases if c["part"] in ("no-profile", "no_profile")]
    assert no_profile
    for case in no_profile:
        mention = lexicon.find(case["turns"][-1])
        assert mention is not None and mention.kind == "unknown", case["id"]


def _specialty_lines() -> list[tuple[str, str, str, str]]:
    rows = []
    for line in DATA.joinpath("specialties.txt").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, rest = line.partition("->")
            slug, evidence, lead = (f.strip() for f in rest.split("|"))
            rows.append((name.strip(), slug, evidence, lead))
    return rows


@pytest.mark.parametrize(("name", "slug", "evidence", "lead"), _specialty_lines())
def test_specialty_is_covered_by_its_profile(
    lexicon: OccupationLexicon, profiles: dict[str, Profile], name: str, slug: str, evidence: str, lead: str
) -> None:
    profile = profiles[slug]
    text = " ".join(item.text for section in profile.sections for item in section.items)
    assert evidence.lower() in " ".join(text.lower().split()), f"{slug} profile never mentions {evidence!r}"
    assert lead.endswith(f"from the {profile.title} profile:")
    mention = lexicon.find(f"how do I become a {name}")
    assert mention is not None and (mention.kind, mention.slug) == ("specialty", slug)


def test_variants_resolve_to_their_career(lexicon: OccupationLexicon) -> None:
    lines = DATA.joinpath("variants.txt").read_text(encoding="utf-8").splitlines()
    rows = [line.partition("->") for line in lines if line.strip() and not line.startswith("#")]
    assert len(rows) >= 20
    for name, _, slug in rows:
        mention = lexicon.find(f"{name.strip()} salary")
        assert mention is not None and (mention.kind, mention.slug) == ("career", slug.strip()), name


def test_ambiguous_words_need_an_occupation_phrasing(lexicon: OccupationLexicon) -> None:
    lines = DATA.joinpath("ambiguous.txt").read_text(encoding="utf-8").splitlines()
    words = [w.split()[0] for w in lines if w.strip() and not w.startswith("#")]
    known = [w for w in words if lexicon.find(f"how do I become a {w}") is not None]
    assert len(known) >= 40  # most listed words are occupations the lexicon knows
    for word in known:
        assert lexicon.find(f"yesterday {word} went well") is None, word
        assert lexicon.find(f"what about the {word}s?") is not None, word


def test_occupation_list_is_large_lower_case_and_says_where_it_comes_from() -> None:
    text = DATA.joinpath("occupations.txt").read_text(encoding="utf-8")
    header = [line for line in text.splitlines() if line.startswith("#")]
    titles = [line for line in text.splitlines() if line and not line.startswith("#")]
    assert any("SOC 2018" in line for line in header) and any("O*NET 29.2" in line for line in header)
    assert any("CC BY 4.0" in line for line in header) and any("public domain" in line for line in header)
    assert len(titles) >= 1000 and len(set(titles)) == len(titles)
    assert all(t == t.lower() and t.strip() == t for t in titles)


def test_nothing_is_read_at_import() -> None:
    code = (
        "import sys\n"
        "opened = []\n"
        "sys.addaudithook(lambda e, a: opened.append(str(a[0])) if e == 'open' else None)\n"
        "import careerbot.analysis.occupations\n"
        "assert not [p for p in opened if 'analysis/data' in p], opened\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, env={"PYTHONPATH": str(REPO / "src")})


# ReDoS guard: find is a single pass over the words, so any message within the 2,000-character limit is fast.
ADVERSARIAL = [
    "a " * 1000,
    "nurse " * 333,
    "become a " * 222,
    "nurse or " * 222,
    "registered nurse practitioner " * 66,
    "professional esports player salary " * 57,
    "s" * 2000,
    "actuaries" * 222,
    "x-" * 1000,
    "what about " * 181,
    "become a pro " * 153,
    "İ" * 2000,
]


@pytest.mark.parametrize("text", ADVERSARIAL, ids=range(len(ADVERSARIAL)))
def test_adversarial_messages_are_fast(lexicon: OccupationLexicon, text: str) -> None:
    text = (text * 2)[:2000]
    started = time.perf_counter()
    lexicon.find(text)
    assert time.perf_counter() - started < 1.0


_ALPHABET = st.sampled_from([*"abcdeinorstuvxy -'?!,.0123456789", "nurse ", "become a ", " or ", "İ", "é"])


@settings(max_examples=150, deadline=None)
@given(text=st.lists(_ALPHABET, max_size=2000).map("".join).map(lambda t: t[:2000]))
def test_find_is_fast_on_any_message(lexicon: OccupationLexicon, text: str) -> None:
    started = time.perf_counter()
    mention = lexicon.find(text)
    assert time.perf_counter() - started < 1.0
    if mention is not None:
        assert 0 <= mention.start < mention.end <= len(text)


def test_corpus_careers_win_ties_with_the_bls_list() -> None:
    without = OccupationLexicon({}).find("how do I become a plumber")
    with_plumber = OccupationLexicon({"plumber": ["Plumber"]}).find("how do I become a plumber")
    assert without is not None and (without.kind, without.slug) == ("unknown", "")
    assert with_plumber is not None and (with_plumber.kind, with_plumber.slug) == ("career", "plumber")


def test_a_corpus_without_the_covering_profile_leaves_a_specialty_unknown(
    profiles: dict[str, Profile],
) -> None:
    small = OccupationLexicon(career_names(p for slug, p in profiles.items() if slug != "physician"))
    derm = small.find("how do I become a dermatologist")
    assert derm is not None and (derm.kind, derm.slug) == ("unknown", "")
    cop = small.find("how do u become a cop")
    assert cop is not None and cop.slug == "police-officer"
