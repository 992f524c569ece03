"""Wrexham Council's ModernGov (moderngov.wrexham.gov.uk): the what's-new feed, meeting pages
and their document PDFs.

What is seen (markup.md §7): the meeting URLs ``/ieListDocuments.aspx?CId=174&MeetingId=4272``
and ``?CId=171&MId=3860&Ver=4`` (both parameter names are answered here), served on http and
https (the replay serves one host; only the path matters); the visible order of a meeting page
(logo, H1, committee and date as ``Thursday, 28th September, 2017 4.00 pm``, the bilingual-policy
paragraph, ``Venue:``, ``Contact:``, the ``No.``/``Item`` table); the ModernGov page skeleton
from public copies of other hosts (``div#modgov``, ``h2.mgSubTitleTxt``, ``table.mgItemTable``
rows, ``a.mgAiTitleLnk`` + ``span.mgFileSize``, ``Additional documents:`` lists, "Minutes:"
sections, the empty state "No documents are available for this meeting", H1 "Meeting" and
", CANCELLED" on a cancelled meeting); document paths ``/documents/s{id}/{name}.pdf`` with raw
spaces in the href; ``mgRss.aspx?bcr=1`` answering an HTML page, not RSS.

What is [inferred]: Wrexham's what's-new feed ``/mgRss.aspx?XXR=0`` itself (unverified on
Wrexham): RSS 2.0 as ``text/xml``, one ``item`` per meeting whose papers were published, newest
first, at most FEED_ITEMS (no time window: the catalogue is sparse), titles with entities
double-encoded (``&amp;#39;``) as the ModernGov web service's are; the feed's item titles and
descriptions; every committee, meeting and item id and every text (catalogue notes).

Catalogue model: one entry of kind ``meeting`` per meeting page; ``published`` is when its
papers appear (the page answers 404 before), ``title`` is the page's H1, and ``extra`` holds
``committee_id``, ``committee``, ``meeting_id``, ``held`` (local date and time), ``cancelled``,
an optional ``feed_link`` (the exact link the feed gives) and ``items``: each with ``ai``,
``number``, ``title``, ``text`` (HTML paragraphs), ``minutes`` (shown from the meeting day on)
and ``documents`` (``path``, ``pdf_of`` = key of the catalogue entry whose committed PDF is
served byte for byte, and for the second and later documents a ``title``: the first is the
item's title link).  The body file holds the ``Venue:`` and ``Contact:`` lines.
"""

from __future__ import annotations

import html
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

from replay.render import HTML_TYPE, PDF_TYPE, TEXT_TYPE, attr, http_date, rfc822, text
from replay.render_wrexham_com import ordinal
from replay.timeline import MODERNGOV, Entry

if TYPE_CHECKING:
    from replay.site import ReplaySite, Response

HOST = "moderngov.wrexham.gov.uk"
HOSTS = frozenset({HOST})
BASE = f"https://{HOST}"
XML_TYPE = "text/xml; charset=utf-8"  # ModernGov serves its feeds as text/xml (markup.md §8)
FEED_ITEMS = 20
COUNCIL = "Wrexham County Borough Council"
#: Paraphrase of the policy paragraph seen on Wrexham's meeting pages (markup.md §7).
BILINGUAL = ("Agendas and minutes of meetings held from 1 April 2016 are published in Welsh and "
             "English.  Reports are published in English only.")

#: A ModernGov-style robots.txt [inferred]: search and error pages only.
ROBOTS = """\
User-agent: *
Disallow: /mgError.aspx
Disallow: /ieDocSearch.aspx
Disallow: /ieSearchResults2.aspx
"""


@dataclass(frozen=True)
class Document:
    path: str  # root-relative, raw spaces: /documents/s{id}/{name}.pdf
    pdf_of: str  # catalogue key whose committed PDF is served
    title: str


@dataclass(frozen=True)
class Item:
    ai: int
    number: str
    title: str
    text: tuple[str, ...]
    minutes: tuple[str, ...]
    documents: tuple[Document, ...]


