"""Council committee papers on ModernGov (Civica Modern.Gov), found through its what's-new feed.

Publisher: a council's democratic services; one ModernGov host per council, every host the same
product, so this one module serves any council (sources.toml names the host).  Wrexham:
``https://moderngov.wrexham.gov.uk`` (also served on http).  URLs (markup.md §7): the feed
``/mgRss.aspx?XXR=0`` ("what's new"); meeting pages ``/ieListDocuments.aspx?CId={committee}&
MId={meeting}&Ver=4`` (Wrexham also links ``&MeetingId=``); agenda items ``/mgAi.aspx?ID={ai}``;
documents ``/documents/s{id}/{file name}.pdf``.
Why watched: councils table CIW letters and reports at scrutiny or Executive Board, often with
the full letter attached, so a committee paper may be the first public copy of a letter
(domain.md §4); council papers rank below the regulator and above council news (domain.md §6.9).
Secondary: the text decides whether an item carries the regulator's own words (an attached CIW
letter is the regulator's), never this source.

What is stored: one Publication per *relevant* agenda item (kind ``agenda_item``), keyed by its
own page ``https://{host}/mgAi.aspx?ID={ai}`` [seen: mgAi.aspx?ID= on Monmouthshire, Bridgend,
Kingston], with the item's report PDFs as attachments.  Relevance is one rule (``is_relevant``,
PATTERNS "regulator", "service", "inspection"): an item is kept when its title, agenda text or a
document title names the inspectorate (Care Inspectorate Wales, CIW, CSSIW, Arolygiaeth Gofal
Cymru), or names a council social service together with an inspection or performance-review
cue.  Apologies, declarations of interest, minutes, planning and licensing items are never
stored, and nor is a service-performance item that cites no inspection.  ``published`` is the
earlier of the meeting date and the feed's pubDate: papers are public from the day the agenda is
published (about a week before the meeting), and a pubDate after the meeting means a later
update (minutes), when the meeting date is the earlier public date.

Quirks (markup.md §7, domain.md §4; seen in public parsers and page copies 2017-2026):
- The what's-new feed is RSS 2.0 [seen on other hosts; Wrexham's feed is unverified]: ``item``
  with ``title``, ``link``, ``pubDate``, ``description``.  It is one page (no paging); links
  point at meetings (``ieListDocuments.aspx``), decisions (``ieDecisionDetails.aspx?ID=``) or
  consultations (``mgConsultationDisplay.aspx?ID=``).  Only meetings are read: a decision
  belongs to a meeting whose agenda item carries the papers; the others are counted in
  ``found`` and skipped.  ``mgRss.aspx?bcr=1`` answers an HTML page, not RSS, on several hosts:
  that is a ParseError naming the URL.  If Wrexham's feed turns out to be missing, the fallbacks
  markup.md names are the committee listings (``ieListMeetings.aspx``) or the web service
  (``mgWebService.asmx``); neither is read here.
- Entity text may be double-encoded (``&amp;#39;``); feed text is decoded once more as HTML.
- A meeting page is re-read whenever the feed still lists it (its papers grow: supplementary
  packs, minutes), through ``walk_listing``, so it is requested conditionally and an unchanged
  page costs a 304; items already stored are never re-fetched.
- Meeting heading ``h2.mgSubTitleTxt``: ``{Committee} - {date and time}[, CANCELLED]``, the date
  as ``Monday, 14th September, 2020 10.00 am`` on Wrexham or ``Thursday 15 January 2026 7:30 pm``
  elsewhere; ``meta[name=DC.date]`` (W3CDTF) is the fallback.  A meeting with no papers shows
  "No documents are available for this meeting" (a cancelled one usually does): no items, not a
  redesign.  A page with neither an item table nor that text is a redesign: ParseError.
- Agenda rows: ``td.mgItemNumberCell`` (number and ``a[name=AI{id}]``) then a cell with
  ``p.mgAiTitleTxt`` (the title, inside ``a.mgAiTitleLnk`` when the item has a report, followed
  by a file-size span), the agenda text in ``div.mgWordPara``, and sections headed by
  ``p.mgSubItemTitleTxt``: "Additional documents:" (a list of more PDFs), "Decision:",
  "Minutes:".  Only the agenda text is kept: decisions and minutes appear after the meeting and
  would change a stored item's text.
- Document hrefs are relative and hold raw spaces; they are percent-encoded
  (``scrapers.text.absolute_url``) before fetching, and stored encoded.
- The meeting anchor ``ieListDocuments.aspx?…#AI{id}`` is not kept as an alias: canonical URLs
  drop fragments, so it would be the meeting URL, shared by every item of the meeting.
- Links in an item's text to careinspectorate.wales (or its Welsh host) go into ``related``:
  the same event on the regulator's site.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from urllib.parse import parse_qsl, urlsplit

from bs4 import BeautifulSoup, Tag

from scrapers.attachments import fetch_attachments
from scrapers.base import CrawlResult, Fetch, IsKnown, ParseError, Publication
from scrapers.crawl import walk_listing
from scrapers.text import (
    absolute_url,
    canonical_url,
    feed_item_link,
    html_text,
    inline_text,
    parse_feed_document,
    parse_html,
    parse_uk_date,
    select_all,
    select_first,
    url_host,
)

SOURCE = "wrexham_moderngov"
HOSTS = frozenset({"moderngov.wrexham.gov.uk"})
FEED_PATH = "/mgRss.aspx?XXR=0"
#: Hosts of the regulator's own pages, whose links in an item's text are the same event.
REGULATOR_HOSTS = frozenset({"careinspectorate.wales", "arolygiaethgofal.cymru"})

# feedparser's normalised names for the RSS 2.0 elements read (RSS name in the comment).
FIELDS = {
    "link": "link",  # <link>
    "title": "title",  # <title>
    "published": "published",  # <pubDate> RFC-822
    "description": "description",  # <description>
}

# Each entry: selectors tried in order; the seen ModernGov markup first, a structural fallback.
SELECTORS: dict[str, tuple[str, ...]] = {
    # meeting page (ieListDocuments.aspx)
    "heading": ("h2.mgSubTitleTxt", "div.mgSubTitle h2"),
    "dc_date": ('meta[name="DC.date"][content]',),
    "empty": ("div.mgContent > p", "#modgov p"),  # "No documents are available ..."
    "item_table": ("table.mgItemTable", 'table:has(a[name^="AI"])'),
    "item_row": ("tr:has(> td.mgItemNumberCell)", 'tr:has(a[name^="AI"])'),
    "item_number": ("td.mgItemNumberCell", "td:first-child"),
    "item_anchor": ('a[name^="AI"]', 'a[href*="mgAi.aspx?ID="]'),
    "item_title": ("p.mgAiTitleTxt", "p"),
    "item_link": ("a.mgAiTitleLnk[href]",),
    "item_text": ("div.mgWordPara",),
    "sub_heading": ("p.mgSubItemTitleTxt",),
    "document_links": ("ul.mgBulletList a[href]", "a[href]"),
    "link_noise": ("span.mgFileSize", "span.mgHide"),  # "PDF 79 KB", ", item 59."
    "text_links": ("a[href]",),  # in the agenda text: links to the regulator's pages
}

PATTERNS = {
    # h2.mgSubTitleTxt: "{Committee} - {Weekday ...}[, CANCELLED]" (both date styles seen).
    "heading": re.compile(
        r"^(?P<committee>.+?)\s+[-–]\s+"
        r"(?P<when>(?:mon|tues|wednes|thurs|fri|satur|sun)day\b.*?)"
        r"(?P<cancelled>,?\s*CANCELLED)?\s*$",
        re.IGNORECASE,
    ),
    "empty": re.compile(r"No documents are available for this meeting", re.IGNORECASE),
    "anchor": re.compile(r"^AI(?P<id>\d+)$"),
    "ai_link": re.compile(r"mgAi\.aspx\?ID=(?P<id>\d+)", re.IGNORECASE),
    # meeting links: ieListDocuments.aspx?CId=&MId= (or MeetingId= / MID=)
    "meeting_path": re.compile(r"/ieListDocuments\.aspx$", re.IGNORECASE),
    # report documents: documents/s{id}/{name}.pdf[?T=n], or mgConvert2PDF.aspx?ID=
    "document": re.compile(r"(?:\.pdf|(?:^|/)mgConvert2PDF\.aspx)$", re.IGNORECASE),
    # --- relevance (is_relevant): the one rule for which agenda items are stored ---------
    "regulator": re.compile(
        r"\b(?:Care Inspectorate Wales|Arolygiaeth Gofal Cymru|Care and Social Services "
        r"Inspectorate|CIW|CSSIW)\b"
    ),
    "service": re.compile(
        r"\b(?:social services|social care|social work|children[’']?s services"
        r"|adults?[’']? services|adult social care)\b",
        re.IGNORECASE,
    ),
    "inspection": re.compile(
        r"\b(?:inspect(?:ion|ions|ed|orate)?|performance review|monitoring (?:activity|visit)"
        r"|improvement check|assurance check)\b",
        re.IGNORECASE,
    ),
}


@dataclass(frozen=True)
class FeedEntry:
    url: str  # absolute, as linked (http or https)
    title: str
    published: date | None
    description: str

    @property
    def meeting_url(self) -> str | None:
        """The canonical meeting-page URL this entry links, or None (decision, consultation)."""
        return meeting_url(self.url)


@dataclass(frozen=True)
class FeedPage:
    entries: list[FeedEntry]
    next_url: str | None = None


@dataclass(frozen=True)
class Document:
    url: str  # absolute and percent-encoded
    title: str


@dataclass(frozen=True)
class AgendaItem:
    url: str  # the key: https://{host}/mgAi.aspx?ID={ai}
    ai_id: int
    number: str  # as shown: "4."
    title: str
    text: str  # the agenda text only (no decision, no minutes)
    documents: tuple[Document, ...]
    related: tuple[str, ...]  # canonical regulator URLs linked from the text


@dataclass(frozen=True)
class ItemEntry:
    """A relevant item with its meeting: what the inner walk over one meeting page yields."""

    meeting: Meeting
    item: AgendaItem

    @property
    def url(self) -> str:
        return self.item.url


@dataclass(frozen=True)
class Meeting:
    url: str
    heading: str  # the h2 as shown: "{Committee} - {date time}[, CANCELLED]"
    committee: str
    meeting_date: date | None
    cancelled: bool
    items: tuple[AgendaItem, ...]  # every item, in agenda order

    @property
    def entries(self) -> list[ItemEntry]:
        """The relevant items (``walk_listing``'s Page protocol)."""
        return [ItemEntry(self, item) for item in self.items if is_relevant(item)]

    @property
    def next_url(self) -> None:
        return None


# --- pure parsers ---------------------------------------------------------------------------


def feed_url(base_url: str) -> str:
    return base_url.rstrip("/") + FEED_PATH


def meeting_url(url: str) -> str | None:
    """``https://{host}/ieListDocuments.aspx?CId={c}&MId={m}&Ver=4`` for any link to a meeting
    page (``MId=``, ``MeetingId=`` or ``MID=``, http or https), else None."""
    parts = urlsplit(url)
    if not PATTERNS["meeting_path"].search(parts.path):
        return None
    query = {k.lower(): v for k, v in parse_qsl(parts.query)}
    meeting = query.get("mid") or query.get("meetingid")
    if not meeting or not meeting.isdigit():
        return None
    committee = query.get("cid", "")
    cid = f"CId={committee}&" if committee.isdigit() else ""
    return canonical_url(f"https://{parts.netloc}{parts.path}?{cid}MId={meeting}&Ver=4")


def item_url(page_url: str, ai_id: int) -> str:
    """The agenda item's own page, its key: ``https://{host}/mgAi.aspx?ID={ai}``."""
    return canonical_url(absolute_url(page_url, f"mgAi.aspx?ID={ai_id}"))


def _decoded(value: str) -> str:
    """Feed text decoded once more as HTML: ModernGov double-encodes entities (``&amp;#39;``)
    and feedparser leaves markup-looking text escaped once."""
    return inline_text(parse_html(value)) if value else ""


def parse_feed(body: bytes, url: str) -> FeedPage:
    """Every feed item, newest first as listed; one page.  HTML (``bcr=1``) is a ParseError."""
    parsed = parse_feed_document(body, url)
    return FeedPage(entries=[
        FeedEntry(
            url=feed_item_link(item, url, FIELDS["link"]),
            title=_decoded(item.get(FIELDS["title"], "")),
            published=parse_uk_date(item.get(FIELDS["published"])),
            description=_decoded(item.get(FIELDS["description"], "")),
        )
        for item in parsed.get("entries", [])
    ])


def parse_meeting(body: bytes, url: str) -> Meeting:
    """A meeting page: heading, committee, date, cancellation and every agenda item.

    The empty state ("No documents are available for this meeting") gives no items; a page with
    neither agenda rows nor that text is a redesign: ParseError naming the selectors.
    """
    soup = parse_html(body)
    heading_tag = select_first(soup, SELECTORS["heading"])
    heading = inline_text(heading_tag) if heading_tag is not None else ""
    match = PATTERNS["heading"].match(heading)
    committee = match["committee"] if match else heading
    when = parse_uk_date(match["when"]) if match else None
    items = _parse_items(soup, url)
    if not items and not _is_empty_state(soup):
        tried = ", ".join(repr(s) for s in SELECTORS["item_table"] + SELECTORS["item_row"])
        raise ParseError(f"{url}: no agenda items and no 'No documents are available' notice "
                         f"(selectors: {tried})")
    return Meeting(
        url=url,
        heading=heading,
        committee=committee,
        meeting_date=when or _dc_date(soup),
        cancelled=bool(match and match["cancelled"]),
        items=tuple(items),
    )


def _dc_date(soup: BeautifulSoup) -> date | None:
    meta = select_first(soup, SELECTORS["dc_date"])
    return parse_uk_date(str(meta["content"])) if meta is not None else None


def _is_empty_state(soup: BeautifulSoup) -> bool:
    return any(PATTERNS["empty"].search(p.get_text(" ")) for p in select_all(soup,
                                                                            SELECTORS["empty"]))


def _parse_items(soup: BeautifulSoup, url: str) -> list[AgendaItem]:
    table = select_first(soup, SELECTORS["item_table"])
    if table is None:
        return []
    items = []
    for row in select_all(table, SELECTORS["item_row"]):
        item = _parse_item(row, url)
        if item is not None:
            items.append(item)
    return items


def _parse_item(row: Tag, url: str) -> AgendaItem | None:
    number_cell = select_first(row, SELECTORS["item_number"])
    content = number_cell.find_next_sibling("td") if number_cell is not None else None
    if number_cell is None or not isinstance(content, Tag):
        return None
    ai_id = _item_id(row)
    title_tag = select_first(content, SELECTORS["item_title"])
    if ai_id is None or title_tag is None:
        raise ParseError(f"{url}: agenda row without an AI id or a title "
                         f"(selectors: {SELECTORS['item_anchor']}, {SELECTORS['item_title']})")
    link = select_first(title_tag, SELECTORS["item_link"])
    texts, documents, related = _sections(content, url)
    if link is not None and _is_document(str(link["href"])):
        documents.insert(0, Document(absolute_url(url, str(link["href"])), _link_title(link)))
    return AgendaItem(
        url=item_url(url, ai_id),
        ai_id=ai_id,
        number=inline_text(number_cell),
        title=_link_title(link) if link is not None else inline_text(title_tag),
        text="\n\n".join(t for t in texts if t),
        documents=tuple(dict.fromkeys(documents)),
        related=tuple(dict.fromkeys(related)),
    )


def _item_id(row: Tag) -> int | None:
    for anchor in select_all(row, SELECTORS["item_anchor"]):
        match = PATTERNS["anchor"].match(str(anchor.get("name", ""))) or PATTERNS[
            "ai_link"].search(str(anchor.get("href", "")))
        if match:
            return int(match["id"])
    return None


def _sections(content: Tag, url: str) -> tuple[list[str], list[Document], list[str]]:
    """The agenda text (before the first sub-heading), the "Additional documents:" PDFs, and
    regulator links in the agenda text, reading the cell's children in order."""
    texts: list[str] = []
    documents: list[Document] = []
    related: list[str] = []
    section = ""
    for child in content.find_all(recursive=False):
        if _matches(child, SELECTORS["sub_heading"]):
            section = inline_text(child).rstrip(":").strip().lower()
        elif not section and _matches(child, SELECTORS["item_text"]):
            texts.append(html_text(child))
            related += _regulator_links(child, url)
        elif section == "additional documents":
            for link in select_all(child, SELECTORS["document_links"]):
                if _is_document(str(link["href"])):
                    documents.append(Document(absolute_url(url, str(link["href"])),
                                              _link_title(link)))
    return texts, documents, related


def _matches(tag: Tag, selectors: tuple[str, ...]) -> bool:
    return any(tag.css.match(selector) for selector in selectors)


def _is_document(href: str) -> bool:
    return bool(PATTERNS["document"].search(urlsplit(href.strip()).path))


def _link_title(link: Tag) -> str:
    """A document link's text without its file-size and hidden "item N." spans."""
    clone = copy.copy(link)
    for noise in clone.select(", ".join(SELECTORS["link_noise"])):
        noise.decompose()
    return inline_text(clone)


def _regulator_links(tag: Tag, url: str) -> list[str]:
    found = []
    for link in select_all(tag, SELECTORS["text_links"]):
        href = absolute_url(url, str(link["href"]))
        host = url_host(href).removeprefix("www.")
        if host in REGULATOR_HOSTS and href.startswith(("http://", "https://")):
            found.append(canonical_url(href))
    return found


def is_relevant(item: AgendaItem) -> bool:
    """Whether an agenda item is stored (module docstring): it names the inspectorate in its
    title, text or a document title, or it names a social service and an inspection."""
    words = "\n".join([item.title, item.text, *(d.title for d in item.documents)])
    if PATTERNS["regulator"].search(words):
        return True
    return bool(PATTERNS["service"].search(words) and PATTERNS["inspection"].search(words))


def item_text(meeting: Meeting, item: AgendaItem) -> str:
    """The stored text: the meeting heading, the numbered title, the agenda text, and the
    titles of the item's additional documents (every document's text is in the attachments;
    the first usually carries the item's own title)."""
    parts = [meeting.heading, f"{item.number} {item.title}".strip(), item.text]
    others = [d.title for d in item.documents if d.title != item.title]
    if others:
        parts.append("Additional documents:\n" + "\n".join(others))
    return "\n\n".join(p for p in parts if p)


def published_date(meeting_date: date | None, feed_date: date | None) -> date | None:
    """The earlier of the meeting date and the feed's pubDate (module docstring)."""
    known = [d for d in (meeting_date, feed_date) if d is not None]
    return min(known) if known else None


# --- crawl ----------------------------------------------------------------------------------


def crawl(fetch: Fetch, is_known: IsKnown, *, base_url: str, max_pages: int = 50,
          authorities: Sequence[str] = ("*",)) -> CrawlResult:
    """New relevant agenda items of the meetings in the what's-new feed, oldest first.

    The feed is walked by ``walk_listing`` (``found`` = feed items); each meeting page it links
    is walked the same way, one page whose entries are the relevant items, so per-item error
    isolation and the unchanged-page rule are the shared ones.  A meeting page that fails is
    one error line; the other meetings carry on.  ``authorities`` is ignored: one council per
    ModernGov host.
    """
    batches: list[tuple[Publication, ...]] = []
    errors: list[str] = []

    def crawl_meeting(entry: FeedEntry, seen: set[str]) -> None:
        if entry.meeting_url is None:
            return None  # a decision or consultation: counted, never fetched
        result = walk_listing(
            fetch,
            entry.meeting_url,
            parse_page=parse_meeting,
            keys=lambda found: (found.url,),
            is_known=is_known,
            crawl_entry=lambda found, _: _publication(fetch, entry, found),
            max_pages=1,
        )
        batches.append(result.publications)
        errors.extend(result.errors)
        return None

    feed = walk_listing(
        fetch,
        feed_url(base_url),
        parse_page=parse_feed,
        keys=lambda entry: (entry.meeting_url or canonical_url(entry.url),),
        is_known=is_known,
        crawl_entry=crawl_meeting,
        max_pages=max_pages,
    )
    # The feed is newest first; inside a meeting, walk_listing returned the agenda reversed.
    publications = tuple(pub for batch in reversed(batches) for pub in reversed(batch))
    return replace(feed, publications=publications, errors=feed.errors + tuple(errors))


def _publication(fetch: Fetch, entry: FeedEntry, found: ItemEntry) -> Publication:
    meeting, item = found.meeting, found.item
    attachments, problems = fetch_attachments(fetch, tuple(d.url for d in item.documents))
    return Publication(
        source=SOURCE,
        url=item.url,
        kind="agenda_item",
        title=item.title,
        text=item_text(meeting, item),
        published=published_date(meeting.meeting_date, entry.published),
        attachments=tuple(attachments),
        errors=tuple(problems),
        related=item.related,
    )
