"""Which profile sections a question asks about."""

from __future__ import annotations

from careerbot.analysis.phrases import rules, tokens


def section_intents(question: str) -> list[str]:
    """Sections the question asks about, most matched phrases first (may be empty).

    The phrases are data: careerbot/analysis/data/intents.txt, one group per section.
    """
    table = rules("intents")
    counts = table.groups(tokens(question))
    return sorted(counts, key=lambda section: (-counts[section], table.group_order.index(section)))
