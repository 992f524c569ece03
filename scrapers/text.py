"""Pure helpers every source shares: URLs, whitespace, UK dates, fieldwork, PDF and HTML text.

Nothing here touches the network, the clock or the database.  A quirk met by two sources is
handled once here (style.md §2.6.4), so the source modules only hold their selectors and the
order in which they read a page.
"""

from __future__ import annotations

import contextlib
import io
import logging
import re
import unicodedata
from collections.abc import Iterable
from datetime import date, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import quote, urljoin, urlsplit, urlunsplit
from xml.parsers import expat
from zoneinfo import ZoneInfo

import feedparser
from bs4 import BeautifulSoup, Comment, Doctype, NavigableString, ProcessingInstruction, Tag

from scrapers.base import NO_TEXT_LAYER, ParseError

# Publishers are in Wales: a timestamp is turned into the date a reader in Wrexham saw on it
# (Drupal stores 00:00 BST as 23:00Z the day before).
LONDON = ZoneInfo("Europe/London")

# Query parameters that identify a campaign, not a document (BBC feeds add at_medium/at_campaign).
TRACKING_PARAMS = ("utm_", "at_medium", "at_campaign", "fbclid", "gclid")

# Characters left alone when percent-encoding a path or query that came from a page.
_SAFE_PATH = "/%:@!$&'()*+,;=-._~"
_SAFE_QUERY = _SAFE_PATH + "?"

log = logging.getLogger(__name__)


# --- URLs -----------------------------------------------------------------------------------


def _encode(value: str, safe: str) -> str:
    """Percent-encode raw spaces and other unsafe characters, leaving existing escapes alone."""
    return quote(value, safe=safe)


def absolute_url(base: str, href: str) -> str:
    """Resolve ``href`` against the real page URL ``base``.

    Hrefs are stripped (CMS editors paste links with surrounding whitespace) and raw spaces are
    percent-encoded (ModernGov document paths contain them, markup.md §7).
    """
    joined = urljoin(base, href.strip())
    parts = urlsplit(joined)
    return urlunsplit(
        (
            parts.scheme,
            parts.netloc,
            _encode(parts.path, _SAFE_PATH),
            _encode(parts.query, _SAFE_QUERY),
            parts.fragment,
        )
    )


def _is_tracking(param: str) -> bool:
    name = param.split("=", 1)[0].lower()
    return any(name == t or (t.endswith("_") and name.startswith(t)) for t in TRACKING_PARAMS)


def canonical_url(url: str) -> str:
    """The key under which a document is stored, whichever variant of its URL was met.

    https, lower-case host without ``www.`` or default port, no fragment, no tracking parameters,
    no trailing slash (except the root).  Meaningful queries (``?page=1``, ``?p=123``) are kept in
    their original order.  CIW serves every path on both ``careinspectorate.wales`` and
    ``www.careinspectorate.wales`` (domain.md §2.2), so the two must meet in one key.
    """
    parts = urlsplit(url.strip())
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise ValueError(f"not an http(s) URL: {url!r}")
    host = parts.hostname.lower().rstrip(".")
    if host.startswith("www."):
        host = host[4:]
    if parts.port and parts.port not in (80, 443):
        host = f"{host}:{parts.port}"
    path = _encode(parts.path or "/", _SAFE_PATH)
    if len(path) > 1:
        path = path.rstrip("/") or "/"
    query = "&".join(p for p in parts.query.split("&") if p and not _is_tracking(p))
    return urlunsplit(("https", host, path, _encode(query, _SAFE_QUERY), ""))


def url_host(url: str) -> str:
    """Lower-case host of ``url`` (no port), or "" when it has none."""
    return (urlsplit(url).hostname or "").lower()


def failure_line(url: str, exc: Exception) -> str:
    """One line for CrawlResult.errors: the item's URL, then the cause (which may name another)."""
    message = str(exc)
    return message if message.startswith(url) else f"{url}: {message}"


# --- Text -----------------------------------------------------------------------------------

_HSPACE = re.compile(r"[^\S\n]+")
_BLANK_RUNS = re.compile(r"\n{3,}")
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"))


