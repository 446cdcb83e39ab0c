"""Decisions made in code before any retrieval: input checks, small talk, scope and distress."""

from __future__ import annotations

import re
import unicodedata
from typing import Literal

SmallTalk = Literal["greeting", "capabilities", "list_careers", "thanks"]

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean_message(text: object) -> str:
    """Normalise a message: NFC, control characters removed, surrounding space trimmed."""
    if not isinstance(text, str):
        return ""
    return _CONTROL.sub("", unicodedata.normalize("NFC", text)).strip()


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


_ROLE_PATTERNS = tuple(
    re.compile(p)
    for p in (
        # "become a scuba diver", "career as an astronaut", "being a beekeeper"
        r"\b(?:become|becoming|be|being|work as|working as|career as|job as|training to be|studying to be|"
        r"want to be|wanna be|life of|life as)\s+(?:an?|the)\s+((?:[a-z][a-z'-]*\s?){1,4}?)"
        r"(?=\s*(?:[.,?!;:)]|$|\b(?:and|but|or|because|when|if|so|in|at|for|with|after|before|someday|one|like|"
        r"who|that|than|instead|too|later|now|while|since|without|by|from|of|do|does|is|lol)\b))",
        # "what does an astronaut do"
        r"\bwhat (?:does|do) (?:an?|the) ((?:[a-z][a-z'-]*\s?){1,3}?) (?:do|make|earn)\b",
        # "is lighthouse keeper still a real job"
        r"\bis (?:an?\s)?((?:[a-z][a-z'-]*\s?){1,3}?) (?:still )?an? (?:real |good |stable |viable )?(?:job|career)\b",
        # "how do taxidermists learn the job"
        r"\bhow do ([a-z][a-z'-]*s) (?:learn|train|start|get|become)\b",
    )
)
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
    lowered = text.lower().replace("\u2019", "'")
    for pattern in _ROLE_PATTERNS:
        match = pattern.search(lowered)
        if not match:
            continue
        words = match.group(1).split()
        while words and words[-1] in _FILLER:
            words.pop()
        if words and words[-1] not in _NOT_A_ROLE and not (len(words) == 1 and words[0] in _NOT_A_ROLE):
            return " ".join(words)
    return None
