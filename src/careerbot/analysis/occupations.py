"""The occupation a message names: a corpus career, a specialty a profile covers, or one with no profile."""

from __future__ import annotations

import re
import string
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import Literal

from careerbot.corpus import Profile, load_corpus

Kind = Literal["career", "specialty", "unknown"]

# A plain character class: one pass over the text, nothing to backtrack.
_WORD = re.compile(r"[a-z0-9]+")
# ASCII-only lower-casing keeps character offsets (str.lower turns "İ" into two characters).
_LOWER = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)
# Ranks settle two names for the same words: a corpus title beats a similar title, which beats an everyday
# variant, a specialty, then a BLS/O*NET title with no profile.
_UNKNOWN, _SPECIALTY, _VARIANT, _SIMILAR, _TITLE = range(5)
_IRREGULAR = (("wives", "wife"), ("men", "man"), ("people", "person"))
# At most this many "skip" words stand between a "before" phrase and the occupation ("become a pro X").
_MAX_SKIP = 2
_ARTICLES = frozenset({"a", "an", "the"})
# A negation counts this many words before an occupation phrasing: "I don't want to | be a doctor".
_NEGATION_WINDOW = 4


def singular(word: str) -> str:
    """Singular of an English occupation noun ("actuaries" -> "actuary", "coaches" -> "coach")."""
    for plural, one in _IRREGULAR:
        if word.endswith(plural):
            return word[: -len(plural)] + one
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("sses", "ches", "shes", "xes")):
        return word[:-2]
    if word.endswith("s") and not word.endswith(("ss", "us")):
        return word[:-1]
    return word


def words_of(text: str) -> list[str]:
    """Lower-case words and numbers of a text, in order."""
    return _WORD.findall(text.translate(_LOWER))


@dataclass(frozen=True)
class OccupationMention:
    """An occupation named in a message."""

    words: str  # the occupation as written, lower-case, last word singular ("x-ray tech", "actuary")
    kind: Kind  # a corpus career, a specialty covered by a profile, or an occupation with no profile
    slug: str = ""  # the corpus career (career and specialty kinds); "" for unknown
    lead: str = ""  # specialty only: framing line before quotes from the covering profile
    in_context: bool = False  # asked in an occupation phrasing ("become a X", "X salary", ...)
    negated: bool = False  # the phrasing is negated ("not as a doctor", "I don't want to be a nurse")
    start: int = 0  # character span in the message
    end: int = 0


@dataclass(frozen=True)
class _Entry:
    kind: Kind
    slug: str
    lead: str
    rank: int


class _Node:
    __slots__ = ("children", "entry")

    def __init__(self) -> None:
        self.children: dict[str, _Node] = {}
        self.entry: _Entry | None = None


def _data_lines(name: str) -> list[tuple[int, str]]:
    """(line number, text) of a packaged data file, without comments and blank lines."""
    text = files("careerbot.analysis").joinpath("data", name).read_text(encoding="utf-8")
    return [
        (number, line.strip())
        for number, line in enumerate(text.splitlines(), 1)
        if line.strip() and not line.lstrip().startswith("#")
    ]


def _arrow(name: str, number: int, line: str) -> tuple[str, list[str]]:
    """Split 'words -> slug | field | field'; a malformed line names its file and line."""
    words, sep, rest = line.partition("->")
    fields = [f.strip() for f in rest.split("|")]
    if not sep or not words.strip() or not fields[0]:
        raise ValueError(f"{name}:{number}: expected 'occupation -> slug ...', got {line!r}")
    return words.strip(), fields


def career_names(profiles: Iterable[Profile]) -> dict[str, list[str]]:
    """Slug -> [title, *similar titles] of each profile."""
    return {p.slug: [p.title, *p.similar_titles] for p in profiles}