# Council-news promotional lines that sit inside article bodies (domain.md §4, §6.15; seen on
# news.wrexham.gov.uk, 2021): COVID banners, bulletin sign-ups, MyUpdates.  Shared by the
# council scraper and the classifier, which meets the same lines in loose files.
PROMO_LINES: tuple[re.Pattern[str], ...] = tuple(
    re.compile(pattern, re.IGNORECASE)
    for pattern in (
        r"^get the latest covid-?19 vaccination information\.?$",
        r"^get the facts\s*(?:…|\.\.\.)?\s*read the latest nhs wales covid-?19 vaccination"
        r" info\.?$",
        r"^sign[- ]?up for (?:our )?e-?mail bulletins\b.{0,120}$",
        r"^.{0,80}\bmyupdates\b.{0,120}$",
    )
)


def clean_text(text: str) -> str:
    """Normalise text for storage and comparison while keeping its line structure.

    NFC; non-breaking and other horizontal spaces become one space; each line is stripped;
    runs of blank lines become one blank line, so paragraphs stay separated by ``\\n\\n`` and
    single line breaks (letter addresses, list items) survive for the date-line heuristics.
    """
    text = unicodedata.normalize("NFC", text).translate(_INVISIBLE)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = [_HSPACE.sub(" ", line).strip() for line in text.split("\n")]
    return _BLANK_RUNS.sub("\n\n", "\n".join(lines)).strip()


# --- Dates ----------------------------------------------------------------------------------

MONTHS: dict[str, int] = {}
for _number, _names in enumerate(
    (
        ("january", "jan", "ionawr"),
        ("february", "feb", "chwefror"),
        ("march", "mar", "mawrth"),
        ("april", "apr", "ebrill"),
        ("may", "mai"),
        ("june", "jun", "mehefin"),
        ("july", "jul", "gorffennaf"),
        ("august", "aug", "awst"),
        ("september", "sep", "sept", "medi"),
        ("october", "oct", "hydref"),
        ("november", "nov", "tachwedd"),
        ("december", "dec", "rhagfyr"),
    ),
    start=1,
):
    for _name in _names:
        MONTHS[_name] = _number

_MONTH = r"(?P<{name}>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
_DAY = r"(?P<{name}>\d{{1,2}})(?:st|nd|rd|th)?"
_WEEKDAY = r"(?:(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,?\s+)?"

_DATE_PATTERNS = (
    # ISO 8601, with or without a time: 2020-08-04, 2020-08-04T09:00:00Z
    re.compile(
        r"\b(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})"
        r"(?P<time>[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?\b"
    ),
    # 3 August 2020, 03 August 2020, Tue 4th Aug 2020, 4th of August, 2020
    re.compile(
        r"\b" + _WEEKDAY + _DAY.format(name="d") + r"(?:\s+of)?\s+" + _MONTH.format(name="mon")
        + r",?\s+(?P<y>\d{4})\b",
        re.IGNORECASE,
    ),
    # Tuesday, Aug 4th, 2020
    re.compile(
        r"\b" + _WEEKDAY + _MONTH.format(name="mon") + r"\s+" + _DAY.format(name="d")
        + r",?\s+(?P<y>\d{4})\b",
        re.IGNORECASE,
    ),
    # 04/08/2020 (UK order)
    re.compile(r"\b(?P<d>\d{1,2})/(?P<m>\d{1,2})/(?P<y>\d{4})\b"),
)
_RFC822 = re.compile(
    r"^\s*(?:[A-Za-z]{3},\s*)?\d{1,2}\s+[A-Za-z]{3}\s+\d{4}\s+\d{1,2}:\d{2}(?::\d{2})?\s+\S+\s*$"
)


def _london_date(moment: datetime) -> date:
    if moment.tzinfo is None:
        return moment.date()
    return moment.astimezone(LONDON).date()


def _match_date(match: re.Match[str]) -> date | None:
    fields = match.groupdict()
    month = int(fields["m"]) if fields.get("m") else MONTHS[fields["mon"].lower().rstrip(".")]
    try:
        found = date(int(fields["y"]), month, int(fields["d"]))
    except ValueError:
        return None
    if fields.get("time"):
        stamp = match.group(0).replace(" ", "T").replace("Z", "+00:00")
        try:
            return _london_date(datetime.fromisoformat(stamp))
        except (ValueError, OverflowError):  # year 1 or 9999 cannot move to London time
            return found
    return found


