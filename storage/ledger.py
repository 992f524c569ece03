"""The status ledger's write path: one stored publication in, its status readings and any
resulting alerts recorded in the caller's transaction.

Kept apart from ``repo`` (queries) and ``status`` (pure rules) because it is the one place
where the two meet, and the rule that matters most lives here: the observation and the
alert it causes are written in the *same* transaction, so a crash can never leave a
recorded change without its alert, or an alert for a change that was rolled back.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

from sqlalchemy.orm import Session

from scrapers.base import Publication
from storage import models, repo, status
from storage.status import Transition


def effective_date(pub: Publication, first_seen: datetime) -> date:
    """The date a document's statements speak for: its letter date, else its publication
    date, else the day we first saw it (report pages carry no date of their own)."""
    return pub.letter_date or pub.published or first_seen.date()


def record_status(
    session: Session,
    row: models.Publication,
    pub: Publication,
    *,
    watches: Callable[[str], bool],
    quiet: bool,
    now: datetime,
) -> list[Transition]:
    """Classify ``pub`` and record what it states; return the transitions that were
    enqueued as alerts.

    Readings about authorities nobody watches are still recorded (the ledger is the
    history of all councils a source mentions) but never alert.  ``quiet`` records
    everything as a baseline without alerting, so a first run cannot flood readers.
    """
    readings = status.classify(pub.full_text, effective_date=effective_date(pub, row.first_seen))
    watched = [r for r in readings if watches(r.authority)]
    unwatched = [r for r in readings if not watches(r.authority)]
    transitions = repo.record_readings(session, row, watched, alert=not quiet, now=now)
    repo.record_readings(session, row, unwatched, alert=False, now=now)
    return transitions
