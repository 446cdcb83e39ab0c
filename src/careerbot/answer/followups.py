"""Suggested follow-up questions, precomputed per career and section when the service is built."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from careerbot.answer.units import has_pay
from careerbot.corpus.schema import UNINDEXED_SECTIONS, Profile

PAY = "pay"  # a pseudo-section: the section that states the career's pay figure

# One question per section, in the order they are offered; each is worded so that the section
# intents route it back to that section of the same career ({a} is "a nurse" / "an electrician").
TEMPLATES: tuple[tuple[str, str], ...] = (
    ("Education and Training Needed", "How do I become {a}?"),
    ("Day in the Life", "What is a day like for {a}?"),
    (PAY, "How much does {a} make?"),
    ("Skills Needed", "What skills does {a} need?"),
    ("How to land your 1st job", "How do I land a first job as {a}?"),
    ("Plan B", "What is a Plan B for {a}?"),
    ("The Inside Scoop", "What are the downsides of being {a}?"),
    ("What it really takes to make it and succeed", "What does it take to succeed as {a}?"),
    ("Rewarding Aspects of Career", "What's the best part of being {a}?"),
    ("Typical Roadmap", "What is the roadmap for {a}?"),
    ("Current Industry Trends", "What are the trends for {a}?"),
    ("Things to do during high school/college", "What can I do in high school to become {a}?"),
    ("Different Types of Organizations", "What kinds of organizations hire {a}?"),
    ("Job Description", "What does {a} do?"),
)
MAX_FOLLOW_UPS = 3


def with_article(title: str) -> str:
    """'Registered nurse' -> 'a registered nurse'; 'Electrician' -> 'an electrician'; acronyms kept."""
    name = title[:1].lower() + title[1:] if title[1:2].islower() else title
    vowel = name[:1].lower() in "aeio" or name.startswith(("HVAC", "IT "))
    return f"{'an' if vowel else 'a'} {name}"


def _answerable_sections(profile: Profile) -> set[str]:
    sections = {s.name for s in profile.sections if not s.is_empty and s.name not in UNINDEXED_SECTIONS}
    if any(has_pay(item.text) for s in profile.sections for item in s.items):
        sections.add(PAY)
    return sections


class FollowUps:
    """Questions per career and section, only for sections the career's profile can answer."""

    def __init__(self, profiles: Iterable[Profile]) -> None:
        self._by_career: dict[str, tuple[tuple[str, str], ...]] = {}
        for profile in profiles:
            present = _answerable_sections(profile)
            a = with_article(profile.title)
            self._by_career[profile.slug] = tuple(
                (section, template.format(a=a)) for section, template in TEMPLATES if section in present
            )

    def has_pay(self, career: str) -> bool:
        """True when the career's profile states a pay figure."""
        return any(section == PAY for section, _ in self._by_career.get(career, ()))

    def for_answer(self, career: str, shown: Sequence[str], limit: int = MAX_FOLLOW_UPS) -> tuple[str, ...]:
        """Up to ``limit`` questions about sections the answer did not show."""
        skip = set(shown)
        return tuple(q for section, q in self._by_career.get(career, ()) if section not in skip)[:limit]