def parse_uk_date(text: str | None) -> date | None:
    """The first date written in ``text``, in any format the watched sources use, else None.

    Accepts ``3 August 2020``, ``03 August 2020``, ``Tue 4th Aug 2020``, ``Tuesday, Aug 4th, 2020``,
    Welsh month names (``24 Ionawr 2024``), ``04/08/2020`` (day first), RFC-822 feed dates and ISO
    8601.  A timestamp with a zone is converted to the date in Europe/London (kept as written
    when it cannot be, at the ends of the calendar).  Never raises: an impossible date
    (``31 February``, ``32 Smarch``) is None, so the item is stored without it.
    """
    if not text:
        return None
    if _RFC822.match(text):
        try:
            return _london_date(parsedate_to_datetime(text.strip()))
        except (TypeError, ValueError, OverflowError):
            pass
    candidates: list[tuple[int, date]] = []
    for pattern in _DATE_PATTERNS:
        for match in pattern.finditer(text):
            found = _match_date(match)
            if found is not None:
                candidates.append((match.start(), found))
                break
    return min(candidates)[1] if candidates else None


_END = (
    r"(?P<d2>\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?"
    + _MONTH.format(name="m2")
    + r",?\s+(?:of\s+)?(?P<y2>\d{4})\b"
)
_START = (
    r"(?P<d1>\d{1,2})(?:st|nd|rd|th)?"
    r"(?:\s+(?:of\s+)?" + _MONTH.format(name="m1") + r"(?:,?\s+(?:of\s+)?(?P<y1>\d{4}))?)?"
)
# "12–23 October 2020", "15 to 19 November 2021", "24 October – 2 November 2023"
_RANGE = re.compile(
    r"\b(?:the\s+)?" + _START + r"\s*(?:-|–|—|to|until)\s*(?:the\s+)?" + _END, re.IGNORECASE
)
# "between the 12 and 23 of October 2020", "Between the 24th of October and the 2nd of November
# of 2023".  "and" only counts after "between": "24 and 25 September 2019" is two dates.
_BETWEEN = re.compile(
    r"\bbetween\s+(?:the\s+)?" + _START + r"\s+and\s+(?:the\s+)?" + _END, re.IGNORECASE
)


def _range_from(match: re.Match[str]) -> tuple[date, date] | None:
    g = match.groupdict()
    end_month = MONTHS[g["m2"].lower().rstrip(".")]
    end_year = int(g["y2"])
    start_month = MONTHS[g["m1"].lower().rstrip(".")] if g.get("m1") else end_month
    start_year = int(g["y1"]) if g.get("y1") else end_year
    if not g.get("y1") and start_month > end_month:
        start_year -= 1  # "28 December – 8 January 2021"
    try:
        start = date(start_year, start_month, int(g["d1"]))
        end = date(end_year, end_month, int(g["d2"]))
    except ValueError:
        return None
    return (start, end) if start <= end else None


def parse_fieldwork(text: str | None) -> tuple[date, date] | None:
    """The first inspection-date range written in ``text`` as (start, end), else None.

    Fieldwork dates are not the letter date nor the publication date (domain.md §6.7); CIW
    writes them as a range in the opening paragraph, in several styles.
    """
    if not text:
        return None
    matches = [m for pattern in (_BETWEEN, _RANGE) for m in pattern.finditer(text)]
    for match in sorted(matches, key=lambda m: m.start()):
        found = _range_from(match)
        if found is not None:
            return found
    return None


# --- PDF ------------------------------------------------------------------------------------


def pdf_text(data: bytes) -> str:
    """Text of a PDF, page by page, cleaned.  Raises ParseError rather than return "".

    A broken attachment must be visible (base.Attachment.error), so non-PDF bytes (an HTML
    error page served as a PDF), a file pdfplumber cannot open, and a PDF with no text layer
    (a scan) all raise.
    """
    if b"%PDF-" not in data[:1024]:
        raise ParseError(f"not a PDF (starts with {data[:16]!r})")
    import pdfplumber  # imported here: pdfminer is slow to import and only PDFs need it

    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            pages = [page.extract_text() or "" for page in pdf.pages]
    except Exception as exc:  # pdfminer raises many unrelated types on bad input
        raise ParseError(f"corrupt PDF: {type(exc).__name__}: {exc}") from exc
    text = clean_text("\n\n".join(pages))
    if not text:
        raise ParseError(f"{NO_TEXT_LAYER} ({len(pages)} pages; a scan?)")
    return text