@dataclass(frozen=True)
class Meeting:
    """A meeting entry's ``extra``, typed."""

    entry: Entry
    committee_id: int
    committee: str
    meeting_id: int
    held: datetime
    cancelled: bool
    feed_link: str
    items: tuple[Item, ...]

    @property
    def heading(self) -> str:
        """``{Committee} - Monday, 14th September, 2020 10.00 am[, CANCELLED]`` (Wrexham style)."""
        return f"{self.committee} - {when(self.held)}" + (", CANCELLED" if self.cancelled else "")


def meeting(entry: Entry) -> Meeting:
    extra = entry.extra
    return Meeting(
        entry=entry,
        committee_id=int(extra["committee_id"]),
        committee=str(extra["committee"]),
        meeting_id=int(extra["meeting_id"]),
        held=datetime.fromisoformat(str(extra["held"])),
        cancelled=bool(extra.get("cancelled", False)),
        feed_link=str(extra.get("feed_link") or BASE + entry.path),
        items=tuple(_item(spec) for spec in extra.get("items", [])),
    )


def _item(spec: dict[str, Any]) -> Item:
    title = str(spec["title"])
    documents = tuple(
        Document(path=str(d["path"]), pdf_of=str(d["pdf_of"]),
                 title=title if i == 0 else str(d["title"]))
        for i, d in enumerate(spec.get("documents", []))
    )
    return Item(ai=int(spec["ai"]), number=str(spec["number"]), title=title,
                text=tuple(spec.get("text", [])), minutes=tuple(spec.get("minutes", [])),
                documents=documents)


def meetings(entries: Sequence[Entry]) -> list[Meeting]:
    return [meeting(e) for e in entries if e.kind == "meeting"]


def documents(meeting_: Meeting) -> Iterator[Document]:
    for item in meeting_.items:
        yield from item.documents


# --- dates ----------------------------------------------------------------------------------


def clock(moment: datetime) -> str:
    """``10.00 am``, ``4.00 pm``: Wrexham's time style (markup.md §7, seen)."""
    hour = moment.hour % 12 or 12
    return f"{hour}.{moment.minute:02d} {'am' if moment.hour < 12 else 'pm'}"


def when(moment: datetime) -> str:
    """``Monday, 14th September, 2020 10.00 am`` (markup.md §7: Wrexham's form, seen)."""
    return f"{moment:%A}, {ordinal(moment.day)} {moment:%B}, {moment.year} {clock(moment)}"


# --- serving --------------------------------------------------------------------------------


def serve(site: ReplaySite, host: str, path: str, query: dict[str, list[str]],
          as_of: date) -> Response:
    from replay.site import SITE_EPOCH, not_found, ok

    lower = {k.lower(): v for k, v in query.items()}
    if path == "/robots.txt":
        return ok(ROBOTS, TEXT_TYPE, SITE_EPOCH)
    if path.lower() == "/mgrss.aspx":
        if "bcr" in lower:
            return ok(render_feeds_page(), HTML_TYPE, SITE_EPOCH)
        if lower.get("xxr") == ["0"]:
            visible = meetings(site.catalogue.visible(as_of, source=MODERNGOV))[:FEED_ITEMS]
            newest = visible[0].entry.published_at if visible else SITE_EPOCH
            return ok(render_feed(visible, last_build=newest), XML_TYPE, newest)
        return not_found(host)
    if path.lower() == "/ielistdocuments.aspx":
        found = _meeting_for(site, lower, as_of)
        if found is None:
            return not_found(host)
        shown = _minutes_shown(found, as_of)
        sizes = {d.path: len(site.pdf_bytes(site.catalogue.get(d.pdf_of)))
                 for d in documents(found)}
        page = render_meeting(found, site.catalogue.read_body(found.entry), sizes,
                              minutes=shown)
        return ok(page, HTML_TYPE, found.held.replace(tzinfo=UTC) if shown
                  else found.entry.published_at)
    if path.startswith("/documents/"):
        for shown_meeting in meetings(site.catalogue.visible(as_of, source=MODERNGOV)):
            for document in documents(shown_meeting):
                if document.path == path:
                    pdf = site.pdf_bytes(site.catalogue.get(document.pdf_of))
                    return ok(pdf, PDF_TYPE, shown_meeting.entry.published_at)
    return not_found(host)


