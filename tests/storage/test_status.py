"""status.py: the transition rules (detect_transition, same_value, is_older, transition_key).
Pure: no database.  The classifier's tests (moved from here in issue 4) are in
tests/storage/test_classify*.py.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from scrapers.base import Publication
from storage import status
from storage.status import (
    CHILDREN,
    CONCERN_LEVEL,
    JUDGEMENT,
    SCHEME_COP_2019,
    SERIOUS_CONCERN,
    SIGNIFICANT_CONCERN,
    WREXHAM,
    Reading,
    StatusRow,
    Transition,
    detect_transition,
)

NOW = datetime(2021, 1, 5, 12, 0, tzinfo=UTC)
IWEI = "inadequate with early indicators of improvement"


# --- detect_transition --------------------------------------------------------------------

LETTER = Publication(
    source="ciw_la_reports",
    url="https://careinspectorate.wales/local-authority-monitoring-activity-letter-wrexham",
    kind="letter",
    title="Local authority monitoring activity letter: Wrexham County Borough Council",
    text="",
    published=date(2021, 6, 1),
    letter_date=date(2021, 5, 20),
    fieldwork_start=date(2021, 4, 26),
    fieldwork_end=date(2021, 4, 29),
)


def reading(value: str, when: date | None, dimension: str = CONCERN_LEVEL) -> Reading:
    return Reading(WREXHAM, CHILDREN, dimension, value, SCHEME_COP_2019, f"{value}.", when)


def current(value: str, when: date | None, dimension: str = CONCERN_LEVEL) -> StatusRow:
    return StatusRow(
        authority=WREXHAM, service=CHILDREN, dimension=dimension, value=value,
        scheme=SCHEME_COP_2019, evidence=f"{value}.", effective_date=when,
        url="https://careinspectorate.wales/earlier", title="Earlier letter", kind="letter",
        source="ciw_la_reports", observed_at=NOW,
    )


def detect(cur: StatusRow | None, new: Reading, publication: Publication = LETTER):
    return detect_transition(cur, new, publication=publication, now=NOW)


SER_2019 = current(SERIOUS_CONCERN, date(2019, 5, 3))
SIG_2020 = current(SIGNIFICANT_CONCERN, date(2020, 8, 3))


@pytest.mark.parametrize(
    ("cur", "new", "changes"),
    [
        # First reading ever: a change from nothing.
        (None, reading(SERIOUS_CONCERN, date(2019, 5, 3)), True),
        # Escalation and de-escalation.
        (SER_2019, reading(SIGNIFICANT_CONCERN, date(2020, 8, 3)), True),
        (SIG_2020, reading(SERIOUS_CONCERN, date(2022, 9, 1)), True),
        # Restatement (also when written differently): never alert twice.
        (SIG_2020, reading(SIGNIFICANT_CONCERN, date(2021, 5, 20)), False),
        (current(IWEI, date(2021, 1, 1), JUDGEMENT),
         reading(f"  Inadequate  {IWEI[11:]}", date(2021, 5, 20), JUDGEMENT), False),
        (current("children\u2019s services improving", date(2021, 1, 1), JUDGEMENT),
         reading("children's services improving", date(2021, 5, 20), JUDGEMENT), False),
        # An older document (backfill) never alerts as a change...
        (SIG_2020, reading(SERIOUS_CONCERN, date(2019, 5, 3)), False),
        # ...nor does an undated one against a dated status.
        (SIG_2020, reading(SERIOUS_CONCERN, None), False),
        # A same-day statement, or a dated one over an undated status, does.
        (SIG_2020, reading(SERIOUS_CONCERN, date(2020, 8, 3)), True),
        (current(SIGNIFICANT_CONCERN, None), reading(SERIOUS_CONCERN, date(2020, 8, 3)), True),
    ],
)
def test_detect_transition_cases(cur: StatusRow | None, new: Reading, changes: bool) -> None:
    assert (detect(cur, new) is not None) is changes


def test_detect_transition_fields() -> None:
    old = current(SERIOUS_CONCERN, date(2019, 5, 3))
    new = reading(SIGNIFICANT_CONCERN, date(2020, 8, 3))
    transition = detect(old, new)
    assert transition == Transition(
        key=transition.key,
        authority=WREXHAM, service=CHILDREN, dimension=CONCERN_LEVEL,
        old=SERIOUS_CONCERN, new=SIGNIFICANT_CONCERN, scheme=SCHEME_COP_2019,
        evidence="significant.", source="ciw_la_reports", kind="letter", title=LETTER.title,
        url=LETTER.url, published=date(2021, 6, 1), letter_date=date(2021, 5, 20),
        fieldwork_start=date(2021, 4, 26), fieldwork_end=date(2021, 4, 29),
        old_stated=date(2019, 5, 3), old_url="https://careinspectorate.wales/earlier",
        detected_at=NOW,
    )
    assert Transition.from_dict(transition.to_dict()) == transition


def test_detect_transition_first_reading_has_no_old() -> None:
    transition = detect(None, reading(SERIOUS_CONCERN, date(2019, 5, 3)))
    assert (transition.old, transition.old_stated, transition.old_url) == (None, None, None)


def test_transition_key_is_deterministic_and_specific() -> None:
    old = current(SERIOUS_CONCERN, date(2019, 5, 3))
    new = reading(SIGNIFICANT_CONCERN, date(2020, 8, 3))
    key = detect(old, new).key
    assert key.startswith("cw_") and len(key) == 35
    int(key[3:], 16)
    # Same change from the same document, detected again later: same key.
    assert detect_transition(old, new, publication=LETTER, now=datetime.now(UTC)).key == key
    # Any other document, old value or new value: another key.
    assert detect(old, new, replace(LETTER, url=LETTER.url + "-2021")).key != key
    assert detect(None, new).key != key
    assert detect(current("other", date(2019, 5, 3)), new).key != key
    assert key == status.transition_key(
        WREXHAM, CHILDREN, CONCERN_LEVEL, SERIOUS_CONCERN, SIGNIFICANT_CONCERN, LETTER.url
    )


def test_detect_transition_accepts_a_stored_row() -> None:
    """The flow passes a ``models.Publication`` row; anything with the fields will do."""
    from storage.models import Publication as Row

    row = Row(
        source=LETTER.source, url=LETTER.url, kind=LETTER.kind, title=LETTER.title,
        published=LETTER.published, letter_date=LETTER.letter_date,
        fieldwork_start=None, fieldwork_end=None,
    )
    transition = detect_transition(None, reading("serious", None), publication=row, now=NOW)
    assert (transition.url, transition.fieldwork_start) == (LETTER.url, None)