# --- HTML -----------------------------------------------------------------------------------

# Elements that start a paragraph, and those that start a line within one.
_BLOCK_TAGS = frozenset(
    {
        "address", "article", "aside", "blockquote", "dd", "details", "dl", "div", "fieldset",
        "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header",
        "hr", "main", "nav", "ol", "p", "pre", "section", "table", "ul",
    }
)
_LINE_TAGS = frozenset({"li", "tr", "dt", "caption"})
_SKIP_TAGS = frozenset({"script", "style", "template", "noscript", "svg", "button"})
_WS = re.compile(r"\s+")
_PARA, _LINE = "\x00", "\x01"  # break markers, resolved once the whole element is walked
_BREAKS = re.compile(r" *[\x00\x01][\x00\x01 ]*")


# An internal entity declaration: a name, then a quoted value (NULs are dropped before this is
# searched, so that UTF-16 and UTF-32 read as ASCII).
_ENTITY_DECLARATION = re.compile(rb"<!ENTITY\s+(?:%\s+)?([^\s>]{1,40})\s+[\"']")
_ROOT_ELEMENT = re.compile(rb"<[A-Za-z_]")


class _PrologRead(Exception):
    """Raised from expat's handlers to stop once the answer is known."""


def declared_entity(body: bytes) -> str | None:
    """The first internal entity (one with a literal value, which a parser expands) that an
    XML document's DTD declares, or None.  External entities (``SYSTEM``) are never resolved
    (no XXE), so they expand to nothing and are not counted.

    Two looks, because each misses what the other sees: the bytes before the first tag, as
    feedparser splits them off to keep the entities it judges safe (expat skips declarations
    after an unread external parameter entity, feedparser's loose parser does not); and
    expat, read only up to the root element, reporting declarations without expanding any
    (a comment or attribute default holding ``<x`` ends the first look early).
    """
    flat = body.replace(b"\x00", b"")
    root = _ROOT_ELEMENT.search(flat)
    match = _ENTITY_DECLARATION.search(flat, 0, root.start() if root else len(flat))
    if match:
        return match.group(1).decode("ascii", "replace")
    parser = expat.ParserCreate()
    found: list[str] = []

    def on_entity(name: str, is_parameter: bool, value: str | None, *_: object) -> None:
        if value is not None:
            found.append(name)
            raise _PrologRead

    def on_root(*_: object) -> None:
        raise _PrologRead

    parser.EntityDeclHandler = on_entity
    parser.StartElementHandler = on_root
    with contextlib.suppress(_PrologRead, expat.ExpatError, ValueError):
        parser.Parse(body, True)  # stops at the root element, or where expat cannot go on
    return found[0] if found else None


def parse_feed_document(body: bytes, url: str) -> feedparser.FeedParserDict:
    """Parse RSS/Atom bytes with feedparser, or raise ParseError saying why it is no feed.

    feedparser is given an ``io.BytesIO``: given raw ``bytes`` it would first try to open
    them as a file name.  It parses with expat through xml.sax with external general entities
    disabled (no XXE).  A feed whose DTD declares internal entities is refused before parsing: expat
    only limits expansion once it passes 8 MiB, and on any strict-parse error feedparser
    re-reads the feed with its loose parser, which expands every entity it kept (one 50 kB
    entity referred to 5,000 times is 250 MB) -- and no feed we watch declares any.
    """
    entity = declared_entity(body)
    if entity is not None:
        raise ParseError(
            f"{url}: feed refused: its DTD declares XML entities (first: {entity!r}), whose "
            "expansion could exhaust memory (billion laughs); no real feed needs them")
    parsed = feedparser.parse(
        io.BytesIO(body), response_headers={"content-location": url}, resolve_relative_uris=True
    )
    if not parsed.get("version"):
        cause = parsed.get("bozo_exception") or "no RSS or Atom root element"
        raise ParseError(f"{url}: not a feed ({cause}; starts with {body[:40]!r})")
    return parsed


