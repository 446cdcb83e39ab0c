"""Career profiles: schema, parser and loader."""

from careerbot.corpus.loader import CorpusLoad, load_corpus
from careerbot.corpus.parser import parse_profile, parse_profile_text
from careerbot.corpus.schema import KNOWN_SECTIONS, Item, Profile, Section

__all__ = [
    "KNOWN_SECTIONS",
    "CorpusLoad",
    "Item",
    "Profile",
    "Section",
    "load_corpus",
    "parse_profile",
    "parse_profile_text",
]
