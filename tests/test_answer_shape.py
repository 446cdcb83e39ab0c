"""The shape of answers: a short cited lead, one supporting block, comparisons, follow-ups, "more"."""

from __future__ import annotations

import json
import statistics
from pathlib import Path

import pytest

from careerbot.answer.followups import with_article
from careerbot.answer.units import has_duration, has_pay, question_focus, word_count
from careerbot.eval import metrics
from careerbot.eval.dataset import Dataset, load_dataset
from careerbot.eval.runner import EvalRun, evaluate
from careerbot.render import answer_text, plain_answer, rerender
from careerbot.schema import Answer, ComparisonRow, Point, RelatedCareer, Source
from careerbot.service import ChatService

GOLDEN = Path(__file__).parent / "golden" / "cases.jsonl"
ANSWER_KEYS = {
    "schema", "answer", "status", "reason", "kind", "intro", "lead", "points", "comparison", "related",
    "follow_ups", "more", "occupation", "sources", "notes",
}  # fmt: skip
SOURCE_KEYS = {"career", "title", "section", "score", "cited", "text"}


def assert_grounded(answer: Answer) -> None:
    """Every quoted point is a verbatim substring of the cited source it names."""
    for point in answer.quoted:
        source = answer.source_of(point)
        assert source is not None, point
        assert source.cited, point
        assert point.text in source.text, (point.text, source.section)
    for row in answer.comparison:
        assert {answer.source_of(p).career for p in row.points} == {row.career}  # type: ignore[union-attr]


# -- fast: pure functions and the fake-embedding service --------------------------------------


@pytest.mark.parametrize(
    ("question", "focus"),
    [
        ("How much do registered nurses make?", "pay"),
        ("what's the salary like", "pay"),
        ("how long does it take to become a nurse?", "duration"),
        ("how many years of school does it take to be a doctor", "duration"),
        ("nurse vs dental hygienist: which takes longer to train?", "duration"),
        ("What software do social media people use to manage all their accounts", "tools"),
        ("which tools does an electrician carry", "tools"),
        ("What does a paralegal do?", None),
    ],
)
def test_question_focus(question: str, focus: str | None) -> None:
    assert question_focus(question) == focus


def test_unit_predicates() -> None:
    assert has_pay("the median pay for registered nurses was about $86,070 a year")
    assert not has_pay("Pay is higher in states like California")
    assert has_duration("takes about two to three years including prerequisites")
    assert has_duration("an accelerated BSN in about 12 to 18 months")
    assert not has_duration("Volunteer at a hospital over the years")
    # a rate is not a length of time ("how long is the training?" once led with the pay)
    assert not has_duration("the median pay for paralegals was about $60,970 a year in May 2023")
    assert not has_duration("apprentices earn 15 dollars per year of service and 20 an hour")
    assert has_duration("a two-year associate degree, then a year of work")
    assert word_count("- Copywriting [3]\n**Skills** two-words") == 3


def test_articles_for_follow_ups() -> None:
    assert with_article("Registered nurse") == "a registered nurse"
    assert with_article("Electrician") == "an electrician"
    assert with_article("HVAC technician") == "an HVAC technician"
    assert with_article("UX designer") == "a UX designer"


def test_text_is_rendered_from_the_parts_and_to_dict_has_schema_1() -> None:
    source = Source(
        "lawyer", "Lawyer", "Job Description", 0.5, "Lawyers advise clients. They argue cases.", True
    )
    answer = rerender(
        Answer("", "answered", (source,)),
        intro="From the Lawyer profile:",
        lead=(Point("Lawyers advise clients.", 1),),
        points=(Point("They argue cases.", 1),),
        related=(RelatedCareer("paralegal", "Paralegal"),),
        follow_ups=("What skills does a lawyer need?", "How do I become a lawyer?"),
        more="**Lawyer: Education** [1]\nLaw school.",
    )
    assert answer.text == answer_text(answer)
    assert answer.text.startswith("From the Lawyer profile:\n\nLawyers advise clients. [1]")
    assert "- **Paralegal**" in answer.text and "- How do I become a lawyer?" in answer.text
    assert "Law school" not in answer.text  # "more" is separate
    assert "Law school" in plain_answer(answer, full=True) and "Law school" not in plain_answer(answer)
    payload = json.loads(json.dumps(answer.to_dict()))
    assert set(payload) == ANSWER_KEYS and payload["schema"] == 1
    assert payload["lead"] == [{"text": "Lawyers advise clients.", "source": 1, "bullet": False}]
    assert payload["comparison"] is None
    assert set(payload["sources"][0]) == SOURCE_KEYS
    table = rerender(
        answer,
        comparison_aspect="Job Description",
        comparison=(ComparisonRow("lawyer", "Lawyer", (Point("Lawyers advise clients.", 1),)),),
    )
    assert table.to_dict()["comparison"]["rows"][0]["career"] == "lawyer"
    assert "| Lawyer |" in table.text