def feed_item_link(item: feedparser.FeedParserDict, url: str, field: str = "link") -> str:
    """An item's absolute link; an item without one is a ParseError (it cannot be keyed)."""
    link = item.get(field)
    if not link:
        raise ParseError(f"{url}: feed item without a link ({item.get('title')!r})")
    return absolute_url(url, link)


def parse_html(body: bytes | str) -> BeautifulSoup:
    """One parser for every HTML page (lxml: fast, and tolerant of CMS markup)."""
    return BeautifulSoup(body, "lxml")


def _walk(node: Tag, out: list[str]) -> None:
    for child in node.children:
        if isinstance(child, (Comment, Doctype, ProcessingInstruction)):
            continue
        if isinstance(child, NavigableString):
            out.append(_WS.sub(" ", str(child)))
        elif isinstance(child, Tag):
            if child.name in _SKIP_TAGS:
                continue
            if child.name == "br":
                out.append(_LINE)
                continue
            sep = _PARA if child.name in _BLOCK_TAGS else _LINE if child.name in _LINE_TAGS else ""
            out.append(sep)
            _walk(child, out)
            out.append(" " if child.name in ("td", "th") else sep)


def html_text(tag: Tag) -> str:
    """Visible text of an element with its block structure kept.

    Paragraphs and headings become paragraphs (``\\n\\n``), list items and table rows their own
    lines; whitespace inside a text run (source indentation) collapses to one space.
    """
    out: list[str] = []
    _walk(tag, out)
    text = _BREAKS.sub(lambda m: "\n\n" if _PARA in m.group() else "\n", "".join(out))
    return clean_text(text)


def inline_text(tag: Tag) -> str:
    """Text of a title-like element on one line (inline markup adds no spurious spaces)."""
    return " ".join(html_text(tag).split())


def select_first(root: Tag, selectors: Iterable[str]) -> Tag | None:
    """The first element matched by the first selector (in order) that matches anything.

    Source modules list a seen or contracted selector first and a structural fallback after
    it (markup.md: "keep a structural fallback wherever the markup is only inferred").
    """
    for selector in selectors:
        found = root.select_one(selector)
        if found is not None:
            return found
    return None


def select_all(root: Tag, selectors: Iterable[str]) -> list[Tag]:
    """All elements matched by the first selector (in order) that matches anything."""
    for selector in selectors:
        found = root.select(selector)
        if found:
            return found
    return []


def require_first(root: Tag, selectors: tuple[str, ...], *, field: str, url: str) -> Tag:
    """Like select_first, but a miss is a ParseError naming the field, selectors and URL."""
    found = select_first(root, selectors)
    if found is None:
        tried = ", ".join(repr(s) for s in selectors)
        raise ParseError(f"{url}: no element for {field} (selectors tried: {tried})")
    return found


# Never text: dropped before a loose HTML file's text is read (``document_text``).
_NOT_TEXT = ("script", "style", "noscript", "template")


def document_text(data: bytes, *, name: str = "", content_type: str = "") -> str:
    """Text of a document of unknown origin (a file given to ``carewatch classify``, a
    corpus document): PDF by its magic bytes, HTML by its name, type or opening tag, else
    UTF-8 text.  HTML keeps the whole body, page chrome included: with no URL to go by,
    the site's own name in its header or footer is what says whose page it is, and the
    classifier strips chrome from the text it reads sentences from.  A broken PDF raises
    ParseError, as in a crawl.
    """
    if data.lstrip()[:5] == b"%PDF-" or content_type.startswith("application/pdf"):
        return pdf_text(data)
    head = data.lstrip()[:200].lower()
    if (name.lower().endswith((".html", ".htm")) or "html" in content_type
            or head.startswith((b"<!doctype html", b"<html"))):
        soup = parse_html(data)
        for tag in soup.find_all(_NOT_TEXT):
            tag.decompose()
        return html_text(soup.body or soup)
    return clean_text(data.decode("utf-8", errors="replace"))
