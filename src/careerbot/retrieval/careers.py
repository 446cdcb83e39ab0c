"""Find the careers a message names: titles and similar titles, tolerant of case, plurals and typos."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from careerbot.corpus.schema import Profile
from careerbot.retrieval.text import stem_all, within_one_edit, words

# Single words that name a family of jobs, not one career: never a match on their own.
_GENERIC = frozenset(
    stem_all(
        [
            "manager",
            "specialist",
            "engineer",
            "developer",
            "designer",
            "analyst",
            "technician",
            "tech",
            "assistant",
            "consultant",
            "officer",
            "agent",
            "coordinator",
            "worker",
            "representative",
            "rep",
            "associate",
            "director",
            "administrator",
            "operator",
            "scientist",
            "therapist",
            "producer",
            "writer",
            "artist",
            "editor",
            "planner",
            "owner",
            "lead",
            "senior",
            "junior",
            "head",
            "chief",
            "clerk",
            "professional",
            "expert",
            "instructor",
            "technologist",
        ]
    )
)
# Field words that are too common to name a career by themselves ("school" in "school counselor").
_COMMON_FIELDS = frozenset(
    stem_all(
        [
            "school",
            "project",
            "personal",
            "medical",
            "dental",
            "physical",
            "occupational",
            "registered",
            "real",
            "public",
            "human",
            "event",
            "police",
            "general",
            "family",
            "primary",
            "health",
            "care",
            "clinical",
            "senior",
            "junior",
            "social",
        ]
    )
)
# Words that name a whole career cluster ("which trades..."): each career of it gets a weak mention.
CLUSTER_WORDS: dict[tuple[str, ...], str] = {
    ("trade",): "Skilled trades",
    ("trades",): "Skilled trades",
    ("skilled", "trades"): "Skilled trades",
    ("healthcare",): "Health care",
    ("health", "care"): "Health care",
    ("medical", "field"): "Health care",
    ("tech", "industry"): "Technology",
    ("tech", "jobs"): "Technology",
}
_CLUSTER_STRENGTH = 0.5
_MAX_CAREERS_PER_ALIAS = 3
_MIN_FUZZY_LEN = 5
_FIELD_STRENGTH = 0.6
# A two-word field ("social media", "real estate") outranks a one-word one ("software") but stays a
# field word, never a whole title (is_strong needs 1.0).
_FIELD_MAX = 0.9
_ACRONYM = re.compile(r"^[A-Z]{2,5}$")


def _deletes(word: str) -> set[str]:
    """The word and every form of it with one letter removed."""
    return {word} | {word[:i] + word[i + 1 :] for i in range(len(word))}


@dataclass(frozen=True)
class CareerMention:
    """A career named in a message and how strongly (matched alias length, title bonus)."""

    slug: str
    strength: float
    alias: str

    @property
    def is_strong(self) -> bool:
        """A whole title or similar title, not just a field word ("marketing")."""
        return self.strength >= 1.0


class CareerMatcher:
    """Alias table built from the corpus titles and similar titles."""

    def __init__(self, profiles: Iterable[Profile]) -> None:
        table: dict[tuple[str, ...], set[str]] = defaultdict(set)
        fields: dict[str, set[str]] = defaultdict(set)
        acronyms: dict[str, set[str]] = defaultdict(set)
        title_keys: set[tuple[str, ...]] = set()
        self.titles: dict[str, str] = {}
        self._clusters: dict[str, list[str]] = defaultdict(list)
        raw_vocab: dict[str, str] = {}
        single_words: dict[str, str] = {}
        for profile in profiles:
            self.titles[profile.slug] = profile.title
            self._clusters[profile.cluster].append(profile.slug)
            own_names = (profile.title, profile.slug.replace("-", " "))
            for name in (*own_names, *profile.similar_titles):
                clean = re.sub(r"\(.*?\)", " ", name).strip()
                if _ACRONYM.match(clean):  # "HR", "RN", "DO": only in capitals
                    acronyms[clean].add(profile.slug)
                    continue
                raw = words(clean)
                key = tuple(stem_all(raw))
                if not key:
                    continue
                raw_vocab.update(zip(raw, key, strict=True))
                if len(raw) == 1:
                    single_words[raw[0]] = key[0]
                if (
                    name in own_names
                    and len(key) > 1
                    and key[-1] in _GENERIC
                    and (key[0] not in _COMMON_FIELDS or len(key) > 2)
                ):
                    # "cybersecurity analyst" -> "cybersecurity"; "social media specialist" -> "social media"
                    fields[" ".join(raw[:-1])].add(profile.slug)
                if len(key) == 1 and key[0] in _GENERIC:
                    continue
                table[key].add(profile.slug)
                if name in own_names:
                    title_keys.add(key)
        self._aliases = {k: v for k, v in table.items() if len(v) <= _MAX_CAREERS_PER_ALIAS}
        # Field words match as written (plural allowed): "financially" is not "financial".
        self._fields = {tuple(k.split()): v for k, v in fields.items() if len(v) == 1}
        self._acronyms = {k: v for k, v in acronyms.items() if len(v) <= _MAX_CAREERS_PER_ALIAS}
        self._title_keys = title_keys
        self._stem_vocab = {t for key in self._aliases for t in key} | set(stem_all(list(fields)))
        self._raw_vocab = {w: s for w, s in raw_vocab.items() if len(w) >= _MIN_FUZZY_LEN}
        self._single_words = {w.removesuffix("s") for w in single_words}
        # typo candidates by length, compared in singular form
        self._singular_to_word = {w.removesuffix("s"): w for w in self._raw_vocab}
        self._by_delete: dict[str, list[str]] = defaultdict(list)  # symmetric-delete typo index
        for singular in self._singular_to_word:
            for variant in _deletes(singular):
                self._by_delete[variant].append(singular)
        self._forms: dict[str, set[str]] = defaultdict(set)
        for word, stem in single_words.items():
            self._forms[stem].add(word)
        self._max_len = max((len(k) for k in self._aliases), default=1)

    def _tokens(self, raw: list[str]) -> list[str]:
        """Stems, with one-typo words ("nurce") replaced by the alias word they resemble."""
        tokens = stem_all(raw)
        for i, (word, stem) in enumerate(zip(raw, tokens, strict=True)):
            if stem in self._stem_vocab or len(word) < _MIN_FUZZY_LEN:
                continue
            singular = word.removesuffix("s")
            candidates = {v for d in _deletes(singular) for v in self._by_delete.get(d, ())}
            match = min(
                (v for v in candidates if within_one_edit(singular, v)),
                key=lambda v: (
                    v not in self._single_words,
                    v,
                ),  # "electricans": "electrician", not "electrical"
                default=None,
            )
            if match:
                tokens[i] = self._raw_vocab[self._singular_to_word[match]]
        return tokens

    def _same_word(self, word: str, stem: str) -> bool:
        """One-word aliases need the word itself (plural or one typo allowed): stems conflate
        "education" with "educator" and "nursing" with "nurse"."""
        forms = self._forms.get(stem, set())
        singular = word.removesuffix("s")
        return any(word == f or word in (f + "s", f + "es") or within_one_edit(singular, f) for f in forms)

    def find(self, text: str) -> list[CareerMention]:
        """Careers named in ``text``, strongest first."""
        raw = words(text)
        tokens = self._tokens(raw)
        # "cyber security" -> "cybersecurity", "video game" -> "videogame"
        for i in range(len(raw) - 1):
            joined = stem_all([raw[i] + raw[i + 1]])[0]
            if raw[i] and raw[i + 1] and joined in self._stem_vocab:
                tokens[i : i + 2] = [joined, ""]
                raw[i : i + 2] = [raw[i] + raw[i + 1], ""]
        best: dict[str, CareerMention] = {}

        def add(slugs: Iterable[str], strength: float, alias: str) -> None:
            slugs = list(slugs)
            for slug in slugs:
                value = strength / len(slugs)
                if slug not in best or best[slug].strength < value:
                    best[slug] = CareerMention(slug, value, alias)

        for size in range(min(self._max_len, len(tokens)), 0, -1):
            for start in range(len(tokens) - size + 1):
                key = tuple(tokens[start : start + size])
                alias = " ".join(w for w in raw[start : start + size] if w)
                if key in self._aliases and (size > 1 or self._same_word(raw[start], key[0])):
                    add(self._aliases[key], size + (0.5 if key in self._title_keys else 0.0), alias)
                field = tuple(
                    w.removesuffix("s") if (w.removesuffix("s"),) in self._fields else w
                    for w in raw[start : start + size]
                )
                if key not in self._aliases and field in self._fields:
                    add(self._fields[field], min(_FIELD_MAX, _FIELD_STRENGTH * size), alias)
        for size in (2, 1):
            for start in range(len(raw) - size + 1):
                cluster = CLUSTER_WORDS.get(tuple(raw[start : start + size]))
                for slug in self._clusters.get(cluster or "", ()):
                    if slug not in best:
                        best[slug] = CareerMention(
                            slug, _CLUSTER_STRENGTH, " ".join(raw[start : start + size])
                        )
        for acronym in set(re.findall(r"\b([A-Z]{2,5})s?\b", text)):
            if acronym in self._acronyms:
                add(self._acronyms[acronym], 1.0, acronym)
        return sorted(best.values(), key=lambda m: -m.strength)
