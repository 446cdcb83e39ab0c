"""Word normalisation shared by the keyword index, the career matcher, the answer engine and the evaluation."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")


@lru_cache(maxsize=1)
def _stemmer() -> Any:
    import Stemmer

    return Stemmer.Stemmer("english")


def words(text: str) -> list[str]:
    """Lower-case words; apostrophes and curly quotes folded."""
    text = text.lower().replace("\u2019", "'").replace("\u2018", "'")
    return [w.removesuffix("'s") for w in _WORD.findall(text)]


def stem_all(tokens: list[str]) -> list[str]:
    """Snowball-stem a list of words (nurses, nursing -> nurs)."""
    return list(_stemmer().stemWords(tokens))


def stems(text: str) -> list[str]:
    """Words of ``text``, stemmed."""
    return stem_all(words(text))


_STOP_WORDS = """a an and are as at be but by for if in into is it no not of on or such that the their then
there these they this to was will with i me my you your we our what how do does can could should
would am about so just get like want really any some who which when where why he she him her
them its was were been being have has had did doing from up down out over again more most very
much many also only own same than too s t don now"""


@lru_cache(maxsize=1)
def _stop_stems() -> frozenset[str]:
    return frozenset(stems(_STOP_WORDS))


def keyword_tokens(text: str) -> list[str]:
    """Stemmed words without stop words."""
    stop = _stop_stems()
    return [t for t in stems(text) if t not in stop]


def within_one_edit(a: str, b: str) -> bool:
    """True when a and b differ by at most one insertion, deletion, substitution or swap."""
    if a == b:
        return True
    la, lb = len(a), len(b)
    if abs(la - lb) > 1:
        return False
    if la == lb:
        diff = [i for i in range(la) if a[i] != b[i]]
        if len(diff) == 1:
            return True
        return (
            len(diff) == 2
            and diff[1] == diff[0] + 1
            and a[diff[0]] == b[diff[1]]
            and a[diff[1]] == b[diff[0]]
        )
    if la > lb:
        a, b = b, a
    i = 0
    while i < len(a) and a[i] == b[i]:
        i += 1
    return a[i:] == b[i + 1 :]
