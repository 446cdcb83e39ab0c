"""Input checks made before any analysis: normalisation, empty and over-long messages, and the crisis reply."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping

from careerbot.schema import Reason, message_text

_LETTER = re.compile(r"[^\W\d_]")  # a letter of any script

# Kept: newline and tab. Dropped: other control characters (Cc), format characters such as
# zero-width spaces and joiners (Cf), and lone surrogates (Cs), which cannot be encoded as UTF-8.
_KEEP = frozenset("\n\t")
_DROP_CATEGORIES = frozenset(["Cc", "Cf", "Cs"])


def clean_message(text: object) -> str:
    """Normalise a message once, at the edge: NFKC; control, zero-width and surrogate characters removed."""
    if not isinstance(text, str):
        return ""
    kept = "".join(ch for ch in text if ch in _KEEP or unicodedata.category(ch) not in _DROP_CATEGORIES)
    return unicodedata.normalize("NFKC", kept).strip()


def clean_history(history: object, max_items: int, max_chars: int) -> list[dict[str, str]]:
    """The last ``max_items`` user/assistant messages, each cleaned and cut to ``max_chars``."""
    if not isinstance(history, list | tuple):
        return []
    cleaned: list[dict[str, str]] = []
    for message in list(history)[-max_items:] if max_items else []:
        if not isinstance(message, Mapping) or message.get("role") not in ("user", "assistant"):
            continue
        content = clean_message(message_text(message)[: max_chars * 2])[:max_chars]
        cleaned.append({"role": str(message["role"]), "content": content})
    return cleaned


def input_problem(text: str, max_chars: int) -> tuple[Reason, str] | None:
    """Why the message cannot be answered as it is (reason, message for the user), or None."""
    if not text:
        return "empty", "Please type a question about a career, for example: What does a dental hygienist do?"
    if len(text) > max_chars:
        return "too_long", (
            f"Your message is {len(text):,} characters long; the limit is {max_chars:,}. "
            "Please shorten it to the question you want answered."
        )
    if not _LETTER.search(text):
        return "no_words", "I could not find any words in that message. Please ask a question about a career."
    return None


CRISIS_MESSAGE = (
    "I'm really sorry you're feeling this way, and I'm glad you said something. "
    "Please talk to someone you trust today: a family member, a friend, a teacher, a school counselor or a doctor. "
    "If you are in the US, you can call or text 988 (the Suicide & Crisis Lifeline) at any hour; "
    "elsewhere, call your local emergency number or a local crisis line. "
    "If you might act on these thoughts right now, call emergency services."
)


# Role phrases are matched over a token list, never with a regex over free runs of words: a regex
# of the form ``(?:[a-z]+\s?){1,4}?`` backtracked catastrophically (26 s for a 300-character message).
_TOKEN = re.compile(r"[a-z][a-z'-]*|[.,?!;:)]")  # one pass, no nested quantifier: linear time
_PUNCT = frozenset(".,?!;:)")
_ROLE_TRIGGERS: tuple[tuple[str, ...], ...] = tuple(
    tuple(p.split())
    for p in (
        "become",
        "becoming",
        "be",
        "being",
        "work as",
        "working as",
        "career as",
        "job as",
        "training to be",
        "studying to be",
        "want to be",
        "wanna be",
        "life of",
        "life as",
    )
)
_ARTICLES = frozenset(["a", "an", "the"])
# Words that end the job title in "become a scuba diver and ...".
_ROLE_END = frozenset(
    [
        "and",
        "but",
        "or",
        "because",
        "when",
        "if",
        "so",
        "in",
        "at",
        "for",
        "with",
        "after",
        "before",
        "someday",
        "one",
        "like",
        "who",
        "that",
        "than",
        "instead",
        "too",
        "later",
        "now",
        "while",
        "since",
        "without",
        "by",
        "from",
        "of",
        "do",
        "does",
        "is",
        "lol",
    ]
)
_WHAT_DOES_END = frozenset(["do", "make", "earn"])
_JOB_WORDS = frozenset(["job", "career"])
_JOB_ADJECTIVES = frozenset(["real", "good", "stable", "viable"])
_LEARN_WORDS = frozenset(["learn", "train", "start", "get", "become"])


def _title_until(tokens: list[str], start: int, stops: frozenset[str], max_words: int) -> list[str] | None:
    """The 1..max_words words from ``start`` up to a stop word, punctuation or the end; None if longer."""
    for n in range(1, max_words + 1):
        end = start + n
        if end > len(tokens) or tokens[end - 1] in _PUNCT:
            return None
        if end == len(tokens) or tokens[end] in _PUNCT or tokens[end] in stops:
            return tokens[start:end]
    return None


def _role_candidates(tokens: list[str]) -> list[list[str]]:
    """Job titles named by the four role phrasings, in the order the phrasings are tried."""
    found: list[list[list[str]]] = [[], [], [], []]
    n = len(tokens)
    for i in range(n):
        for trigger in _ROLE_TRIGGERS:
            k = len(trigger)
            if tuple(tokens[i : i + k]) == trigger and i + k < n and tokens[i + k] in _ARTICLES:
                title = _title_until(tokens, i + k + 1, _ROLE_END, 4)
                if title:
                    found[0].append(title)
        # "what does an astronaut do"
        if (
            tokens[i] == "what"
            and tokens[i + 1 : i + 2] in (["does"], ["do"])
            and i + 2 < n
            and tokens[i + 2] in _ARTICLES
        ):
            title = _title_until(tokens, i + 3, _WHAT_DOES_END, 3)
            if title and i + 3 + len(title) < n and tokens[i + 3 + len(title)] in _WHAT_DOES_END:
                found[1].append(title)
        # "is lighthouse keeper still a real job"
        if tokens[i] == "is":
            j = i + 1 + (1 if tokens[i + 1 : i + 2] in (["a"], ["an"]) else 0)
            for size in (1, 2, 3):
                rest = tokens[j + size : j + size + 4]
                if rest[:1] == ["still"]:
                    rest = rest[1:]
                if rest[:1] in (["a"], ["an"]):
                    rest = rest[1:]
                    if rest[:1] and rest[0] in _JOB_ADJECTIVES:
                        rest = rest[1:]
                    title = tokens[j : j + size]
                    if rest[:1] and rest[0] in _JOB_WORDS and title and not (_PUNCT & set(title)):
                        found[2].append(title)
                        break
        # "how do taxidermists learn the job"
        if tokens[i : i + 2] == ["how", "do"] and i + 3 < n:
            word = tokens[i + 2]
            if word.endswith("s") and word not in _PUNCT and tokens[i + 3] in _LEARN_WORDS:
                found[3].append([word])
    # Like the search of one pattern per phrasing: only the leftmost title of each phrasing counts.
    return [group[0] for group in found if group]


_NOT_A_ROLE = frozenset(
    [
        "better",
        "good",
        "great",
        "successful",
        "part",
        "bit",
        "lot",
        "little",
        "fit",
        "person",
        "student",
        "adult",
        "parent",
        "kid",
        "professional",
        "career",
        "job",
        "expert",
        "beginner",
        "leader",
        "team",
        "success",
        "millionaire",
        "boss",
        "grown",
        "people",
        "you",
        "they",
        "we",
        "i",
        "students",
        "employers",
        "companies",
        "parents",
        "kids",
        "others",
        "most",
        "many",
        "some",
        "adults",
        "workers",
        "grads",
        "graduates",
        "beginners",
        "this",
        "that",
        "it",
        "there",
        "what",
        "which",
        "decent",
        "real",
        "thing",
        "way",
    ]
)


_FILLER = frozenset(["still", "really", "even", "ever", "actually", "just"])


def unknown_role(text: str) -> str | None:
    """The job a message asks about by name ("become a scuba diver", "what does an astronaut do")."""
    tokens = _TOKEN.findall(text.lower().replace("\u2019", "'"))
    for words in _role_candidates(tokens):
        words = list(words)
        while words and words[-1] in _FILLER:
            words.pop()
        if words and words[-1] not in _NOT_A_ROLE and not (len(words) == 1 and words[0] in _NOT_A_ROLE):
            return " ".join(words)
    return None
