"""Load every profile of a corpus folder; a bad file is reported, the others still load."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from pathlib import Path

from careerbot.corpus.parser import parse_profile
from careerbot.corpus.schema import Profile
from careerbot.errors import CorpusError, EmptyCorpusError


@dataclass(frozen=True)
class CorpusLoad:
    """The profiles that parsed and the errors of those that did not."""

    profiles: tuple[Profile, ...]
    errors: tuple[CorpusError, ...]

    def by_slug(self) -> dict[str, Profile]:
        """Profiles keyed by slug."""
        return {p.slug: p for p in self.profiles}


def _norm(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()


def _link_plan_b(profiles: list[Profile]) -> list[Profile]:
    """Resolve Plan B entries to corpus careers by title, slug or similar title."""
    names: dict[str, str] = {}
    for profile in profiles:
        for name in (profile.title, profile.slug, *profile.similar_titles):
            names.setdefault(_norm(name), profile.slug)
        names[_norm(profile.title)] = profile.slug
    linked = []
    for profile in profiles:
        related: list[str] = []
        for entry in profile.plan_b:
            key = _norm(entry)
            slug = names.get(key) or names.get(key.removesuffix(" s")) or names.get(key.rstrip("s"))
            if slug and slug != profile.slug and slug not in related:
                related.append(slug)
        linked.append(replace(profile, related=tuple(related)))
    return linked


def load_corpus(corpus_dir: Path) -> CorpusLoad:
    """Parse all ``*.txt`` profiles in ``corpus_dir`` (sorted by slug), each with its ``.meta`` sidecar."""
    if not corpus_dir.is_dir():
        raise EmptyCorpusError(
            f"corpus folder {corpus_dir} does not exist; pass --corpus DIR or set CAREERBOT_CORPUS_DIR"
        )
    profiles: list[Profile] = []
    errors: list[CorpusError] = []
    for path in sorted(corpus_dir.glob("*.txt")):
        try:
            profiles.append(parse_profile(path))
        except CorpusError as exc:
            errors.append(exc)
        except OSError as exc:
            errors.append(CorpusError(path, 1, f"cannot be read ({exc.strerror})"))
    # A sidecar is never a profile; one without its profile is most likely a misspelt name.
    for meta in sorted(corpus_dir.glob("*.meta")):
        if not meta.with_suffix(".txt").is_file():
            errors.append(
                CorpusError(meta, 1, f"has no profile {meta.stem}.txt next to it; rename or delete it")
            )
    return CorpusLoad(tuple(_link_plan_b(profiles)), tuple(errors))