class OccupationLexicon:
    """Occupation titles as a word trie; ``find`` runs in time linear in the message's words."""

    def __init__(self, careers: Mapping[str, Sequence[str]]) -> None:
        """Build from slug -> [title, *similar titles]; reads the packaged data files (never at import)."""
        self._root = _Node()
        self._vocab: set[str] = set()
        self._depth = 1
        for _, line in _data_lines("occupations.txt") + _data_lines("everyday.txt"):
            self._add(line, _Entry("unknown", "", "", _UNKNOWN))
        for number, line in _data_lines("specialties.txt"):
            words, fields = _arrow("specialties.txt", number, line)
            if len(fields) != 3:
                raise ValueError(f"specialties.txt:{number}: expected 'occupation -> slug | evidence | lead'")
            # a corpus without the covering profile leaves the specialty an occupation with no profile
            entry = _Entry("specialty", fields[0], fields[2], _SPECIALTY)
            self._add(words, entry if fields[0] in careers else _Entry("unknown", "", "", _UNKNOWN))
        for number, line in _data_lines("variants.txt"):
            words, fields = _arrow("variants.txt", number, line)
            if fields[0] in careers:
                self._add(words, _Entry("career", fields[0], "", _VARIANT))
        for slug in sorted(careers):
            names = careers[slug]
            for index, name in enumerate(names):
                self._add(name, _Entry("career", slug, "", _TITLE if index == 0 else _SIMILAR))
        ambiguous = [line.split() for _, line in _data_lines("ambiguous.txt")]
        self._ambiguous = {words[0] for words in ambiguous}
        self._needs_article = {words[0] for words in ambiguous if words[1:] == ["article"]}
        self._before: set[tuple[str, ...]] = set()
        self._after: set[str] = set()
        self._skip: set[str] = set()
        self._and: set[str] = set()
        self._not: set[tuple[str, ...]] = set()
        for number, line in _data_lines("context.txt"):
            key, _, phrase = line.partition(":")
            tokens = tuple(words_of(phrase))
            if key == "before" and tokens:
                self._before.add(tokens)
            elif key == "after" and len(tokens) == 1:
                self._after.add(tokens[0])
            elif key == "skip" and len(tokens) == 1:
                self._skip.add(tokens[0])
            elif key == "and" and len(tokens) == 1:
                self._and.add(tokens[0])
            elif key == "not" and tokens:
                self._not.add(tokens)
            else:
                raise ValueError(
                    f"context.txt:{number}: expected 'before:', 'after:', 'skip:', 'and:' or 'not:' words"
                )
        self._before_lengths = sorted({len(b) for b in self._before}, reverse=True)

    @classmethod
    def from_corpus(cls, corpus_dir: Path) -> OccupationLexicon:
        """Lexicon over the careers of a corpus folder."""
        return cls(career_names(load_corpus(corpus_dir).profiles))

    def _add(self, name: str, entry: _Entry) -> None:
        words = words_of(name)
        if not words:
            return
        node = self._root
        for word in words:
            node = node.children.setdefault(word, _Node())
        self._vocab.update(words)
        self._depth = max(self._depth, len(words))
        old = node.entry
        # A specialty keeps its lead over a similar title of the same career; otherwise the higher rank wins
        # and, between two careers' similar titles, the first slug keeps the name (as the corpus loader does).
        if old is None or (
            entry.rank > old.rank and not (old.kind == "specialty" and old.slug == entry.slug)
        ):
            node.entry = entry

    def _canon(self, word: str) -> str:
        """The lexicon's form of a word: itself, or its singular when only that is known."""
        if word in self._vocab:
            return word
        one = singular(word)
        if one in self._vocab:
            return one
        if word.endswith("s"):  # "nurses": singular() keeps "nurse" but try the bare stem too
            for candidate in (word[:-1], word[:-2]):
                if candidate in self._vocab:
                    return candidate
        return word

    def find_all(self, text: str) -> list[OccupationMention]:
        """Every occupation named in the text, in order; longest phrase first where names overlap."""
        low = text.translate(_LOWER)
        spans = [(m.group(), m.start(), m.end()) for m in _WORD.finditer(low)]
        raw = [word for word, _, _ in spans]
        canon = [self._canon(word) for word in raw]
        # longest match starting at each word: O(words x deepest title)
        by_length: list[list[tuple[int, _Entry]]] = [[] for _ in range(self._depth + 1)]
        for i in range(len(canon)):
            node, best = self._root, None
            for j in range(i, min(len(canon), i + self._depth)):
                child = node.children.get(canon[j])
                if child is None:
                    break
                node = child
                if node.entry is not None:
                    best = (j + 1 - i, node.entry)
            if best is not None:
                by_length[best[0]].append((i, best[1]))
        taken = [False] * len(canon)
        chosen: list[tuple[int, int, _Entry]] = []
        for length in range(self._depth, 0, -1):
            for i, entry in by_length[length]:
                if not any(taken[i : i + length]):
                    taken[i : i + length] = [True] * length
                    chosen.append((i, i + length, entry))
        chosen.sort(key=lambda c: c[0])
        # whole-message test without rescanning the message per mention (that would be quadratic)
        plain = sum(word not in self._skip for word in raw)
        phrasing = [self._phrasing(raw, i, j) for i, j, _ in chosen]
        negated = [p is None for p in phrasing]
        context = [
            bool(p) or (p is not None and plain == sum(word not in self._skip for word in raw[i:j]))
            for p, (i, j, _) in zip(phrasing, chosen, strict=True)
        ]
        # two occupations joined by "or"/"and" share one phrasing: "become a nurse or a zookeeper",
        # "HR or office manager jobs"; one pass each way carries it along a chain
        joined = [self._joined(raw, chosen[n - 1][1], chosen[n][0]) for n in range(1, len(chosen))]
        for n in range(1, len(chosen)):
            negated[n] = negated[n] or (joined[n - 1] and negated[n - 1])  # "not a nurse or a doctor"
        for n in range(1, len(chosen)):
            context[n] = not negated[n] and (context[n] or (joined[n - 1] and context[n - 1]))
        for n in range(len(chosen) - 2, -1, -1):
            context[n] = not negated[n] and (context[n] or (joined[n] and context[n + 1]))
        mentions = []
        for (i, j, entry), in_context, negative in zip(chosen, context, negated, strict=True):
            if j - i == 1 and canon[i] in self._ambiguous and not in_context:
                continue
            if j - i == 1 and canon[i] in self._needs_article and (i == 0 or raw[i - 1] not in _ARTICLES):
                continue
            last_start = spans[j - 1][1]
            words = low[spans[i][1] : last_start] + canon[j - 1]
            mentions.append(
                OccupationMention(
                    words,
                    entry.kind,
                    entry.slug,
                    entry.lead,
                    in_context,
                    negative,
                    spans[i][1],
                    spans[j - 1][2],
                )
            )
        return mentions

    def find(self, text: str) -> OccupationMention | None:
        """The occupation the message asks about: the first in an occupation phrasing, else the first named.

        A negated one ("not as a doctor") is never the subject. An ``unknown`` mention that is not
        ``in_context`` may be a passing word ("my dad was a baker"), so it alone should not make a no_info.
        """
        mentions = [m for m in self.find_all(text) if not m.negated]
        return next((m for m in mentions if m.in_context), mentions[0] if mentions else None)

    def _joined(self, words: list[str], end: int, start: int) -> bool:
        """Whether only a joining word (and skip words) stand between two mentions."""
        between = words[end:start]
        return (
            0 < len(between) <= _MAX_SKIP + 1
            and between[0] in self._and
            and all(w in self._skip for w in between[1:])
        )

    def _phrasing(self, words: list[str], i: int, j: int) -> bool | None:
        """True when words[i:j] stand in an occupation phrasing of context.txt, None when it is negated."""
        if j < len(words) and words[j] in self._after:
            return True
        k = i
        for _ in range(_MAX_SKIP + 1):
            for n in self._before_lengths:
                if n <= k and tuple(words[k - n : k]) in self._before:
                    return None if self._negated(words, k - n) else True
            if k == 0 or words[k - 1] not in self._skip:
                break
            k -= 1
        return False

    def _negated(self, words: list[str], start: int) -> bool:
        """Whether a negation of context.txt ends in the few words before ``start``."""
        low = max(0, start - _NEGATION_WINDOW)
        return any(
            tuple(words[end - len(neg) : end]) == neg
            for end in range(low + 1, start + 1)
            for neg in self._not
            if end - len(neg) >= low
        )
