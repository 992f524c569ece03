"""The paging rule every listing- or feed-driven source shares.

Read listing pages newest first and keep going while a page holds an entry not yet known,
so a first run backfills the whole listing and a routine poll reads one page.  A failure
on the first page raises: the source is down or redesigned, and the flow records the whole
source as failed.  A failure on one item is recorded and the crawl carries on; the item
stays unknown and is tried again at the next poll.  Results come back oldest first, so
storing them in order replays history.

Unchanged listings (issue 5): when the HTTP layer answers the first page ``not_modified``
(a 304 to a conditional GET, or the same body as when it was last processed successfully),
nothing on it can be new, so the crawl returns at once with ``unchanged=True``; a later
page that is not modified ends the walk.  Only listing and feed pages are ever requested
conditionally: ``listing_pages()`` collects the URLs this module read as pages, and the flow
keeps validators for those alone.  Document pages are never re-read once stored (known
items are skipped), and a source's document parser is not written for an empty 304 body.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Protocol, TypeVar

from bs4 import Tag

from scrapers.base import CrawlResult, Fetch, FetchError, IsKnown, ParseError, Publication
from scrapers.text import absolute_url, failure_line, select_first

E = TypeVar("E")
E_co = TypeVar("E_co", covariant=True)

_PAGES: ContextVar[set[str] | None] = ContextVar("carewatch_listing_pages", default=None)


@contextmanager
def listing_pages() -> Iterator[set[str]]:
    """Collect the (final, real) URLs that ``walk_listing`` reads as listing or feed pages
    inside the block: the URLs whose validators are worth keeping for conditional GET."""
    pages: set[str] = set()
    token = _PAGES.set(pages)
    try:
        yield pages
    finally:
        _PAGES.reset(token)


class Page(Protocol[E_co]):
    """A parsed listing page: its entries, newest first, and the next page's URL."""

    @property
    def entries(self) -> Sequence[E_co]: ...

    @property
    def next_url(self) -> str | None: ...


def walk_listing(
    fetch: Fetch,
    first_url: str,
    *,
    parse_page: Callable[[bytes, str], Page[E]],
    keys: Callable[[E], tuple[str, ...]],
    is_known: IsKnown,
    crawl_entry: Callable[[E, set[str]], Publication | None],
    entry_url: Callable[[E], str] = lambda entry: entry.url,  # type: ignore[attr-defined]
    max_pages: int = 50,
    is_end: Callable[[FetchError], bool] = lambda exc: False,
) -> CrawlResult:
    """Walk a paged listing from ``first_url``; see the module docstring for the rules.

    ``keys(entry)`` are the canonical URLs an entry may already be stored under; ``seen``
    (passed to ``crawl_entry``) holds every key met in this crawl, so an event listed twice
    is fetched once.  ``is_end`` tells a fetch failure that merely means "no more pages"
    (WordPress answers 404 past the last feed page) from a real one.
    """
    url: str | None = first_url
    publications: list[Publication] = []
    errors: list[str] = []
    found = 0
    seen: set[str] = set()
    for page_number in range(max_pages):
        if url is None:
            break
        try:
            fetched = fetch(url)
            pages = _PAGES.get()
            if pages is not None:
                pages.add(fetched.url)
            if fetched.not_modified:
                if page_number == 0:
                    return CrawlResult(publications=(), found=0, errors=(), unchanged=True)
                break
            page = parse_page(fetched.content, fetched.url)
        except (FetchError, ParseError) as exc:
            if page_number == 0:
                raise
            if not (isinstance(exc, FetchError) and is_end(exc)):
                errors.append(failure_line(url, exc))
            break
        found += len(page.entries)
        unknown = []
        for entry in page.entries:
            entry_keys = keys(entry)
            if any(k in seen for k in entry_keys) or any(is_known(k) for k in entry_keys):
                continue
            seen.update(entry_keys)
            unknown.append(entry)
        for entry in unknown:
            try:
                publication = crawl_entry(entry, seen)
            except (FetchError, ParseError) as exc:
                errors.append(failure_line(entry_url(entry), exc))
                continue
            if publication is not None:
                publications.append(publication)
        if not unknown:
            break
        url = page.next_url
    publications.reverse()
    return CrawlResult(publications=tuple(publications), found=found, errors=tuple(errors))


def next_page_url(soup: Tag, url: str, *, found: int, empty: Sequence[str],
                  next_page: Sequence[str], tried: Sequence[str], nothing: str) -> str | None:
    """The next (older) listing page's URL, after a listing page yielded ``found`` entries.

    A page with no entries is legitimately empty only when it shows the site's "no results"
    marker (``empty``); then there is no next page.  Otherwise its selectors found nothing on
    a real page, a redesign: ParseError "{url}: {nothing} (selectors: ...)", which the health
    check reports at once as an empty listing.
    """
    if not found:
        if select_first(soup, empty) is not None:
            return None
        listed = ", ".join(repr(s) for s in (*tried, *empty))
        raise ParseError(f"{url}: {nothing} (selectors: {listed})")
    link = select_first(soup, next_page)
    return absolute_url(url, str(link["href"])) if link is not None else None
