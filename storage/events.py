"""Publication events: one thing published, seen in several places, counted once.

A CIW letter appears as a news item and a report page (one ``Publication`` already, joined by
the scraper), as its Welsh twin on arolygiaethgofal.cymru, as a PDF attached to a council
committee paper (often the first public copy), and in press stories.  Each of those is
stored as its own publication (each is evidence, with its own URL and date), and all of them
share ``Publication.event_id`` so that:

- the event's status counts once: a member restating what another member of its event
  already stated records nothing (``stated_elsewhere``);
- an alert cites the event's most authoritative member (``best``): the regulator's own page
  before the council paper that carried the letter, before the press (domain.md §6.9).

Publications are joined on *keys* (``event_keys``, pure) that two pages of one event share and
two different events never do:

- ``url:`` — a page's own URLs, and the URLs it links as the same event (``related``: a Welsh
  page's English twin, the CIW page a council paper cites);
- ``sha256:`` — an attached file's hash: the same PDF bytes are the same document;
- ``letter:`` — a regulator letter or report's authority, kind and letter date, as the
  classifier read it: the same letter reached by two routes.

A secondary publication (press, council news) that names no shared key joins an event when
it repeats, within ``REPORT_WINDOW`` after it, exactly what a regulator document of that event
stated (``join_report``): a story published the day a letter came out, quoting its level, is
a report of that letter.  A story repeating an *older* level (a recap) joins nothing.

The event id is the smallest publication id among its members; joining two events merges
them into the older one.  Nothing here commits.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from scrapers import base
from storage import models, status
from storage.status import Reading

KEY_URL = "url:"
KEY_FILE = "sha256:"
KEY_LETTER = "letter:"
#: Only these document kinds have a letter date that identifies them.
LETTER_KINDS = frozenset({status.KIND_ANNUAL_LETTER, status.KIND_INSPECTION_REPORT,
                          status.KIND_MONITORING_LETTER, status.KIND_IMPROVEMENT_CHECK,
                          status.KIND_WARNING_NOTICE})
#: How long after a regulator document a secondary story restating it is taken as its report.
REPORT_WINDOW = timedelta(days=30)
#: Review states whose observations count (as in ``repo.ACCEPTED``).
_ACCEPTED = (status.REVIEW_AUTO, status.REVIEW_CONFIRMED)

Rank = Callable[[str], int]  # source name -> citation rank, 0 = the regulator


# --- Pure rules -------------------------------------------------------------------------


def event_keys(pub: base.Publication, classification: Mapping[str, Any] | None) -> set[str]:
    """The keys ``pub`` may share with other pages of its event."""
    keys = {KEY_URL + url for url in (pub.url, *pub.aliases, *pub.related) if url}
    keys |= {KEY_FILE + a.sha256 for a in pub.attachments if a.size > 0 and not a.error}
    letter = letter_key(classification)
    if letter:
        keys.add(letter)
    return keys


def letter_key(classification: Mapping[str, Any] | None) -> str | None:
    """``letter:{authority}|{kind}|{date}`` for a regulator letter or report with a letter
    date, else None (a press story's paraphrase is not the letter)."""
    found = classification or {}
    letter = (found.get("dates") or {}).get("letter")
    if not (found.get("authoritative") and found.get("authority") and letter
            and found.get("kind") in LETTER_KINDS):
        return None
    return f"{KEY_LETTER}{found['authority']}|{found['kind']}|{letter}"


def citation_order(member: models.Publication, rank: Rank | None) -> tuple[int, int, int]:
    """Sort key, best first: the regulator's own text, then the source's publisher rank
    (domain.md §6.9), then whichever was seen first."""
    authoritative = bool((member.classification or {}).get("authoritative", member.authoritative))
    return (0 if authoritative else 1, rank(member.source) if rank else 0, member.id)


def is_report_of(story: date | None, document: date | None) -> bool:
    """Whether a story dated ``story`` can be a report of a document dated ``document``."""
    if story is None or document is None:
        return False
    return document <= story <= document + REPORT_WINDOW


# --- Linking ----------------------------------------------------------------------------


def link(session: Session, row: models.Publication, keys: Iterable[str]) -> int:
    """Record ``row``'s keys and join it to every event sharing one; return its event id."""
    wanted = sorted(set(keys))
    have = set(session.scalars(
        select(models.EventKey.key).where(models.EventKey.publication_id == row.id)))
    for key in wanted:
        if key not in have:
            session.add(models.EventKey(publication_id=row.id, key=key))
    others = session.scalars(
        select(models.Publication.event_id)
        .join(models.EventKey, models.EventKey.publication_id == models.Publication.id)
        .where(models.EventKey.key.in_(wanted), models.Publication.id != row.id)
    ).all() if wanted else []
    return _merge(session, row, [e for e in others if e is not None])


def join_report(session: Session, row: models.Publication, readings: Sequence[Reading],
                published: date | None) -> int | None:
    """Join a secondary ``row`` that shares no key with another page to the event of the
    regulator document it reports: the most recent accepted regulator observation stating
    the same value, published at most ``REPORT_WINDOW`` before the story.  Its event id,
    or None when it reports none (a recap of an older level joins nothing)."""
    if members_count(session, row) > 1:
        return None
    o, p = models.Observation, models.Publication
    for reading in readings:
        candidates = session.execute(
            select(p.event_id, o.value, p.published, o.effective_date)
            .join(p, p.id == o.publication_id)
            .where(o.authority == reading.authority, o.service == reading.service,
                   o.dimension == reading.dimension, o.authoritative.is_(True),
                   o.review.in_(_ACCEPTED), p.id != row.id, p.event_id.is_not(None))
            .order_by(o.id.desc())
        )
        for event_id, value, when, effective in candidates:
            if event_id is not None and status.same_value(value, reading.value) and \
                    is_report_of(published, when or effective):
                return _merge(session, row, [event_id])
    return None


def _merge(session: Session, row: models.Publication, events: Sequence[int]) -> int:
    """Give ``row`` and every publication of ``events`` one event id: the smallest."""
    ids = {*events, row.id, *([row.event_id] if row.event_id is not None else [])}
    target = min(ids)
    stale = sorted(ids - {target})
    if stale:
        session.execute(update(models.Publication)
                        .where(models.Publication.event_id.in_(stale))
                        .values(event_id=target)
                        .execution_options(synchronize_session="fetch"))
    row.event_id = target
    session.flush()
    return target


# --- Reading events ---------------------------------------------------------------------


def members(session: Session, event_id: int | None) -> list[models.Publication]:
    """The publications of one event, oldest first."""
    if event_id is None:
        return []
    return list(session.scalars(select(models.Publication)
                                .where(models.Publication.event_id == event_id)
                                .order_by(models.Publication.id)))


def members_count(session: Session, row: models.Publication) -> int:
    return len(members(session, row.event_id)) if row.event_id is not None else 1


def best(session: Session, row: models.Publication, rank: Rank | None = None
         ) -> models.Publication:
    """The member an alert about ``row``'s event should cite."""
    found = members(session, row.event_id) or [row]
    return min(found, key=lambda member: citation_order(member, rank))


def stated_elsewhere(session: Session, row: models.Publication, reading: Reading) -> bool:
    """Whether another member of ``row``'s event already states ``reading``'s value for the
    same (authority, service, dimension): then this page restates its own event, and the
    event's status must count once."""
    if row.event_id is None:
        return False
    o, p = models.Observation, models.Publication
    values = session.scalars(
        select(o.value).join(p, p.id == o.publication_id)
        .where(p.event_id == row.event_id, p.id != row.id, o.authority == reading.authority,
               o.service == reading.service, o.dimension == reading.dimension,
               o.review.in_(_ACCEPTED)))
    return any(status.same_value(value, reading.value) for value in values)
