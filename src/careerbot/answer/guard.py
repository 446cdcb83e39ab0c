"""Grounding guard: keeps a generated sentence only when the retrieved profile text supports it.

A sentence is checked against each source on its own:
- every *risky term* (a number, a credential, a duration, a pay word, a negation, a capitalised name
  such as a tool) must occur in that source's text;
- and enough of its content words must occur there (lexical share), or a smaller share plus a close
  embedding match with one sentence of that source.
The best such source becomes its citation; an ``[n]`` pointing anywhere else is removed. Thresholds were
set on tests/golden/guard-sentences.jsonl (tests/test_guard.py prints the false-drop/false-keep rates).
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from careerbot.answer.units import split_units
from careerbot.retrieval.keyword import keyword_tokens
from careerbot.retrieval.text import stem_all, words
from careerbot.schema import Source

Embed = Callable[[list[str]], list[list[float]]]

LEXICAL_MIN = 0.7  # share of content words found in one source that alone counts as support
LEXICAL_FLOOR = 0.4  # below this share no embedding match rescues a sentence
SIMILARITY_MIN = 0.62  # cosine (all-MiniLM-L6-v2) to one source sentence that counts as a paraphrase
WINDOW_UNITS = 2  # a claim's risky terms must occur within this many adjacent source sentences
MAX_SENTENCE_CHARS = 600  # longer "sentences" are run-ons; checked on their first part only

_CITATION = re.compile(r"\[(\d{1,3})\]")  # anchored digits in brackets: linear time

NUMBER_WORDS = {
    "one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6", "seven": "7",
    "eight": "8", "nine": "9", "ten": "10", "eleven": "11", "twelve": "12", "fifteen": "15",
    "twenty": "20", "thirty": "30", "forty": "40", "fifty": "50", "hundred": "100",
    "thousand": "1000", "million": "1000000", "half": "half", "dozen": "12",
}  # fmt: skip
# Words whose presence makes a sentence a factual claim that must be found in the source itself.
RISKY_WORDS = frozenset(
    stem_all(
        """degree degrees bachelor bachelors master masters associate doctorate doctoral phd mba md jd
        diploma certificate certification certified license licensed licensure exam examination ged
        apprenticeship residency internship accredited
        year years month months week weeks hour hours semester decade
        salary salaries earn earns earning paid wage wages income hourly annual annually
        percent always never only guaranteed required mandatory""".split()  # noqa: SIM905
    )
)
NEGATIONS = frozenset({"not", "no", "never", "without", "cannot", "don't", "doesn't", "isn't", "aren't"})


def split_citations(sentence: str) -> tuple[str, tuple[int, ...]]:
    """The sentence without ``[n]`` markers, and the numbers it cited in order."""
    cited = tuple(dict.fromkeys(int(n) for n in _CITATION.findall(sentence)))
    clean = " ".join(_CITATION.sub(" ", sentence).split())
    return clean.replace(" .", ".").replace(" ,", ","), cited


def _number_tokens(text: str) -> set[str]:
    """Numbers in a text as digit strings ("four" -> "4", "$60,000" -> "60000")."""
    found: set[str] = set()
    for raw in text.replace(",", "").split():
        digits = "".join(ch for ch in raw if ch.isdigit() or ch == ".").strip(".")
        if any(ch.isdigit() for ch in digits):
            found.add(digits)
        word = raw.strip(".,;:!?()\"'").lower()
        if word in NUMBER_WORDS:
            found.add(NUMBER_WORDS[word])
    return found


def _names(sentence: str) -> set[str]:
    """Stems of capitalised words after the first word (tools, tests, bodies: AutoCAD, NCLEX, OSHA)."""
    names: set[str] = set()
    tokens = sentence.split()
    for previous, token in itertools.pairwise(tokens):
        word = token.strip(".,;:!?()\"'*[]")
        if not word or not word[0].isupper() or previous.endswith((".", ":", "!", "?")):
            continue
        if word in {"I", "I'm", "I've"}:
            continue
        names.update(stem_all([w for w in words(word) if not w.isdigit()]))
    return names


def _negated(text: str) -> bool:
    return any(w in NEGATIONS or w.endswith("n't") for w in words(text))


def not_a_claim(sentence: str) -> str:
    """Why a sentence is not advice from the profiles ("" when it may be): the model talking about itself
    or the question, or looping (all seen in SmolLM2's answers on the golden set)."""
    tokens = words(sentence)
    if any(t in {"i", "i'm", "i've", "i'd", "i'll"} for t in tokens):
        return "speaks as a person"
    if tokens[:2] in (["the", "question"], ["this", "question"], ["your", "question"]):
        return "about the question"
    if len(tokens) > 12 and len(set(tokens)) < 0.5 * len(tokens):
        return "repetitive"
    return ""


def _terms_of(text: str) -> set[str]:
    """Numbers (as digits) and word stems of a source text, for finding a sentence's risky terms."""
    return {f"#{n}" for n in _number_tokens(text)} | set(stem_all(words(text)))


def risky_terms(sentence: str) -> set[str]:
    """What must appear verbatim (stemmed) in the supporting source: the sentence's factual anchors."""
    stems_ = set(stem_all(words(sentence)))
    terms = {f"#{n}" for n in _number_tokens(sentence)}
    terms |= {s for s in stems_ if s in RISKY_WORDS}
    terms |= {"~neg"} if _negated(sentence) else set()
    terms |= _names(sentence) - {"career", "profil"}
    return terms


@dataclass
class _SourceIndex:
    """One source's words, numbers and sentences, computed once per answer."""

    tokens: set[str]
    terms: set[str]
    units: list[str]
    negated: list[set[str]] = field(default_factory=list)  # content words of each unit with a negation
    vectors: list[list[float]] | None = None
    header: set[str] = field(default_factory=set)  # terms of the title and section (true of every unit)
    unit_terms: list[set[str]] = field(default_factory=list)

    @classmethod
    def of(cls, source: Source) -> _SourceIndex:
        text = f"{source.title}. {source.section}. {source.text}"
        units = [u for _, u in split_units(source.text)] or [source.text]
        negated = [set(keyword_tokens(u)) for u in units if _negated(u)]
        return cls(
            set(keyword_tokens(text)),
            _terms_of(text),
            units,
            negated,
            header=_terms_of(f"{source.title}. {source.section}"),
            unit_terms=[_terms_of(u) for u in units],
        )

    def uncovered(self, terms: set[str]) -> set[str]:
        """The risky terms no ``WINDOW_UNITS`` adjacent sentences of this source hold together.

        Each term occurring somewhere is not enough: SmolLM2 wrote "to become a nurse you need a BSN or
        a DNP" from a profile whose DNP sentence is about nurse practitioners, four sentences later.
        """
        need = terms - self.header
        best = need
        for i in range(len(self.unit_terms)):
            if not best:
                break
            window = set().union(*self.unit_terms[i : i + WINDOW_UNITS])
            rest = need - window
            if len(rest) < len(best):
                best = rest
        return best

    def supports_negation(self, content: set[str]) -> bool:
        """A negated claim needs a negated source sentence about the same thing, not any "not" nearby.

        (Measured on SmolLM2 answers: "you do not need a master's degree to be a dietitian" passed
        when any "don't" in the profile counted.)
        """
        return any(len(content & unit) >= LEXICAL_FLOOR * len(content) for unit in self.negated)


@dataclass(frozen=True)
class Verdict:
    """The guard's decision on one generated sentence."""

    sentence: str  # as generated
    text: str  # as shown: citations rewritten to the supporting source ("" when dropped)
    kept: bool
    reason: str  # "supported", "paraphrase", "unsupported: salary, 4", "low overlap", "no content"
    source: int | None = None  # 1-based supporting source
    cited: tuple[int, ...] = ()  # citations as generated
    lexical: float = 0.0
    similarity: float = 0.0
    removed_citations: tuple[int, ...] = field(default=())


def _cosine(a: Sequence[float], b: Sequence[float]) -> float:
    dot = sum(x * y for x, y in zip(a, b, strict=False))
    norm = math.sqrt(sum(x * x for x in a)) * math.sqrt(sum(y * y for y in b))
    return dot / norm if norm else 0.0


class Guard:
    """Checks generated sentences against the sources of one answer."""

    def __init__(
        self, sources: Sequence[Source], embed: Embed | None = None, numbers: Sequence[int] | None = None
    ) -> None:
        """``numbers``: the citation number of each source (default 1..n), as the model saw them."""
        self.sources = list(sources)
        self.embed = embed
        self.numbers = list(numbers) if numbers is not None else list(range(1, len(self.sources) + 1))
        self._index = [_SourceIndex.of(s) for s in self.sources]
        # "[n] Title: Section" heads each excerpt in the prompt; SmolLM2 copies them as "sentences".
        self._headings = {f"{s.title}: {s.section}".lower() for s in self.sources}

    def _similarity(self, i: int, sentence: str) -> float:
        if self.embed is None:
            return 0.0
        index = self._index[i]
        if index.vectors is None:
            index.vectors = self.embed(index.units)
        [vector] = self.embed([sentence])
        return max((_cosine(vector, v) for v in index.vectors), default=0.0)

    def check(self, sentence: str) -> Verdict:
        """Keep (with a citation to the supporting source) or drop one generated sentence."""
        clean, cited = split_citations(sentence[:MAX_SENTENCE_CHARS])
        content = set(keyword_tokens(clean))
        if not content or not self.sources:
            return Verdict(sentence, "", False, "no content", cited=cited)
        if why := not_a_claim(clean):
            return Verdict(sentence, "", False, why, cited=cited)
        if clean.rstrip(".!?: ").lower() in self._headings:
            return Verdict(sentence, "", False, "heading", cited=cited)
        terms = risky_terms(clean)
        candidates: list[tuple[float, int]] = []
        missing_best: set[str] | None = None
        for i, index in enumerate(self._index):
            missing = index.uncovered(terms - {"~neg"})
            if "~neg" in terms and not index.supports_negation(content):
                missing.add("~neg")
            share = len(content & index.tokens) / len(content)
            if missing:
                if missing_best is None or len(missing) < len(missing_best):
                    missing_best = missing
                continue
            cite_bonus = 0.01 if self.numbers[i] in cited else 0.0  # prefer the model's own citation on ties
            candidates.append((share + cite_bonus, i))
        if not candidates:
            shown = ", ".join(sorted(t.lstrip("#~") for t in missing_best or ()))
            return Verdict(sentence, "", False, f"unsupported: {shown}", cited=cited)
        candidates.sort(key=lambda c: (-c[0], c[1]))
        share, best = candidates[0]
        share = min(share, 1.0)
        reason, similarity = "supported", 0.0
        if share < LEXICAL_MIN:
            if share < LEXICAL_FLOOR:
                return Verdict(sentence, "", False, "low overlap", lexical=share, cited=cited)
            similarity = max(self._similarity(i, clean) for s, i in candidates[:2] if s >= LEXICAL_FLOOR)
            if similarity < SIMILARITY_MIN:
                return Verdict(
                    sentence, "", False, "low overlap", lexical=share, similarity=similarity, cited=cited
                )
            reason = "paraphrase"
        # Every [n] the model wrote must point at a source that passes on its own; others are removed.
        passing = {self.numbers[i] for s, i in candidates if s >= LEXICAL_FLOOR}
        keep = tuple(n for n in cited if n in passing) or (self.numbers[best],)
        removed = tuple(n for n in cited if n not in keep)
        return Verdict(
            sentence, with_citations(clean, keep), True, reason, keep[0], cited, share, similarity, removed
        )


def with_citations(text: str, numbers: Sequence[int]) -> str:
    """``text`` with ``[n]`` markers before its final punctuation."""
    marks = "".join(f"[{n}]" for n in numbers)
    body = text.rstrip()
    if body and body[-1] in ".!?":
        return f"{body[:-1]} {marks}{body[-1]}"
    return f"{body} {marks}"
