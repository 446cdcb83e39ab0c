"""Decisions made in code before any retrieval: input checks, small talk, scope and distress."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from typing import Literal

from careerbot.schema import message_text

SmallTalk = Literal["greeting", "capabilities", "list_careers", "thanks"]

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


def input_problem(text: str, max_chars: int) -> str | None:
    """Why the message cannot be answered as it is, or None when it can."""
    if not text:
        return "Please type a question about a career, for example: What does a dental hygienist do?"
    if len(text) > max_chars:
        return (
            f"Your message is {len(text):,} characters long; the limit is {max_chars:,}. "
            "Please shorten it to the question you want answered."
        )
    if not re.search(r"[^\W\d_]", text):
        return "I could not find any words in that message. Please ask a question about a career."
    return None


_GREETING = re.compile(
    r"^(hi|hello|hey|hiya|howdy|yo|good (morning|afternoon|evening)|greetings|hola)\b[\s!.,]*(there|bot|careerbot)?[\s!.,]*$"
)
_THANKS = re.compile(r"^(thanks|thank you|thx|ty|cheers|great,? thanks)\b[\s!.,]*(a lot|so much)?[\s!.,]*$")
# Questions about the bot itself: the whole (short) message, never a phrase inside a career question.
_CAPABILITIES = re.compile(
    r"^(so |ok |okay |and )?(what can you do|what do you do|who are you|what are you|how (can|do) i use (you|this)|"
    r"what is this( bot| site| page)?|how does this work|help)[\s?!.]*$"
)
_LIST = re.compile(
    r"^(so |ok |okay |and )?((which|what) (careers|jobs|professions|occupations) (do you (know|cover|have)( about)?|"
    r"can you (help|tell me) (with|about)|are there)|list (of )?(the |all )?(your )?(careers|jobs)|"
    r"(show|give) me (the |all )?(careers|jobs)( you know)?)[\s?!.]*$"
)


def small_talk(text: str) -> SmallTalk | None:
    """Greetings, thanks and questions about the bot itself (whole messages only)."""
    lowered = " ".join(text.lower().split())
    if _GREETING.match(lowered):
        return "greeting"
    if _THANKS.match(lowered):
        return "thanks"
    if _LIST.match(lowered):
        return "list_careers"
    if _CAPABILITIES.match(lowered):
        return "capabilities"
    return None


_DISTRESS = re.compile(
    r"\b(kill(ing)? myself|suicid\w*|end (my|my own) life|end it all|want(ed)? to die|"
    r"self[- ]?harm\w*|hurt(ing)? myself|cut(ting)? myself|no reason to live|can'?t go on(?! to)|"
    r"better off dead|don'?t want to (live|be alive|be here anymore)|give up on (life|everything)|"
    r"(i|i'm|i am|i feel|feel|feeling|i've been feeling) (so |really |completely |totally )?(hopeless|worthless))\b"
)

CRISIS_MESSAGE = (
    "I'm really sorry you're feeling this way, and I'm glad you said something. "
    "Please talk to someone you trust today: a family member, a friend, a teacher, a school counselor or a doctor. "
    "If you are in the US, you can call or text 988 (the Suicide & Crisis Lifeline) at any hour; "
    "elsewhere, call your local emergency number or a local crisis line. "
    "If you might act on these thoughts right now, call emergency services."
)


def shows_distress(text: str) -> bool:
    """True when the message suggests the person may be in crisis."""
    return bool(_DISTRESS.search(text.lower().replace("\u2019", "'")))


# Words that make a message a career question even when it names no career.
_CAREER_WORDS = re.compile(
    r"\b(career|careers|job|jobs|work|working|worked|profession|occupation|employ\w*|hire|hired|hiring|"
    r"become|becoming|major|majors|degree|degrees|college|university|school|study|studying|salary|"
    r"pay|paid|earn|income|wage|internship|resume|cv|interview|skills?|field|industry|trade|trades|"
    r"apprentice\w*|boss|promotion|quit|retire|experience|certif\w*|licen[cs]e|training|bootcamp|"
    r"path|future|passion|fields?|company|companies|office|shift|hours|coworkers?|colleagues?|manager|"
    r"graduat\w*|student|course|courses|qualif\w*|gig|freelanc\w*|self-employed|business|"
    r"living|money|hobby|talent|good at|good with|do for a living|switch|transition)\b"
)
_OFF_TOPIC = re.compile(
    r"(```|\b(write|give) me (a|an|the|some)\b.{0,30}\b(function|script|program|class|regex|sql query|code)\b|"
    r"\bwrite (a|an|the) (python |javascript |java |c\+\+ |sql )?(function|script|program|class|regex|query)\b|"
    r"\b(debug|fix) my (code|program|script|bug)\b|\bpython (code|function|script)\b|"
    r"\bsolve\b.{0,30}(equation|for x|problem)|\b(what is|what's|calculate|compute)\s+-?\d+\s*[-+*/^x]\s*\d+|"
    r"\b(derivative|integral|homework|essay (on|about))\b|\bcapital of\b|\bwho won\b|\bweather\b|"
    r"\brecipe\b|\btranslate\b|\btell me a joke\b|\bsystem prompt\b|\byour (instructions|prompt|rules)\b|"
    r"\b(diagnose me|can you diagnose|what disease|symptoms? (of|mean)|rash|dosage|what (medicine|medication) should i take)\b|"
    r"\bpain in my\b|\bapi keys?\b)"
)


def is_off_topic_request(text: str) -> bool:
    """A request of a kind careerbot never answers: code, homework, trivia, diagnosis, its own prompt."""
    return bool(_OFF_TOPIC.search(text.lower()))


def has_career_words(text: str) -> bool:
    """True when the message talks about work, study or careers in general terms."""
    return bool(_CAREER_WORDS.search(text.lower()))


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
