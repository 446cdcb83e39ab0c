"""Fixed replies: small talk, refusals and the careers list. Nothing internal is ever included."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from careerbot.corpus.schema import Profile

CAPABILITIES = (
    "I answer questions about careers using a library of career profiles: what a job is like day to day, "
    "the skills and education it needs, how to land a first job, what it takes to succeed, and Plan B options. "
    'Every answer quotes the profiles and shows its sources. Try: "What does a dental hygienist do?" '
    'or "How do I become an electrician?" You can also ask "Which careers do you know?"'
)

GREETING = "Hi! I'm careerbot. " + CAPABILITIES
THANKS = "You're welcome! Ask me about any other career whenever you like."
SLOW_DOWN = "You're asking faster than I can keep up. Please wait a few seconds and try again."

OUT_OF_SCOPE = (
    "I can only help with questions about careers: jobs, the skills and education they need, "
    'and how to get started. Try asking something like "What skills does a web developer need?"'
)

DISCLAIMER = (
    "Answers come from career profiles and are general guidance, not professional advice; "
    "pay figures are US figures for the year the profile names."
)


def careers_list(profiles: Sequence[Profile]) -> str:
    """All careers in the corpus, grouped by cluster."""
    clusters: dict[str, list[str]] = defaultdict(list)
    for profile in profiles:
        clusters[profile.cluster].append(profile.title)
    lines = [f"I have profiles for {len(profiles)} careers:"]
    for cluster in sorted(clusters):
        lines.append(f"- **{cluster}**: {', '.join(sorted(clusters[cluster]))}")
    lines.append('Ask about any of them, for example "What does a day look like for a pilot?"')
    return "\n".join(lines)


def no_info(suggestions: Sequence[str], role: str | None = None) -> str:
    """Why there is no answer, and the nearest careers that do have a profile."""
    subject = f"a profile for **{role}**" if role else "information about that in my career profiles"
    text = f"I don't have {subject}, so I won't guess."
    if suggestions:
        text += " The closest careers I can tell you about are: " + ", ".join(suggestions) + "."
    return text + ' You can also ask "Which careers do you know?"'


HARMFUL = (
    "I can't help with that. I'm here for career questions, and I'd be glad to help with one: "
    "for example what a job is like, what training it needs, or how to get started. If computers and "
    'security interest you, try "What does a cybersecurity analyst do?"'
)


def other_language(language: str) -> str:
    """Why a question in another language is not answered, and how to ask instead."""
    named = f" It looks like your message is in {language}." if language and language.isalpha() else ""
    return (
        f"Sorry, I can only answer in English for now.{named} Please ask your question in English, "
        'for example: "What does a nurse do?" or "How do I become an electrician?"'
    )


def no_profile(occupation: str) -> str:
    """The intro of a no_info answer for a job with no profile: said plainly, nothing invented."""
    return (
        f"I don't have a profile for **{occupation}**, so I can't tell you about that job. "
        "The careers below are different jobs that I do have profiles for."
    )


NOT_COVERED = "I don't have information about that in my career profiles, so I won't guess."
DISCOVERY_INTRO = (
    "From what you described, these careers could fit, best first. Each reason is quoted from its profile."
)
