"""Which profile sections a question asks about."""

from __future__ import annotations

from careerbot.analysis.phrases import rules, tokens


def section_intents(question: str) -> list[str]:
    """Sections the question asks about, most matched phrases first (may be empty).

    The phrases are data: careerbot/analysis/data/intents.txt, one group per section.
    """
    table = rules("intents")
    counts = table.groups(tokens(question))
    order = list(dict.fromkeys(p.group for p in table.phrases))
    return sorted(counts, key=lambda section: (-counts[section], order.index(section)))