def _meeting_for(site: ReplaySite, query: dict[str, list[str]], as_of: date) -> Meeting | None:
    """The visible meeting named by ``MId=`` or ``MeetingId=`` (CId is not checked, as
    ModernGov itself keys meetings by id alone [inferred])."""
    wanted = (query.get("mid") or query.get("meetingid") or [""])[0].strip()
    if not wanted.isdigit():
        return None
    for found in meetings(site.catalogue.visible(as_of, source=MODERNGOV)):
        if found.meeting_id == int(wanted):
            return found
    return None


def _minutes_shown(found: Meeting, as_of: date) -> bool:
    return not found.cancelled and as_of >= found.held.date() and any(
        item.minutes for item in found.items)


# --- pages ----------------------------------------------------------------------------------


def _double_encoded(value: str) -> str:
    """HTML-encode as ModernGov does (``'`` -> ``&#39;``), for the XML escaping to wrap again."""
    return html.escape(value, quote=False).replace("'", "&#39;")


def render_feed(found: Sequence[Meeting], *, last_build: datetime) -> str:
    """The what's-new feed: ``found`` newest first, one item per meeting whose papers appeared."""
    items = "".join(
        "<item>\n"
        f"  <title>{text(_double_encoded(m.heading))}</title>\n"
        f"  <link>{text(m.feed_link)}</link>\n"
        f"  <description>{text(_double_encoded(_feed_description(m)))}</description>\n"
        f"  <pubDate>{rfc822(m.entry.published_at).replace('+0000', 'GMT')}</pubDate>\n"
        f'  <guid isPermaLink="false">{BASE}/ieListDocuments.aspx?MId={m.meeting_id}'
        f"&amp;P={m.entry.published:%Y%m%d}</guid>\n"
        "</item>\n"
        for m in found
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0">\n<channel>\n'
        f"<title>{COUNCIL} - What&amp;#39;s new</title>\n"
        f"<link>{BASE}/mgWhatsNew.aspx?bcr=1</link>\n"
        "<description>Recently published committee papers</description>\n"
        "<language>en-gb</language>\n"
        f"<lastBuildDate>{http_date(last_build)}</lastBuildDate>\n"
        f"{items}</channel>\n</rss>\n"
    )


def _feed_description(found: Meeting) -> str:
    if found.cancelled:
        return f"Meeting cancelled: {found.committee}, {when(found.held)}"
    return f"Agenda published: {found.committee}, {when(found.held)}"


def _chrome(title: str, meta: str, main: str) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"{meta}<title>{text(title)} - {COUNCIL}</title>\n"
        '<link href="sitespecific/ssMgStyles.css" rel="stylesheet" type="text/css" />\n'
        "</head>\n<body>\n"
        '<a class="sr-only" href="#mgMainContent">Skip to main content</a>\n'
        '<header id="page-header"><div><img src="SiteSpecific/res/img/Logo.png" '
        f'alt="{COUNCIL} logo" /></div></header>\n'
        '<div role="main">\n<a class="is-hidden" name="mgMainContent"></a>\n'
        f'<div id="modgov">{main}</div>\n</div>\n'
        '<footer id="page-footer" class="footer"><small>&copy; '
        f"{COUNCIL}</small></footer>\n</body>\n</html>\n"
    )


def render_feeds_page() -> str:
    """``mgRss.aspx?bcr=1``: the HTML page listing the feeds (not a feed)."""
    main = (
        '<div class="mgHeader"><h1 class="mgMainTitleTxt">RSS feeds</h1></div>\n'
        '<div class="mgContent">\n<p>Subscribe to a feed to be told about new documents.</p>\n'
        '<ul class="mgBulletList"><li><a href="mgRss.aspx?XXR=0">What&#39;s new</a></li></ul>\n'
        "</div>\n"
    )
    return _chrome("RSS feeds", "", main)


