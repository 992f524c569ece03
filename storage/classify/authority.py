"""Which of the 22 Welsh councils a document is about.

A council is found by its *name forms* (official English title, short forms, Welsh names).
Bare place names ("Wrexham") name towns, hospitals and football clubs as often as councils, so
they count only as a fallback for mirrors that strip the council's name (domain.md §4: docslib
copies reading "County Borough Council" alone), and then at lower confidence: a place in a
postal address ("The Guildhall / Wrexham / LL11 1AY") is good evidence, a place in running text
is weak.  A national or thematic review that names many councils is about none of them.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, replace
from urllib.parse import urlsplit

from scrapers.councils import PLACES
from storage.classify.text import match_form


@dataclass(frozen=True)
class Authority:
    """A Welsh principal council.

    ``name`` is the stored value and what users type (``CAREWATCH_AUTHORITIES=Wrexham``);
    ``title`` is the council's official English name.  A *mention* is the title or one of the
    ``aliases`` (English short forms, Welsh names).  ``places`` are the bare area names, used
    only by the fallback.
    """

    name: str
    title: str
    aliases: tuple[str, ...] = ()
    places: tuple[str, ...] = ()
    domains: tuple[str, ...] = ()

    @property
    def forms(self) -> tuple[str, ...]:
        return (self.title, *self.aliases)


_TITLES: tuple[Authority, ...] = (
    Authority("Blaenau Gwent", "Blaenau Gwent County Borough Council", (
        "Blaenau Gwent Council", "Blaenau Gwent CBC", "Cyngor Bwrdeistref Sirol Blaenau Gwent")),
    Authority("Bridgend", "Bridgend County Borough Council", (
        "Bridgend Council", "Bridgend CBC", "Cyngor Bwrdeistref Sirol Pen-y-bont ar Ogwr",
        "Cyngor Pen-y-bont ar Ogwr")),
    Authority("Caerphilly", "Caerphilly County Borough Council", (
        "Caerphilly Council", "Caerphilly CBC", "Cyngor Bwrdeistref Sirol Caerffili",
        "Cyngor Caerffili")),
    Authority("Cardiff", "Cardiff Council", (
        "City and County of Cardiff Council", "City and County of Cardiff",
        "Cardiff County Council", "Cyngor Caerdydd", "Cyngor Dinas a Sir Caerdydd")),
    Authority("Carmarthenshire", "Carmarthenshire County Council", (
        "Carmarthenshire Council", "Cyngor Sir Gâr", "Cyngor Sir Gar", "Cyngor Sir Caerfyrddin")),
    Authority("Ceredigion", "Ceredigion County Council", (
        "Ceredigion Council", "Cyngor Sir Ceredigion")),
    Authority("Conwy", "Conwy County Borough Council", (
        "Conwy Council", "Conwy CBC", "Cyngor Bwrdeistref Sirol Conwy")),
    Authority("Denbighshire", "Denbighshire County Council", (
        "Denbighshire Council", "Cyngor Sir Ddinbych")),
    Authority("Flintshire", "Flintshire County Council", (
        "Flintshire Council", "Cyngor Sir y Fflint")),
    Authority("Gwynedd", "Gwynedd Council", ("Gwynedd County Council", "Cyngor Gwynedd")),
    Authority("Isle of Anglesey", "Isle of Anglesey County Council", (
        "Anglesey County Council", "Anglesey Council", "Cyngor Sir Ynys Môn",
        "Cyngor Sir Ynys Mon", "Cyngor Ynys Môn")),
    Authority("Merthyr Tydfil", "Merthyr Tydfil County Borough Council", (
        "Merthyr Tydfil Council", "Merthyr Tydfil CBC", "Cyngor Bwrdeistref Sirol Merthyr Tudful")),
    Authority("Monmouthshire", "Monmouthshire County Council", (
        "Monmouthshire Council", "Cyngor Sir Fynwy")),
    Authority("Neath Port Talbot", "Neath Port Talbot County Borough Council", (
        "Neath Port Talbot Council", "Neath Port Talbot CBC",
        "Cyngor Bwrdeistref Sirol Castell-nedd Port Talbot")),
    Authority("Newport", "Newport City Council", ("Newport Council", "Cyngor Dinas Casnewydd")),
    Authority("Pembrokeshire", "Pembrokeshire County Council", (
        "Pembrokeshire Council", "Cyngor Sir Penfro")),
    Authority("Powys", "Powys County Council", ("Powys Council", "Cyngor Sir Powys")),
    Authority("Rhondda Cynon Taf", "Rhondda Cynon Taf County Borough Council", (
        "Rhondda Cynon Taff County Borough Council", "Rhondda Cynon Taf Council",
        "Rhondda Cynon Taff Council", "RCT Council", "Cyngor Bwrdeistref Sirol Rhondda Cynon Taf")),
    Authority("Swansea", "City and County of Swansea Council", (
        "City and County of Swansea", "Swansea Council", "Cyngor Dinas a Sir Abertawe",
        "Cyngor Abertawe")),
    Authority("Torfaen", "Torfaen County Borough Council", (
        "Torfaen Council", "Torfaen CBC", "Cyngor Bwrdeistref Sirol Torfaen")),
    Authority("Vale of Glamorgan", "Vale of Glamorgan Council", ("Cyngor Bro Morgannwg",)),
    Authority("Wrexham", "Wrexham County Borough Council", (
        "Wrexham Council", "Wrexham CBC", "Cyngor Bwrdeistref Sirol Wrecsam", "Cyngor Wrecsam")),
)

#: Each council with its area names (``scrapers.councils.PLACES``, shared with the BBC filter).
AUTHORITIES: tuple[Authority, ...] = tuple(replace(a, places=PLACES[a.name]) for a in _TITLES)

# Each council's own web domains (news, ModernGov and main sites are subdomains of these): a
# council's own news is about that council even when it says only "our children's services".
DOMAINS: dict[str, tuple[str, ...]] = {
    "Blaenau Gwent": ("blaenau-gwent.gov.uk",),
    "Bridgend": ("bridgend.gov.uk",),
    "Caerphilly": ("caerphilly.gov.uk",),
    "Cardiff": ("cardiff.gov.uk",),
    "Carmarthenshire": ("carmarthenshire.gov.uk", "carmarthenshire.gov.wales", "sirgar.llyw.cymru"),
    "Ceredigion": ("ceredigion.gov.uk",),
    "Conwy": ("conwy.gov.uk",),
    "Denbighshire": ("denbighshire.gov.uk",),
    "Flintshire": ("flintshire.gov.uk",),
    "Gwynedd": ("gwynedd.gov.uk", "gwynedd.llyw.cymru"),
    "Isle of Anglesey": ("anglesey.gov.uk", "anglesey.gov.wales", "ynysmon.llyw.cymru"),
    "Merthyr Tydfil": ("merthyr.gov.uk",),
    "Monmouthshire": ("monmouthshire.gov.uk",),
    "Neath Port Talbot": ("npt.gov.uk",),
    "Newport": ("newport.gov.uk",),
    "Pembrokeshire": ("pembrokeshire.gov.uk",),
    "Powys": ("powys.gov.uk",),
    "Rhondda Cynon Taf": ("rctcbc.gov.uk",),
    "Swansea": ("swansea.gov.uk",),
    "Torfaen": ("torfaen.gov.uk",),
    "Vale of Glamorgan": ("valeofglamorgan.gov.uk",),
    "Wrexham": ("wrexham.gov.uk", "wrecsam.gov.uk"),
}
AUTHORITIES = tuple(replace(a, domains=DOMAINS[a.name]) for a in AUTHORITIES)

# A document is "about" a council when that council has at least this many mentions and
# more than half of all council mentions (so a national report naming many councils, or a
# letter cc'ing a neighbour, is not attributed to whichever is named most).
MIN_AUTHORITY_MENTIONS = 1
# Confidence of an authority found only by the fallback cues.
HOST_CONFIDENCE = 0.9  # published on the council's own site
ADDRESS_CONFIDENCE = 0.75  # a place name in a postal address block
PLACE_CONFIDENCE = 0.6  # bare place names in running text: needs review
MIN_PLACE_MENTIONS = 2
NATIONAL_MIN_COUNCILS = 3

# A national or thematic publication (domain.md §2.1): looked for in the title and the lead.
NATIONAL_CUES = re.compile(
    r"\bnational\s+(?:review|report|inspection|overview|thematic|study)\b"
    r"|\bthematic\s+(?:review|inspection|report)\b|\bacross\s+Wales\b"
    r"|\ball\s+(?:22\s+)?(?:local\s+authorities|councils)\s+in\s+Wales\b"
    r"|\bChief\s+Inspector'?s\s+annual\s+report\b",
    re.IGNORECASE,
)
LEAD_CHARS = 700
# A council cue that makes bare place names worth counting (singular: one council).
COUNCIL_CUE = re.compile(
    r"\b(?:county\s+borough\s+council|county\s+council|city\s+council|the\s+local\s+authority"
    r"|the\s+council|cyngor)\b",
    re.IGNORECASE,
)
POSTCODE = re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b")


def _name_pattern(name: str) -> str:
    return r"\s+".join(re.escape(word) for word in name.split())


def _alternation(names: dict[str, str]) -> re.Pattern[str]:
    # Longest forms first, so "Wrexham County Borough Council" is one mention, not a prefix.
    return re.compile(
        r"(?<![\w-])(?:"
        + "|".join(_name_pattern(n) for n in sorted(names, key=len, reverse=True))
        + r")(?![\w-])",
        re.IGNORECASE,
    )


def _key(text: str) -> str:
    return " ".join(text.casefold().split())


_AUTHORITY_BY_NAME = {_key(f): a.name for a in AUTHORITIES for f in a.forms}
_AUTHORITY_RE = _alternation(_AUTHORITY_BY_NAME)
_AUTHORITY_BY_PLACE = {_key(p): a.name for a in AUTHORITIES for p in a.places}
# A place followed by another capitalised word names something else ("Wrexham AFC",
# "Wrexham Maelor Hospital", "Newport County", "Cardiff University"), and one inside a web
# address names a site ("wrexham.com", "news.wrexham.gov.uk").
_PLACES = _alternation(_AUTHORITY_BY_PLACE).pattern
_PLACE_RE = re.compile(f"(?i:{_PLACES})" + r"(?!\s+[A-Z0-9])(?!\.[a-z])(?!')")
_PLACE_POSSESSIVE_RE = re.compile(f"(?i:{_PLACES})" + r"(?='s?\s)")


@dataclass(frozen=True)
class AuthorityMatch:
    """The council a document is about, how sure we are, and why."""

    name: str | None
    confidence: float
    reason: str


def authority_mentions(text: str) -> Counter[str]:
    """How many times each council is named in ``text`` (any of its English or Welsh forms)."""
    return Counter(_AUTHORITY_BY_NAME[_key(m.group(0))] for m in _AUTHORITY_RE.finditer(text))


def place_mentions(text: str) -> Counter[str]:
    """Bare area names (not followed by another proper noun) per council."""
    form = match_form(text)
    found = Counter(_AUTHORITY_BY_PLACE[_key(m.group(0))] for m in _PLACE_RE.finditer(form))
    found.update(_AUTHORITY_BY_PLACE[_key(m.group(0))] for m in _PLACE_POSSESSIVE_RE.finditer(form))
    return found


def address_places(text: str) -> Counter[str]:
    """Area names on a postal-address line: the line with a postcode or the two above it."""
    lines = match_form(text).split("\n")
    found: Counter[str] = Counter()
    for index, line in enumerate(lines):
        if not POSTCODE.search(line):
            continue
        for candidate in lines[max(0, index - 2) : index + 1]:
            found.update(
                _AUTHORITY_BY_PLACE[_key(m.group(0))]
                for m in _alternation(_AUTHORITY_BY_PLACE).finditer(candidate)
            )
    return found


def _leader(counts: Counter[str], minimum: int = MIN_AUTHORITY_MENTIONS) -> str | None:
    if not counts:
        return None
    (leader, top), *_ = counts.most_common(1)
    if top < minimum or top * 2 <= sum(counts.values()):
        return None
    return leader


def detect_authority(text: str, *, min_mentions: int = MIN_AUTHORITY_MENTIONS) -> str | None:
    """The council ``text`` names (its ``Authority.name``, e.g. "Wrexham"), or None when no
    council clearly dominates.  Name forms only; see ``find_authority`` for the fallbacks."""
    return _leader(authority_mentions(text), min_mentions)


def is_national(text: str, title: str | None = None) -> bool:
    """A national or thematic publication: a cue in the title or the lead, or three or more
    councils named with none dominating."""
    lead = (title or "") + "\n" + text[:LEAD_CHARS]
    if NATIONAL_CUES.search(match_form(lead)):
        return True
    counts = authority_mentions(text) + place_mentions(text)
    return len(counts) >= NATIONAL_MIN_COUNCILS and _leader(counts) is None


def authority_of_host(url: str | None) -> str | None:
    """The council whose own site ``url`` is on, if any."""
    host = (urlsplit(url).hostname or "").lower() if url else ""
    for authority in AUTHORITIES:
        if any(host == d or host.endswith("." + d) for d in authority.domains):
            return authority.name
    return None


def find_authority(text: str, title: str | None = None, url: str | None = None) -> AuthorityMatch:
    """The council a document is about, with a confidence.

    Name forms in the title or text: 1.0.  National or thematic publications are about no
    single council, unless the title names one.  Without any name form: the council whose
    own site published it (HOST_CONFIDENCE), else a place in a postal address
    (ADDRESS_CONFIDENCE), else repeated bare place names beside a council cue
    (PLACE_CONFIDENCE, below the review threshold).
    """
    titled = authority_mentions(title or "")
    counts = authority_mentions(text) + titled
    national = is_national(text, title)
    leader = _leader(counts)
    if leader is not None and (not national or leader in titled):
        total = counts[leader]
        return AuthorityMatch(leader, 1.0, f"authority: {leader} (named {total} times)")
    if counts:
        listed = ", ".join(sorted(counts))
        why = "national or thematic publication" if national else "no council dominates"
        return AuthorityMatch(None, 1.0, f"authority: none ({why}: {listed})")
    if national:
        return AuthorityMatch(None, 1.0, "authority: none (national or thematic publication)")
    hosted = authority_of_host(url)
    if hosted is not None:
        return AuthorityMatch(hosted, HOST_CONFIDENCE,
                              f"authority: {hosted} from the council's own site (not named)")
    addressed = _leader(address_places(text))
    if addressed is not None:
        return AuthorityMatch(
            addressed, ADDRESS_CONFIDENCE,
            f"authority: {addressed} from a postal address (council not named)",
        )
    places = place_mentions((title or "") + "\n" + text)
    placed = _leader(places, MIN_PLACE_MENTIONS)
    if placed is not None and COUNCIL_CUE.search(text):
        return AuthorityMatch(
            placed, PLACE_CONFIDENCE,
            f"authority: {placed} from place names only (named {places[placed]} times)",
        )
    return AuthorityMatch(None, 1.0, "authority: none named")
