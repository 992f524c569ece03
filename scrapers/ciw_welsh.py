"""Arolygiaeth Gofal Cymru: Care Inspectorate Wales's Welsh-language site, paired with the English.

Publisher: Care Inspectorate Wales (CIW; in Welsh Arolygiaeth Gofal Cymru, AGC), the regulator of
Welsh councils' social services.  Host ``arolygiaethgofal.cymru`` (and ``www.``)
[seen: https://arolygiaethgofal.cymru/polisi-ar-sicrhau-gwelliant-gorfodi-html].
URLs: news listing ``/newyddion?page=N`` (N from 0, newest first) [inferred: the English is
``/news`` and the site's Welsh label is "Newyddion"; no Welsh listing was seen]; news items
``/{YYMMDD}-{welsh-slug}`` or a plain ``/{welsh-slug}``; report and letter pages ``/{welsh-slug}``;
PDFs under ``/sites/default/files/YYYY-MM/`` [inferred, as on the English site].
Why watched: CIW publishes every letter and report in both languages, each on its own page
with its own slug and its own date, days apart (24 Ionawr 2024 against 19 Jan 2024 [seen]).
The Welsh page is the same event as the English one: this module produces the records and
says which English pages they pair with (``related``); storage groups the pair as one event,
with the attachment hashes, so nothing is counted twice (domain.md §2.3, §6.8).

Quirks (domain.md §2.3, markup.md §1; replay contract 2026):
- Same Drupal as the English site [inferred]: the same page shapes and classes, the same
  news -> report join (the news body's last link to a page of this site) and the same dateless
  report pages.  The English module's pure parsers are reused by import, so the Welsh records
  look like the English ones: one Publication per news+report pair, keyed on the report page,
  the news URL an alias; a news item with no report page is its own "news" Publication.
- The chrome is Welsh ("Chwiliad allweddeiriau cyflawn", the type label "Newyddion") [seen] and
  dates are written ``6 Awst 2020`` with Welsh month names (Ionawr ... Rhagfyr), which
  ``scrapers.text.parse_uk_date`` reads; ``Dyddiad:`` is the Welsh letter-date label.
- **Chrome language is not body language** [seen: a policy page with Welsh chrome and an
  English body].  ``language`` is detected on the body text alone (``detect_language``).
- The English twin is read from the page's language switcher, Drupal's
  ``ul.language-switcher-language-url a[hreflang=en]``, else the head's
  ``link[rel=alternate][hreflang=en]`` [inferred: standard Drupal 8+ markup, not seen on CIW].
  A switcher that only points at the English home page (an untranslated page) pairs with
  nothing.  ``related`` holds the twins of the report page and of the news item.
- Titles are Welsh, so the publication type is read from Welsh cues first (``KIND_RULES``),
  then CIW's English ones (a Welsh page may keep an English title).
- A Welsh page's PDF is either a Welsh letter of its own [inferred: the CSSIW-era ``_e.pdf``
  names suggest ``_w.pdf`` twins, domain.md §2.2] or the very file the English page links (a
  letter with a bilingual masthead [seen: the 2020 letter gives both web addresses]); either
  way it is fetched and hashed like the English ones, so the same file joins the twins by hash.
  Letter and fieldwork dates are read with the English module's rules: ``Dyddiad:`` is
  understood, a Welsh fieldwork range ("rhwng 12 a 23 Hydref 2020") is not yet
  (``scrapers.text.parse_fieldwork``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from urllib.parse import urlsplit

from scrapers import ciw_la_reports as ciw
from scrapers.base import CrawlResult, Fetch, Fetched, IsKnown, Publication
from scrapers.text import (
    absolute_url,
    canonical_url,
    parse_html,
    url_host,
)

SOURCE = "ciw_welsh"
HOSTS = frozenset({"arolygiaethgofal.cymru", "www.arolygiaethgofal.cymru"})
LISTING_PATH = "/newyddion"

# The page shapes are the English site's (ciw_la_reports.SELECTORS, used by the parsers reused
# from there); only what the Welsh site adds is here.  Tried in order: the contracted selector
# first, a structural fallback after.
SELECTORS: dict[str, tuple[str, ...]] = {
    # the English twin: the language switcher block, the head's alternate link, any en link
    "twin_link": (
        'ul.language-switcher-language-url a[hreflang="en"][href]',
        'link[rel="alternate"][hreflang="en"][href]',
        'a[hreflang="en"][href]',
    ),
}

# A body is Welsh when Welsh function words are at least WELSH_SHARE of the function words
# found (Welsh and English together), and at least MIN_FUNCTION_WORDS were found; anything
# shorter is "en", the default a reader of English text can safely try.  [inferred] threshold:
# on the replay texts a Welsh body scores above 0.9 and an English one below 0.1; 0.6 leaves
# room for English names and quotations in Welsh text (and the reverse).
WELSH_SHARE = 0.6
MIN_FUNCTION_WORDS = 8
# Short, frequent words of one language that are not words of the other ("a", "i", "o", "am",
# "at", "dan" and "hi" are words of both, and left out).
WELSH_WORDS = frozenset({
    "y", "yr", "yn", "ac", "ar", "gan", "ei", "eu", "mae", "bod", "wedi", "ein", "eich", "hyn",
    "hwn", "hon", "sydd", "sy", "gyda", "fel", "neu", "ond", "hefyd", "oedd", "roedd", "ydym",
    "rydym", "ym", "yng", "ag", "nid", "ddim", "dros", "drwy", "trwy", "rhwng", "ni", "bydd",
    "byddwn", "fydd", "yw", "ydy", "oes", "ynghylch", "ynglŷn", "gennym", "iddynt",
})
ENGLISH_WORDS = frozenset({
    "the", "and", "of", "to", "is", "that", "for", "with", "we", "are", "our", "was", "were",
    "be", "been", "by", "this", "these", "have", "has", "had", "it", "its", "from", "which",
    "not", "their", "will", "would", "on", "in", "an", "as",
})
_WORD = re.compile(r"[^\W\d_]+")

# CIW's own labels in Welsh (domain.md §2.1), most specific first, merged with the English
# ones kind by kind.  [inferred] translations: "gwiriad gwella" (improvement check),
# "gweithgarwch monitro" (monitoring activity), "adolygiad perfformiad" (performance review),
# "arolygiad" (inspection), "adroddiad" (report), "llythyr" (letter).
WELSH_KIND_CUES: dict[str, tuple[str, ...]] = {
    "improvement_check": ("gwiriad gwella",),
    "monitoring_letter": ("gweithgarwch monitro", "llythyr monitro", "ymweliad monitro"),
    "annual_letter": ("llythyr blynyddol", "adolygiad perfformiad", "perfformiad blynyddol"),
    "inspection_report": ("arolygiad", "adroddiad", "gwerthusiad", "adolygiad", "llythyr"),
}
KIND_RULES: tuple[tuple[str, tuple[str, ...]], ...] = tuple(
    (kind, WELSH_KIND_CUES.get(kind, ()) + cues) for kind, cues in ciw.KIND_RULES
)


# --- pure parsers ---------------------------------------------------------------------------

# The listing and report pages are the English site's shapes (see the module docstring).
parse_listing = ciw.parse_listing
parse_report_page = ciw.parse_report_page


parse_news_item = ciw.parse_news_item  # its join is "the last link to a page of this site"


def parse_twin_url(body: bytes, url: str) -> str | None:
    """Canonical URL of the page's English twin, as its language switcher links it, else None.

    Only a link to a page of the English CIW site counts: a switcher that links the English
    home page (the Welsh page has no English translation) pairs with nothing.
    """
    soup = parse_html(body)
    for selector in SELECTORS["twin_link"]:
        for tag in soup.select(selector):
            target = absolute_url(url, str(tag["href"]))
            if url_host(target) in ciw.HOSTS and urlsplit(target).path.strip("/"):
                return canonical_url(target)
    return None


def detect_language(text: str) -> str:
    """``"cy"`` when ``text`` reads as Welsh, else ``"en"`` (see WELSH_SHARE).

    Counts short function words, which every paragraph has whatever its subject, so names,
    titles and quoted English (a council's name, "Social Services and Well-being (Wales) Act")
    do not decide it.  Run it on the body, never on the page chrome.
    """
    words = _WORD.findall(text.lower())
    welsh = sum(word in WELSH_WORDS for word in words)
    english = sum(word in ENGLISH_WORDS for word in words)
    if welsh + english < MIN_FUNCTION_WORDS:
        return "en"
    return "cy" if welsh / (welsh + english) >= WELSH_SHARE else "en"


def kind_for_title(title: str) -> str:
    """CIW's publication type from a Welsh or English page title; "news" when none fits."""
    return ciw.kind_for_title(title, KIND_RULES)


# --- crawl ----------------------------------------------------------------------------------


def crawl(fetch: Fetch, is_known: IsKnown, *, base_url: str, max_pages: int = 50,
          authorities: Sequence[str] = ("*",)) -> CrawlResult:
    """New publications since the last poll, oldest first: the English crawl
    (``ciw_la_reports.crawl_site``) over ``{base_url}/newyddion``, each record completed with
    its English twins (``related``) and its body's language."""
    return ciw.crawl_site(
        fetch, is_known, listing_url=f"{base_url.rstrip('/')}{LISTING_PATH}", source=SOURCE,
        kind_of=kind_for_title, annotate=_annotate, max_pages=max_pages,
    )


def _annotate(pub: Publication, news: Fetched, report: Fetched | None) -> Publication:
    twins = [parse_twin_url(news.content, news.url)]
    if report is not None:
        twins.insert(0, parse_twin_url(report.content, report.url))
    return replace(pub, related=_related(*twins), language=detect_language(pub.text))


def _related(*twins: str | None) -> tuple[str, ...]:
    return tuple(dict.fromkeys(t for t in twins if t))
