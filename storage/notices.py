"""What an alert says, beyond the status change itself: its kind and its priority.  Pure.

An alert is either a **status change** (the regulator's recorded status moved) or an
**unconfirmed report** (a council, press or blog item claims a status the regulator has not
stated; it is closed later by the regulator's own next word on it).  Both are carried as a
``Notice``: a ``status.Transition`` plus ``alert_kind`` and ``priority``, so every channel
renders and re-sends either from the outbox payload alone (``Notice.to_dict()`` is the
payload; ``from_payload`` reads it back, old payloads included).

For an unconfirmed report the ``Transition`` fields read naturally: ``new`` is the value
claimed, ``old`` the recorded one (``None`` when nothing is recorded), ``evidence``/``url``
/``title``/``source``/``published`` the secondary document, ``old_stated``/``old_url``/
``old_source`` the regulator's document behind the recorded value.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, fields
from typing import Any

from storage.status import INTERVENTION, WARNING_NOTICE, Transition

ALERT_STATUS_CHANGE = "status_change"
ALERT_UNCONFIRMED = "unconfirmed_report"
ALERT_KINDS = (ALERT_STATUS_CHANGE, ALERT_UNCONFIRMED)

# Higher is more urgent.  Delivery sends the most urgent pending alert first.
PRIORITY_UNCONFIRMED = 1  # a claim nobody with authority has made yet
PRIORITY_CHANGE = 2  # the regulator's recorded status moved (either way)
PRIORITY_INTERVENTION = 3  # Welsh Ministers' Part 8 warning notice: above any CIW level

# How an authoritative observation settled an open unconfirmed report.
RESOLUTION_CONFIRMED = "confirmed"
RESOLUTION_CONTRADICTED = "contradicted"


@dataclass(frozen=True)
class Notice(Transition):
    """A ``Transition`` as an alert: what kind of notice it is and how urgent."""

    alert_kind: str = ALERT_STATUS_CHANGE
    priority: int = PRIORITY_CHANGE
    old_source: str | None = None  # source slug of the document behind ``old``

    @property
    def unconfirmed(self) -> bool:
        return self.alert_kind == ALERT_UNCONFIRMED


def priority_for(t: Transition) -> int:
    """An issued warning notice outranks everything; any other change is ordinary."""
    if t.dimension == INTERVENTION and t.new == WARNING_NOTICE:
        return PRIORITY_INTERVENTION
    return PRIORITY_CHANGE


def status_change(t: Transition, *, old_source: str | None = None) -> Notice:
    """``t`` as a status-change notice with its priority."""
    return Notice(
        **_transition_fields(t),
        alert_kind=ALERT_STATUS_CHANGE,
        priority=priority_for(t),
        old_source=old_source,
    )


def unconfirmed_key(
    authority: str, service: str, dimension: str, claimed: str, recorded_url: str | None
) -> str:
    """Idempotency key of an unconfirmed report.

    The claim (normalised as ``status.same_value`` compares) and the recorded statement it
    contradicts, nothing about the secondary document: ten press stories repeating one claim
    against one recorded status make one notice.  Once the regulator speaks again the
    recorded statement is a new one, so a claim repeated after that is news again.
    """
    normal = " ".join(claimed.replace("\u2019", "'").casefold().split())
    digest = hashlib.sha256(
        "\x1f".join((authority, service, dimension, normal, recorded_url or "")).encode()
    )
    return "cwu_" + digest.hexdigest()[:32]


def from_payload(payload: dict[str, Any]) -> Notice:
    """The notice an outbox payload holds; a payload written before alert kinds existed is
    a status change of ordinary priority."""
    return Notice.from_dict(payload)  # type: ignore[return-value]


def _transition_fields(t: Transition) -> dict[str, Any]:
    return {f.name: getattr(t, f.name) for f in fields(Transition)}
