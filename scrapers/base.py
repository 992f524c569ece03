"""The one record shape every source produces, and the errors sources raise.

Records cross package boundaries (scrapers -> flows -> storage), so they are frozen
dataclasses holding plain values: no ORM objects, no network handles.  URLs in records
are always *real* canonical URLs (``https://careinspectorate.wales/...``), never the
replay site's loopback address: the HTTP layer maps one to the other, so a stored
record means the same thing whether it was fetched live or from the replay site.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date


class ParseError(ValueError):
    """A page did not have the shape its source module expects.

    Raised (never an empty result) when the selectors find nothing on a non-empty page,
    so a site redesign is noticed on the first poll after it happens.
    """


class FetchError(RuntimeError):
    """A URL could not be fetched.  The message names the URL and the cause.

    ``transient`` is true for failures worth retrying later (connection errors, timeouts,
    5xx, 429); false for those a retry will not fix (404, host not allowed, body too large).
    """

    def __init__(self, url: str, cause: str, *, transient: bool, status: int | None = None):
        super().__init__(f"{url}: {cause}")
        self.url = url
        self.cause = cause
        self.transient = transient
        self.status = status


#: How an attachment problem that reading the file again cannot fix begins: the file is whole,
#: it just has no text layer (a scan).
NO_TEXT_LAYER = "PDF has no extractable text"


def worth_reading_again(errors: str | None) -> bool:
    """Whether a publication stored with ``errors`` (its problems, one a line) should be read
    again at the next poll instead of counting as known.

    Any problem but a scan may clear: a file missing (404), cut short, served as an HTML
    page, refused (too large, redirected off the allowlist) or an article page that failed.
    Stored as it was, the page is visible at once; read again, the whole document is stored
    as a change once the problem clears, so what it states is recorded and alerts once
    (issue 6: nothing lost).
    """
    return any(line.strip() and NO_TEXT_LAYER not in line for line in (errors or "").splitlines())


@dataclass(frozen=True)
class Attachment:
    """A file a publication links to (a PDF letter or report), with its extracted text.

    ``error`` is set when the bytes were fetched but no text could be extracted (a corrupt
    or non-PDF file): the attachment is still stored, so the problem is visible, but its
    text is empty; its publication is read again at later polls until the file reads
    (``worth_reading_again``), so nothing it states is lost.
    """

    url: str
    content_type: str
    sha256: str
    size: int
    text: str
    error: str | None = None


@dataclass(frozen=True)
class Publication:
    """One publication event as one source presents it.

    ``url`` is the natural key (canonical).  ``aliases`` are other canonical URLs of the
    same event (for CIW: the news item that announces a report page), so a later poll that
    meets any of them knows the event is already stored.

    Four dates are kept apart because they mean different things (domain.md §6.7):
    ``published`` is the publisher's own date (CIW news date, feed pubDate); ``letter_date``
    is the date printed on a letter; ``fieldwork_start``/``fieldwork_end`` are inspection dates.

    ``related`` are canonical URLs of the *same event* on another source or in the other
    language, as this page itself links them (a Welsh CIW page's English twin, the CIW letter
    page a council paper or press story links to).  Unlike ``aliases`` they are not this
    publication's own URLs, so they never make a crawl skip the other page: storage uses them
    to group publications into one event (``storage.events``).  ``language`` is ``"en"`` or
    ``"cy"``, detected on the body, not the page chrome (domain.md §2.3).
    """

    source: str
    url: str
    kind: str
    title: str
    text: str
    published: date | None = None
    letter_date: date | None = None
    fieldwork_start: date | None = None
    fieldwork_end: date | None = None
    attachments: tuple[Attachment, ...] = ()
    aliases: tuple[str, ...] = ()
    errors: tuple[str, ...] = field(default=())
    related: tuple[str, ...] = ()
    language: str = "en"

    @property
    def content_hash(self) -> str:
        """Hash of everything a reader sees, so an edited page is noticed as a new version."""
        digest = hashlib.sha256(self.title.encode())
        digest.update(b"\0" + self.text.encode())
        for attachment in self.attachments:
            digest.update(b"\0" + attachment.sha256.encode())
        return digest.hexdigest()

    @property
    def full_text(self) -> str:
        """Page text followed by every attachment's text: what status detection reads."""
        parts = [self.text, *(a.text for a in self.attachments if a.text)]
        return "\n\n".join(p for p in parts if p)


# A source's crawl is given these two callables by the flow, so the source module stays
# free of storage and of the HTTP client's construction.
Fetch = Callable[[str], "Fetched"]
IsKnown = Callable[[str], bool]


@dataclass(frozen=True)
class Fetched:
    """A successful HTTP response, addressed by its real URL (after redirects).

    ``not_modified`` is true when the server answered 304 to a conditional GET, or when the
    body's hash equals the one stored after it was last processed successfully: the caller
    must treat the page as unchanged and need not parse it (``content`` may be empty).
    """

    url: str
    status: int
    content: bytes
    content_type: str
    headers: dict[str, str] = field(default_factory=dict)
    not_modified: bool = False


@dataclass(frozen=True)
class CrawlResult:
    """What one crawl of one source produced.

    ``found`` counts listing entries seen (a health signal: a listing that suddenly yields
    zero is a redesign).  ``errors`` are per-item failures that did not stop the crawl;
    the items they concern are not in ``publications`` and will be tried again next poll.
    ``unchanged`` is true when the first listing page was not modified since it was last
    processed successfully (304, or the same body): nothing was read, so ``found`` is 0 and
    means nothing (the health rules skip such runs).
    """

    publications: tuple[Publication, ...]
    found: int
    errors: tuple[str, ...] = ()
    unchanged: bool = False