def test_a_fixed_reply_keeps_its_text_when_notes_are_added() -> None:
    answer = rerender(Answer("Hi! Ask me about careers.", "answered"), notes=("a note",))
    assert answer.text == "Hi! Ask me about careers.\n\n_a note_"


def test_fake_service_answers_are_short_grounded_and_structured(fake_service: ChatService) -> None:
    answer = fake_service.ask("What skills does an electrician need?")
    assert answer.status == "answered" and answer.kind == "answer"
    assert 1 <= len(answer.lead) <= 3
    assert answer.source_of(answer.lead[0]).career == "electrician"  # type: ignore[union-attr]
    assert_grounded(answer)
    assert answer.text == answer_text(answer)
    assert word_count(answer.text) <= 150
    assert 2 <= len(answer.follow_ups) <= 3
    assert answer.more and answer.more not in answer.text
    assert set(answer.to_dict()) == ANSWER_KEYS


def test_fake_service_compares_two_named_careers(fake_service: ChatService) -> None:
    answer = fake_service.ask("lawyer vs paralegal: what education does each need?")
    assert answer.kind == "comparison"
    assert [r.career for r in answer.comparison] == ["lawyer", "paralegal"] or [
        r.career for r in answer.comparison
    ] == ["paralegal", "lawyer"]
    assert {s.career for s in answer.cited_sources[:2]} == {"lawyer", "paralegal"}
    assert answer.comparison_aspect == "Education and Training Needed"
    assert_grounded(answer)


def test_fake_service_says_the_seed_gives_no_pay_figure(fake_service: ChatService) -> None:
    answer = fake_service.ask("How much do social media specialists make?")
    assert answer.status == "answered"
    assert "gives no pay figure" in answer.intro
    assert not any("$" in p.text for p in answer.quoted)


# -- eval metrics read parts, not text ---------------------------------------------------------


def _answer(**parts: object) -> Answer:
    return rerender(Answer("", "answered"), **parts)


def test_metrics_read_the_structured_parts() -> None:
    nurse = Source(
        "registered-nurse", "Registered nurse", "Education and Training Needed", 1, "ADN. BSN.", True
    )
    hygienist = Source(
        "dental-hygienist", "Dental hygienist", "Education and Training Needed", 1, "CODA.", True
    )
    compared = _answer(
        kind="comparison",
        sources=(nurse, hygienist),
        comparison=(
            ComparisonRow("registered-nurse", "Registered nurse", (Point("ADN.", 1),)),
            ComparisonRow("dental-hygienist", "Dental hygienist", (Point("CODA.", 2),)),
        ),
    )
    assert metrics.compare_ok(compared, ["dental-hygienist", "registered-nurse"])
    assert not metrics.compare_ok(compared, ["dental-hygienist", "dentist"])
    assert metrics.groundedness(compared) == 1.0
    assert metrics.citation_validity(compared) == 1.0
    led = _answer(sources=(nurse,), lead=(Point("BSN.", 1),))
    assert metrics.first_section(led, "Education and Training Needed")
    assert metrics.first_section(led, "Typical Roadmap / Education and Training Needed")
    assert not metrics.first_section(led, "Typical Roadmap")
    made_up = _answer(sources=(nurse,), lead=(Point("Nurses earn a million dollars.", 1),))
    assert metrics.groundedness(made_up) == 0.0
    no_profile = rerender(
        Answer("", "no_info"),
        kind="no_profile",
        intro="I don't have a profile for zookeeper.",
        related=(RelatedCareer("veterinarian", "Veterinarian"),),
    )
    assert metrics.no_profile_ok(no_profile, "zookeeper")
    assert not metrics.no_profile_ok(no_profile, "astronaut")
    assert not metrics.no_profile_ok(rerender(no_profile, sources=(nurse,)), "zookeeper")
    discovery = rerender(no_profile, kind="discovery", status="answered")
    assert metrics.discover_ok(discovery, ["veterinarian", "chef"])
    assert metrics.switch_ok(discovery, "answered", ["veterinarian"])


def test_words_p50_is_a_maximum_and_part_metrics_are_reported(fake_service: ChatService) -> None:
    lines = [
        {"thresholds": {"words_p50": 5, "compare": 1.0}},
        {"id": "w", "turns": ["What does a paralegal do?"], "expected_careers": ["paralegal"]},
        {
            "id": "c",
            "part": "compare",
            "turns": ["lawyer vs paralegal"],
            "expected_careers": ["lawyer", "paralegal"],
        },
    ]
    path = Path(fake_service.settings.data_dir) / "cases.jsonl"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n")
    run = evaluate(fake_service, load_dataset(path))
    assert run.summary["compare"] == 1.0
    assert run.by_part()["compare"]["compare"] == 1.0
    problems = run.check()
    assert len(problems) == 1 and problems[0].startswith("words_p50 = ") and " > 5" in problems[0]
    assert not EvalRun(Dataset("x", run.dataset.cases), run.results).check({"words_p50": 1000})