def render_meeting(found: Meeting, body: str, sizes: dict[str, int], *, minutes: bool) -> str:
    """A meeting page (``ieListDocuments.aspx``); ``minutes`` adds each item's "Minutes:"."""
    entry = found.entry
    meta = (
        f'<meta name="DC.title" content="Agenda for {attr(found.committee)} on '
        f'{attr(when(found.held))}"/>\n'
        f'<meta name="DC.date" scheme="W3CDTF" content="{found.held:%Y-%m-%d}"/>\n'
        f'<meta name="DC.date.created" scheme="W3CDTF" content="{entry.published:%Y-%m-%d}"/>\n'
    )
    rows = "".join(_row(item, sizes, minutes=minutes) for item in found.items)
    table = ""
    if rows:
        table = (
            '<table class="mgItemTable" summary="Table of agenda items" id="mgItemTable">\n'
            '<caption class="mgSectionTitle">Items</caption>\n'
            '<tr><th class="mgHide" abbr="No" scope="col">No.</th>'
            '<th class="mgHide" abbr="Item" scope="col">Item</th></tr>\n'
            f"{rows}</table>\n"
        )
    empty = "" if rows else "<p>No documents are available for this meeting</p>\n"
    main = (
        f'<div class="mgHeader"><h1 class="mgMainTitleTxt">{text(entry.title)}</h1></div>\n'
        '<div class="mgSubTitle"><h2 class="mgSubTitleTxt">'
        f'<a href="mgCommitteeDetails.aspx?ID={found.committee_id}" '
        f'title="Link to {attr(found.committee)}">{text(found.heading)}</a></h2></div>\n'
        f"<p>{text(BILINGUAL)}</p>\n"
        '<div class="mgLinks"><ul class="mgActionList">'
        f'<li><a href="mgMeetingAttendance.aspx?ID={found.meeting_id}">Attendance details</a>'
        "</li></ul></div>\n"
        f'<div class="mgContent">\n{empty}{body.strip()}\n{table}</div>\n'
        '<div class="mgFooter"><p>&nbsp;</p></div>\n'
    )
    return _chrome(f"Agenda for {found.committee} on {when(found.held)}", meta, main)


def _size(size: int) -> str:
    return (f'<span class="mgFileSize"><img height="12" src="mgimages/logo-pdf-1.gif" '
            f'width="12" alt="pdf icon" /> PDF {max(1, round(size / 1024))} KB</span>')


def _word(paragraphs: Sequence[str]) -> str:
    """Item text as ModernGov prints Word HTML; paragraphs are catalogue HTML (may hold links)."""
    inner = "".join(f'<p class="MsoNormal">{p}</p>\n' for p in paragraphs)
    return f'<div class="mgWordPara"><div class="WordSection1">\n{inner}</div>\n</div>\n'


def _row(item: Item, sizes: dict[str, int], *, minutes: bool) -> str:
    title = text(item.title)
    if item.documents:
        first = item.documents[0]
        title = (f'<a class="mgAiTitleLnk" href="{attr(first.path[1:])}" '
                 f'title="Link to document &#39;{attr(item.title)}&#39; pdf file">{title} '
                 f"{_size(sizes[first.path])} </a>")
    cell = f'<p class="mgAiTitleTxt">{title}</p>\n'
    if item.text:
        cell += _word(item.text)
    if item.documents[1:]:
        links = "".join(
            f'<li><a href="{attr(d.path[1:])}" title="Link to document &#39;{attr(d.title)}'
            f'&#39; pdf file">{text(d.title)} <span class="mgHide">, item {text(item.number)}'
            f"</span> {_size(sizes[d.path])} </a></li>\n"
            for d in item.documents[1:]
        )
        cell += ('<p class="mgSubItemTitleTxt">Additional documents:</p>\n'
                 f'<ul class="mgBulletList">\n{links}</ul>\n')
    if minutes and item.minutes:
        cell += '<p class="mgSubItemTitleTxt">Minutes:</p>\n' + _word(item.minutes)
    return (
        "<tr>\n"
        f'<td class="mgItemNumberCell"><p class="mgAiTitleTxt"><a name="AI{item.ai}" '
        f'aria-disabled="true"></a>{text(item.number)}</p></td>\n'
        f"<td>\n{cell}</td>\n</tr>\n"
    )
