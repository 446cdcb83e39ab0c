"""Phrase tables kept as data, matched over a message's tokens in linear time.

A rule file holds one phrase per line; ``#`` starts a comment; ``[name]`` starts a group. A phrase is
a sequence of slots separated by spaces:

- ``word``          the token itself
- ``a|b|c``         any of these tokens
- ``nurs*``         any token starting with ``nurs``
- ``*``             a gap of 0 to 3 tokens (``*5``: up to 5)
- ``(a|b)``         optionally one of these tokens
- ``^`` / ``$``     as first / last slot: the phrase must start / end the message
- ``~word``         as first slot: the phrase does not count right after ``word``;
                    as last slot: nor right before ``word``
- ``re: PATTERN``   a whole line: a regular expression over the lower-cased text, compiled with
                    RE2 (linear time by construction) for the few rules that need symbols ("3 + 4")

Matching never backtracks over free text: each start position tries the few phrases whose first slot
fits that token, and gaps are bounded, so the work grows linearly with the message length (a
backtracking regex once took 26 s on a 300-character message).
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib.resources import files
from typing import Any

_TOKEN = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")  # no nested quantifier: one linear pass
_TAG = re.compile(r"<[^<>]{0,200}>")  # HTML-ish tags are markup, not words
_DEFAULT_GAP = 3


def fold(text: str) -> str:
    """Lower case, accents and curly quotes folded, HTML-ish tags dropped ("Résumé" -> "resume")."""
    text = unicodedata.normalize("NFKD", _TAG.sub(" ", text.lower()))
    text = "".join(ch for ch in text if not unicodedata.combining(ch) and not "\ud800" <= ch <= "\udfff")
    return text.replace("\u2019", "'").replace("\u2018", "'")


def tokens(text: str) -> list[str]:
    """Word tokens of the folded text; "'s" dropped ("nurse's" -> "nurse"), other apostrophes kept ("don't")."""
    return [t.removesuffix("'s") for t in _TOKEN.findall(fold(text))]


@dataclass(frozen=True)
class _Slot:
    words: frozenset[str] = frozenset()
    prefixes: tuple[str, ...] = ()
    gap: int = 0  # > 0: a gap of 0..gap tokens
    optional: bool = False

    def fits(self, token: str) -> bool:
        return token in self.words or any(token.startswith(p) for p in self.prefixes)


@dataclass(frozen=True)
class Phrase:
    """One compiled phrase of a rule file."""

    text: str
    group: str
    slots: tuple[_Slot, ...]
    at_start: bool = False
    at_end: bool = False
    not_after: frozenset[str] = frozenset()
    not_before: frozenset[str] = frozenset()


def _slot(spec: str) -> _Slot:
    if spec.startswith("*"):
        return _Slot(gap=int(spec[1:] or _DEFAULT_GAP))
    optional = spec.startswith("(") and spec.endswith(")")
    spec = spec.strip("()")
    words, prefixes = set(), []
    for alternative in spec.split("|"):
        if alternative.endswith("*"):
            prefixes.append(alternative[:-1])
        else:
            words.add(alternative)
    return _Slot(frozenset(words), tuple(prefixes), optional=optional)


def compile_phrase(text: str, group: str = "") -> Phrase:
    """A phrase line as slots (see the module docstring for the syntax)."""
    parts = text.lower().split()
    at_start = bool(parts) and parts[0] == "^"
    at_end = bool(parts) and parts[-1] == "$"
    parts = [p for p in parts if p not in ("^", "$")]
    not_after: frozenset[str] = frozenset()
    if parts and parts[0].startswith("~"):
        not_after = frozenset(parts[0][1:].split("|"))
        parts = parts[1:]
    not_before: frozenset[str] = frozenset()
    if parts and parts[-1].startswith("~"):
        not_before = frozenset(parts[-1][1:].split("|"))
        parts = parts[:-1]
    slots = tuple(_slot(p) for p in parts)
    if not slots or slots[0].gap or slots[0].optional or slots[-1].gap:
        raise ValueError(f"phrase {text!r}: must start with a word and end with a word or (option)")
    return Phrase(text, group, slots, at_start, at_end, not_after, not_before)


def compile_phrases(text: str, group: str = "") -> list[Phrase]:
    """A phrase line; a leading ``(option)`` gives two phrases, with and without it."""
    parts = text.split()
    lead = 1 if parts and parts[0] == "^" else 0
    if len(parts) > lead + 1 and parts[lead].startswith("(") and parts[lead].endswith(")"):
        with_option = [*parts[:lead], parts[lead][1:-1], *parts[lead + 1 :]]
        without = parts[:lead] + parts[lead + 1 :]
        return [compile_phrase(" ".join(with_option), group), compile_phrase(" ".join(without), group)]
    return [compile_phrase(text, group)]


def _match_from(slots: Sequence[_Slot], toks: Sequence[str], i: int, at_end: bool) -> int | None:
    """End index of a match of ``slots`` starting at ``i`` (first found), or None."""
    if not slots:
        return i if (not at_end or i == len(toks)) else None
    slot = slots[0]
    if slot.gap:
        for skip in range(slot.gap + 1):
            end = _match_from(slots[1:], toks, i + skip, at_end)
            if end is not None:
                return end
            if i + skip >= len(toks):
                break
        return None
    if i < len(toks) and slot.fits(toks[i]):
        end = _match_from(slots[1:], toks, i + 1, at_end)
        if end is not None or not slot.optional:
            return end
    return _match_from(slots[1:], toks, i, at_end) if slot.optional else None


class PhraseTable:
    """Compiled phrases, indexed by their first slot, and the few RE2 patterns of a rule file."""

    def __init__(self, phrases: Iterable[Phrase], patterns: Iterable[tuple[str, Any]] = ()) -> None:
        self.phrases = tuple(phrases)
        self.patterns = tuple(patterns)  # (group, compiled RE2 pattern)
        self.group_order = tuple(dict.fromkeys(p.group for p in self.phrases))  # as in the file
        self._by_word: dict[str, list[Phrase]] = defaultdict(list)
        self._by_prefix: list[Phrase] = []
        for phrase in self.phrases:
            first = phrase.slots[0]
            for word in first.words:
                self._by_word[word].append(phrase)
            if first.prefixes:
                self._by_prefix.append(phrase)
        # Most tokens are common words seen in every message: remember each one's candidates.
        self._candidates = lru_cache(maxsize=4096)(self._find_candidates)

    def _find_candidates(self, token: str) -> tuple[Phrase, ...]:
        found = self._by_word.get(token, [])
        prefixed = [p for p in self._by_prefix if any(token.startswith(x) for x in p.slots[0].prefixes)]
        return tuple(found + prefixed)

    def matches(self, toks: Sequence[str]) -> list[tuple[Phrase, int, int]]:
        """Every (phrase, start, end) found, in order of start; one match per phrase and start."""
        found = []
        for i, token in enumerate(toks):
            for phrase in self._candidates(token):
                if phrase.at_start and i != 0:
                    continue
                if phrase.not_after and i > 0 and toks[i - 1] in phrase.not_after:
                    continue
                end = _match_from(phrase.slots, toks, i, phrase.at_end)
                if end is not None and not (end < len(toks) and toks[end] in phrase.not_before):
                    found.append((phrase, i, end))
        return found

    def groups(self, toks: Sequence[str], text: str = "") -> dict[str, int]:
        """Matched phrases (and patterns, searched in ``text``) counted per group."""
        counts: dict[str, int] = defaultdict(int)
        seen: set[tuple[str, str]] = set()
        for phrase, _, _ in self.matches(toks):
            if (phrase.text, phrase.group) not in seen:
                seen.add((phrase.text, phrase.group))
                counts[phrase.group] += 1
        if text:
            folded = fold(text)
            for group, pattern in self.patterns:
                if pattern.search(folded):
                    counts[group] += 1
        return dict(counts)

    def any(self, toks: Sequence[str], text: str = "") -> bool:
        """True when some phrase matches the tokens (or some pattern the text)."""
        if self.matches(toks):
            return True
        folded = fold(text) if text and self.patterns else ""
        return any(p.search(folded) for _, p in self.patterns) if folded else False


def parse_rules(text: str, name: str = "rules") -> PhraseTable:
    """Compile a rule file's text."""
    phrases = []
    patterns = []
    group = ""
    for number, raw in enumerate(text.splitlines(), 1):
        if raw.strip().startswith("re:"):
            patterns.append((group, _re2(raw.strip()[3:].strip(), f"{name}:{number}")))
            continue
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        if line.startswith("[") and line.endswith("]"):
            group = line[1:-1].strip()
            continue
        try:
            phrases.extend(compile_phrases(line, group))
        except ValueError as exc:
            raise ValueError(f"{name}:{number}: {exc}") from None
    return PhraseTable(phrases, patterns)


def _re2(pattern: str, where: str) -> Any:
    """An RE2 pattern: matching time is linear in the text, whatever the pattern."""
    import re2

    try:
        return re2.compile(pattern)
    except Exception as exc:  # re2 raises its own error type
        raise ValueError(f"{where}: bad pattern {pattern!r}: {exc}") from None


@cache
def rules(name: str) -> PhraseTable:
    """The packaged rule file ``analysis/data/<name>.txt``, compiled once on first use."""
    text = files("careerbot.analysis").joinpath(f"data/{name}.txt").read_text(encoding="utf-8")
    return parse_rules(text, f"{name}.txt")