# -- real model ---------------------------------------------------------------------------------


def test_pay_question_leads_with_the_pay_sentence(real_service: ChatService) -> None:
    answer = real_service.ask("How much do registered nurses make?")
    assert answer.status == "answered"
    assert "$86,070" in answer.lead[0].text
    assert answer.source_of(answer.lead[0]).career == "registered-nurse"  # type: ignore[union-attr]
    assert answer.text.index("$86,070") < 200
    assert_grounded(answer)


def test_how_long_question_leads_with_the_duration(real_service: ChatService) -> None:
    for question, career in (
        ("How long does it take to become a registered nurse?", "registered-nurse"),
        ("how many years of school does it take to be a doctor", "physician"),
    ):
        answer = real_service.ask(question)
        assert has_duration(answer.lead[0].text), (question, answer.lead[0].text)
        assert answer.source_of(answer.lead[0]).career == career  # type: ignore[union-attr]
        assert_grounded(answer)


def test_software_question_leads_with_the_tools_of_the_career_asked(real_service: ChatService) -> None:
    answer = real_service.ask("What software do social media people use to manage all their accounts")
    assert answer.status == "answered"
    first = answer.source_of(answer.lead[0])
    assert first is not None and first.career == "social-media-specialist"
    assert "Hootsuite" in answer.lead[0].text
    assert_grounded(answer)


def test_the_seed_profile_gives_no_pay_figure(real_service: ChatService) -> None:
    answer = real_service.ask("How much does a social media specialist make?")
    assert answer.status == "answered"
    assert "Social media specialist profile gives no pay figure" in answer.text
    assert not any("$" in p.text for p in answer.quoted)


def test_comparison_answers_side_by_side(real_service: ChatService) -> None:
    answer = real_service.ask("Nurse vs dental hygienist: which takes longer to train?")
    assert answer.kind == "comparison"
    assert {r.career for r in answer.comparison} == {"registered-nurse", "dental-hygienist"}
    assert {s.career for s in answer.cited_sources[:2]} == {"registered-nurse", "dental-hygienist"}
    assert answer.comparison_aspect == "Education and Training Needed"
    assert all(any(has_duration(p.text) for p in r.points) for r in answer.comparison)
    assert "| Dental hygienist |" in answer.text or "| Registered nurse |" in answer.text
    assert_grounded(answer)
    plain = real_service.ask("what's the difference between a dentist and a dental hygienist?")
    assert plain.kind == "comparison"
    assert plain.comparison_aspect == "Job Description; Education and Training Needed"
    assert {s.career for s in plain.cited_sources[:2]} == {"dentist", "dental-hygienist"}
    assert_grounded(plain)


def test_follow_ups_are_answered_from_the_same_career(real_service: ChatService) -> None:
    asked = 0
    for question, career in (
        ("What does a dental hygienist do?", "dental-hygienist"),
        ("How much do electricians make?", "electrician"),
        ("What skills does a social media specialist need?", "social-media-specialist"),
    ):
        answer = real_service.ask(question)
        assert 2 <= len(answer.follow_ups) <= 3, question
        for follow_up in answer.follow_ups:
            got = real_service.ask(follow_up)
            assert got.status == "answered", follow_up
            assert got.sources[0].career == career, follow_up
            assert got.lead and got.source_of(got.lead[0]).career == career, follow_up  # type: ignore[union-attr]
            asked += 1
    assert asked >= 6


def test_precomputed_follow_ups_find_their_career(real_service: ChatService) -> None:
    # Every template for every career (about 900 questions) was measured once: all answered from
    # their career. Here: the two offered after a "what does X do" answer, for every career, and
    # every template for the seed (it has the fewest sections).
    follow_ups = real_service.engine.follow_ups  # type: ignore[attr-defined]
    asks = [
        (slug, question)
        for slug, _, _ in real_service.careers
        for question in follow_ups.for_answer(slug, ["Job Description"], limit=2)
    ]
    asks += [("social-media-specialist", q) for q in follow_ups.for_answer("social-media-specialist", (), 20)]
    wrong = []
    for slug, question in asks:
        got = real_service.ask(question)
        first = got.source_of(got.lead[0]) if got.lead else None
        if got.status != "answered" or first is None or first.career != slug:
            wrong.append((slug, question, got.status))
    assert len(asks) >= 130
    assert not wrong, wrong


def test_answers_are_short_and_every_point_is_quoted_verbatim(real_service: ChatService) -> None:
    dataset = load_dataset(GOLDEN)
    counts = []
    for case in dataset.cases:
        if case.expect != "answered" or case.part not in ("retrieval", "sections"):
            continue
        answer = real_service.ask(case.question)
        assert_grounded(answer)
        assert answer.lead or (answer.kind == "discovery" and answer.related), case.question
        counts.append(word_count(answer.text))
    assert len(counts) >= 30
    assert statistics.median(counts) <= 130, counts
    assert max(counts) <= 200, counts
