"""One verdict per message: what it is about, which careers are in play, and whether it is refused.

Every decision about a message is made here, before retrieval, so "why did it say X?" has one
answer: the verdict. Only a message with no subject of its own (a follow-up) carries careers over,
and only from the user's own earlier turns, never from careers named in the bot's answers.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Literal

from careerbot.analysis.language import foreign_language
from careerbot.analysis.phrases import rules, tokens
from careerbot.answer.policy import unknown_role
from careerbot.retrieval.careers import CareerMatcher, CareerMention
from careerbot.retrieval.intent import section_intents
from careerbot.retrieval.query import QueryAnalysis
from careerbot.schema import Message, Reason, message_text

if TYPE_CHECKING:
    from careerbot.analysis.occupations import OccupationLexicon

SubjectKind = Literal[
    "career",  # a corpus career named (or a field/cluster of them)
    "specialty",  # a specialty a profile covers (dermatologist -> physician)
    "comparison",  # two careers side by side
    "unknown_occupation",  # a job with no profile
    "discovery",  # interests or strengths: which careers fit?
    "follow_up",  # no subject of its own: the conversation's subject carries over
    "general",  # a career question about no career in particular
    "small_talk",
    "off_topic",
    "harmful",
    "language",
]
SmallTalk = Literal["greeting", "capabilities", "list_careers", "thanks"]
REFUSALS: dict[str, Reason] = {"off_topic": "off_topic", "harmful": "harmful", "language": "language"}
MAX_MATCH_CHARS = 2000  # an earlier turn is searched for careers up to this length


@dataclass(frozen=True)
class Occupation:
    """A job a message names: a corpus career, a specialty one covers, or one with no profile."""

    name: str  # as written, singular ("zookeeper")
    slug: str | None = None  # the corpus career that is it, or covers it
    lead: str = ""  # for a specialty: "Dermatologists are physicians ...; from the Physician profile:"
    guessed: bool = False  # found by phrasing alone ("become a X"), not in the occupation list

    @property
    def unknown(self) -> bool:
        """True when no profile is or covers this occupation."""
        return self.slug is None


@dataclass(frozen=True)
class Interests:
    """What a discovery message says about the person."""

    traits: tuple[str, ...] = ()  # profile traits the interests point to ("creative", "computers")
    constraints: tuple[str, ...] = ()  # "no_degree", "no_blood", "no_desk"
    excluded: tuple[str, ...] = ()  # careers the person rules out ("not as a doctor")
    likes: str = ""  # the message without the constraint phrases: what fit is measured against
    named: tuple[str, ...] = ()  # careers named as interests ("I love video games, what should I do?")


@dataclass(frozen=True)
class Verdict:
    """The one decision about a message that retrieval, the engines and the evaluation act on."""

    kind: SubjectKind
    analysis: QueryAnalysis
    reason: Reason | None = None  # set when the message is refused
    small_talk: SmallTalk | None = None
    occupation: Occupation | None = None
    language: str = ""
    interests: Interests = field(default_factory=Interests)

    @property
    def refused(self) -> bool:
        """True for off-topic, harmful and other-language messages."""
        return self.reason is not None

    @property
    def careers(self) -> tuple[str, ...]:
        """Careers in play, strongest first."""
        return self.analysis.careers


@dataclass(frozen=True)
class _Subject:
    kind: SubjectKind
    named: tuple[CareerMention, ...] = ()
    occupation: Occupation | None = None


class Analyst:
    """Judges messages in their conversation, from the corpus careers and the packaged rule files."""

    def __init__(self, matcher: CareerMatcher, occupations: OccupationLexicon | None = None) -> None:
        self.matcher = matcher
        self.occupations = occupations

    # -- one message on its own ---------------------------------------------------------------

    def _occupation(self, text: str, strong: Sequence[CareerMention]) -> Occupation | None:
        """The occupation the message asks about, from the occupation list (longest phrase wins)."""
        mention = self.occupations.find(text) if self.occupations is not None else None
        if mention is not None and mention.kind == "unknown" and _describes_self(text[: mention.start]):
            mention = None  # "I worked as a cashier for 5 years, what else can I do?": not the subject
        if mention is None or (mention.kind == "unknown" and not mention.in_context and strong):
            # Not in the list: a job named by its phrasing ("become a lighthouse keeper") is checked
            # against the profiles by the service.
            role = None if strong else unknown_role(text)
            if role and not self.matcher.find(role):
                return Occupation(role, guessed=True)
            return None
        if mention.kind == "unknown":
            # A corpus career named by a phrase at least as long wins ("registered nurse" over "nurse").
            if any(len(m.alias.split()) >= len(mention.words.split()) for m in strong):
                return None
            # Named in passing ("my dad was a baker") unless the message asks about careers.
            toks = tokens(text)
            asks = has_career_words(toks) or section_intents(text)
            if not mention.in_context and (not asks or rules("discover").groups(toks)):
                return None
            return Occupation(mention.words)
        return Occupation(mention.words, mention.slug, mention.lead if mention.kind == "specialty" else "")

    def _named(self, text: str) -> tuple[CareerMention, ...]:
        """Careers named: the matcher's (titles, similar titles, typos), plus everyday names the
        occupation list knows for corpus careers ("hvac tech", "x-ray tech")."""
        named = list(self.matcher.find(text[:MAX_MATCH_CHARS]))
        if self.occupations is not None:
            have = {m.slug for m in named if m.is_strong}
            for mention in self.occupations.find_all(text[:MAX_MATCH_CHARS]):
                if mention.kind == "career" and not mention.negated and mention.slug not in have:
                    have.add(mention.slug)
                    named.append(
                        CareerMention(mention.slug, 1.0 + 0.1 * len(mention.words.split()), mention.words)
                    )
        return tuple(sorted(named, key=lambda m: -m.strength))

    def subject(self, text: str) -> _Subject:
        """What one message is about, on its own."""
        toks = tokens(text)
        if rules("harm").any(toks, text):
            return _Subject("harmful")
        if foreign_language(text):
            return _Subject("language")
        if small_talk_kind(toks):
            return _Subject("small_talk")
        named = self._named(text)
        strong = [m for m in named if m.is_strong]
        occupation = self._occupation(text, strong)
        if occupation is not None and occupation.unknown:
            return _Subject("unknown_occupation", (), occupation)
        if occupation is not None and occupation.slug and occupation.lead:
            mention = CareerMention(occupation.slug, 1.0, occupation.name)
            return _Subject("specialty", (mention,), occupation)
        excluded = set(self._excluded(toks))
        kept = [m for m in strong if m.slug not in excluded]
        if len({m.slug for m in kept}) >= 2 and rules("compare").any(toks):
            return _Subject("comparison", tuple(kept))
        discover = rules("discover").groups(toks)
        # Discovery: describing oneself with no career named, or asking what fits while naming
        # careers only as interests ("I love video games and coding, what should I do?").
        if (discover.get("cue") or discover.get("ask")) and (
            not kept or (discover.get("cue") and discover.get("ask"))
        ):
            return _Subject("discovery", tuple(kept))
        if named:
            return _Subject("career", named)
        if is_off_topic(toks, text) and not has_career_words(toks):
            return _Subject("off_topic")
        if section_intents(text) or has_career_words(toks) or rules("followup").any(toks):
            return _Subject("follow_up")
        return _Subject("general")

    def _excluded(self, toks: Sequence[str]) -> list[str]:
        """Careers ruled out ("not as a doctor", "anything but a lawyer")."""
        excluded: list[str] = []
        for phrase, _, end in rules("discover").matches(toks):
            if phrase.group == "exclude":
                window = " ".join(toks[end : end + 4])
                excluded += [m.slug for m in self.matcher.find(window) if m.is_strong]
        return excluded

    def interests(self, text: str) -> Interests:
        """Traits, constraints and exclusions a discovery message states."""
        toks = tokens(text)
        found = rules("discover").matches(toks)
        groups = dict.fromkeys(phrase.group for phrase, _, _ in found)
        traits = tuple(g.removeprefix("trait:") for g in groups if g.startswith("trait:"))
        constraints = tuple(g for g in groups if g.startswith("no_"))
        # What the person likes, without what they rule out: "blood" in "I faint at the sight of
        # blood" must not pull blood-and-guts careers up by similarity.
        dropped = {
            i
            for p, start, end in found
            if p.group.startswith("no_") or p.group == "exclude"
            for i in range(start, end + 4 if p.group == "exclude" else end)
        }
        likes = " ".join(t for i, t in enumerate(toks) if i not in dropped)
        return Interests(traits, constraints, tuple(dict.fromkeys(self._excluded(toks))), likes)

    # -- a message in its conversation --------------------------------------------------------

    def judge(self, text: str, history: Sequence[Message] | None = None, only: str | None = None) -> Verdict:
        """The verdict on ``text`` (already cleaned) after ``history``; ``only``: the picked career."""
        subject = self.subject(text)
        sections = tuple(section_intents(text))
        titles = self.matcher.titles

        def analysis(
            named: Sequence[CareerMention] = (), carried: Sequence[str] = (), compare: bool = False
        ) -> QueryAnalysis:
            return QueryAnalysis(text, tuple(named), tuple(carried), sections, titles, None, compare)

        if subject.kind in REFUSALS:
            language = foreign_language(text) or "" if subject.kind == "language" else ""
            return Verdict(subject.kind, analysis(), REFUSALS[subject.kind], language=language)
        if subject.kind == "small_talk":
            return Verdict("small_talk", analysis(), small_talk=small_talk_kind(tokens(text)))
        if only in titles and subject.kind not in ("unknown_occupation",):
            mention = CareerMention(only, 3.0, titles[only])
            picked = QueryAnalysis(text, (mention,), (), sections, titles, only)
            return Verdict("career", picked)
        if subject.kind == "unknown_occupation":
            return Verdict("unknown_occupation", analysis(), occupation=subject.occupation)
        if subject.kind == "discovery":
            named = tuple(dict.fromkeys(m.slug for m in subject.named))
            return Verdict("discovery", analysis(), interests=replace(self.interests(text), named=named))
        if subject.kind == "comparison":
            return Verdict("comparison", analysis(subject.named, compare=True))
        if subject.kind in ("career", "specialty"):
            return Verdict(subject.kind, analysis(subject.named), occupation=subject.occupation)
        if subject.kind == "general":
            return Verdict("general", analysis())
        # No subject of its own: a follow-up.
        user_turns = [
            message_text(m)[:MAX_MATCH_CHARS]
            for m in reversed(list(history or ()))
            if isinstance(m, Mapping) and m.get("role") == "user"
        ]
        if rules("compare").groups(tokens(text)).get("follow"):
            pair = self._last_two_careers(user_turns)
            if len(pair) == 2:
                mentions = tuple(CareerMention(slug, 1.0, titles.get(slug, slug)) for slug in pair)
                return Verdict("comparison", analysis(mentions, compare=True))
        carried = self._carried(user_turns)
        if carried:
            return Verdict("follow_up", analysis(carried=carried))
        return Verdict("general", analysis())

    def _carried(self, user_turns: Sequence[str]) -> tuple[str, ...]:
        """Careers of the latest earlier user turn that had a subject, if that subject was careers."""
        for turn in user_turns:
            subject = self.subject(turn)
            if subject.kind in ("follow_up", "small_talk", "general"):
                continue  # "thanks", "what about the pay?": look further back
            if subject.kind not in ("career", "specialty", "comparison"):
                return ()  # an unknown job, an interest question or a refusal ends the carry-over
            strong = [m for m in subject.named if m.is_strong] or list(subject.named)
            top = strong[-1].strength if subject.kind == "comparison" else strong[0].strength
            return tuple(dict.fromkeys(m.slug for m in strong if m.strength >= top))[:2]
        return ()

    def _last_two_careers(self, user_turns: Sequence[str]) -> list[str]:
        """The last two distinct careers the user named, most recent first."""
        found: list[str] = []
        for turn in user_turns:
            for mention in self.subject(turn).named:
                if mention.is_strong and mention.slug not in found:
                    found.append(mention.slug)
                if len(found) == 2:
                    return found
        return found


_SELF = ("i'm", "im", "i am", "i work", "i worked", "i've been", "ive been", "currently", "my job", "i was")


def _describes_self(before: str) -> bool:
    """True when the words just before a job name describe the user ("I worked as a ...")."""
    recent = " ".join(tokens(before)[-6:])
    return any(f" {phrase} " in f" {recent} " for phrase in _SELF)


def small_talk_kind(toks: Sequence[str]) -> SmallTalk | None:
    """Greetings, thanks and questions about the bot itself (whole messages only)."""
    groups = rules("small_talk").groups(toks)
    for kind in ("greeting", "thanks", "list_careers", "capabilities"):
        if groups.get(kind):
            return kind
    return None


def is_off_topic(toks: Sequence[str], text: str = "") -> bool:
    """A request of a kind careerbot never answers: code, homework, trivia, diagnosis, its own prompt."""
    return rules("off_topic").any(toks, text)


def has_career_words(toks: Sequence[str]) -> bool:
    """True when the message talks about work, study or careers in general terms."""
    return rules("career_words").any(toks)


def shows_distress(text: str) -> bool:
    """True when the message suggests the person may be in crisis."""
    return rules("distress").any(tokens(text))
