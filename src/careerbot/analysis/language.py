"""Which language a message is written in, when it is plainly not English (word lists in data)."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from functools import lru_cache
from importlib.resources import files

_WORD = re.compile(r"[^\W\d_]+")  # letters of any script; one linear pass
MIN_FOREIGN_WORDS = 2
NON_LATIN_SHARE = 0.5  # of letters: Cyrillic, CJK, Arabic, ... -> not English


@lru_cache(maxsize=1)
def _function_words() -> dict[str, frozenset[str]]:
    text = files("careerbot.analysis").joinpath("data/languages.txt").read_text(encoding="utf-8")
    groups: dict[str, set[str]] = {}
    current = ""
    for raw in text.splitlines():
        line = raw.split("#", 1)[0].strip()
        if line.startswith("[") and line.endswith("]"):
            current = line[1:-1]
            groups[current] = set()
        elif line and current:
            groups[current].update(line.lower().split("|"))
    english = groups.pop("English", set())
    return {name: frozenset(words - english) for name, words in groups.items()} | {
        "English": frozenset(english)
    }


def _script_name(letters: str) -> str | None:
    """A name for a non-Latin script most letters are in ("Cyrillic", "CJK", ...), else None."""
    if not letters:
        return None
    names = Counter(unicodedata.name(ch, "?").split(" ")[0] for ch in letters if ord(ch) > 0x24F)
    if not names or sum(names.values()) < NON_LATIN_SHARE * len(letters):
        return None
    script = names.most_common(1)[0][0]
    return {"CJK": "Chinese", "HIRAGANA": "Japanese", "KATAKANA": "Japanese", "HANGUL": "Korean"}.get(
        script, script.capitalize()
    )


def foreign_language(text: str) -> str | None:
    """The language a message is written in when it is not English (None when English or unclear)."""
    words = _WORD.findall(text.lower())
    if not words:
        return None
    script = _script_name("".join(words))
    if script:
        return script
    vocab = _function_words()
    english = sum(1 for w in words if w in vocab["English"])
    best, count = "", 0
    for name, group in vocab.items():
        if name == "English":
            continue
        hits = sum(1 for w in words if w in group)
        if hits > count:
            best, count = name, hits
    return best if count >= MIN_FOREIGN_WORDS and count > english else None
