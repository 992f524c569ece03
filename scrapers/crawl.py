"""The paging rule every listing- or feed-driven source shares.

Read listing pages newest first and keep going while a page holds an entry not yet known,
so a first run backfills the whole listing and a routine poll reads one page.  A failure
on the first page raises: the source is down or redesigned, and the flow records the whole
source as failed.  A failure on one item is recorded and the crawl carries on; the item
stays unknown and is tried again at the next poll.  Results come back oldest first, so
storing them in order replays history.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol, TypeVar

from scrapers.base import CrawlResult, Fetch, FetchError, IsKnown, ParseError, Publication
from scrapers.text import failure_line

E = TypeVar("E")
E_co = TypeVar("E_co", covariant=True)


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
