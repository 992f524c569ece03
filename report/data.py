"""What the report reads from the database, as ``report.records``: the only module of the
report that touches the database (read-only; the caller owns the session).

The rules that decide what counts live where the pipeline keeps them, and are reused, not
restated: ``repo.ACCEPTED`` says which review states count, ``ledger.describe_document``
completes a document's kind and dates from what the classifier read (as the alert for it was
worded),
``repo.source_health`` is the health view ``carewatch sources`` prints.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, defer, selectinload

from report.records import (
    Document,
    Link,
    Noted,
    Report,
    SourceState,
    Statement,
    Unconfirmed,
    publication_rows,
    with_changes,
)
from storage import ledger, models, repo
from storage.notices import ALERT_UNCONFIRMED, from_payload

#: Rows of the recent-publications table.
RECENT = 40
# Bound parameters per IN (...) list: well under SQLite's and PostgreSQL's limits.
_CHUNK = 500


def load_report(
    session: Session,
    *,
    authorities: Sequence[str] | None,
    sources: Mapping[str, Any],
    recent: int = RECENT,
) -> Report:
    """Everything the site shows about ``authorities`` (None: every council anything is
    recorded about), with the health of ``sources`` (name -> configured source: its
    ``title``, ``publisher`` and ``enabled`` are shown).

    Every publication is read without its text (the relevance test needs only the
    classification); text is loaded only for the documents the site writes copies of: those
    stating a status, the ``recent`` newest about these councils, those behind an
    unconfirmed report, and the other pages of their events.
    """
    observations = _observations(session, authorities)
    alerts = _unconfirmed_alerts(session, authorities)
    rows = _publications(session)
    if authorities is None:
        authorities = sorted({o.authority for o in observations}
                             | {a.authority for a in alerts}
                             | {str(_classified(r).get("authority")) for r in rows.values()
                                if _about(r, None)})
    wanted = tuple(authorities)
    ids_by_url = {r.url: r.id for r in rows.values()}

    accepted = [o for o in observations if o.authoritative and o.review in repo.ACCEPTED]
    unconfirmed = [_as_unconfirmed(a, ids_by_url.get(str(a.payload.get("url")))) for a in alerts]
    noted = [_as_noted(o) for o in observations]
    observed = {o.publication_id for o in observations}
    relevant = [r for r in rows.values() if r.id in observed or _about(r, wanted)
                or r.id in {u.document_id for u in unconfirmed}]
    relevant.sort(key=lambda r: (_bare(r).dated, r.id), reverse=True)
    shown = relevant[:recent]

    cited = {o.publication_id for o in accepted} | {r.id for r in shown} | {
        u.document_id for u in unconfirmed if u.document_id is not None}
    events = {rows[i].event_id for i in cited if rows[i].event_id is not None}
    members: dict[int, list[models.Publication]] = {}
    for r in rows.values():
        if r.event_id is not None and r.event_id in events:
            members.setdefault(r.event_id, []).append(r)
    wanted_ids = cited | {r.id for found in members.values() for r in found}
    texts = _texts(session, wanted_ids)
    documents = {i: _document(rows[i], texts.get(i, ""), members) for i in sorted(wanted_ids)}

    statements = with_changes(_as_statement(o, documents[o.publication_id]) for o in accepted)
    publications = publication_rows([documents[r.id] for r in shown], statements,
                                    unconfirmed, noted)
    return Report(
        authorities=wanted,
        statements=statements,
        unconfirmed=tuple(sorted(unconfirmed, key=lambda u: (u.dated, u.key))),
        publications=tuple(publications),
        sources=tuple(_sources(session, sources)),
        documents=tuple(documents.values()),
        noted=tuple(noted),
        stored=len(rows),
        relevant=len(relevant),
    )


# --- queries ------------------------------------------------------------------------------


def _observations(session: Session, authorities: Sequence[str] | None
                  ) -> list[models.Observation]:
    o = models.Observation
    query = select(o).order_by(o.id)
    if authorities is not None:
        query = query.where(o.authority.in_(list(authorities)))
    return list(session.scalars(query))


def _unconfirmed_alerts(session: Session, authorities: Sequence[str] | None
                        ) -> list[models.Alert]:
    a = models.Alert
    query = select(a).where(a.kind == ALERT_UNCONFIRMED).order_by(a.id)
    if authorities is not None:
        query = query.where(a.authority.in_(list(authorities)))
    return list(session.scalars(query))


def _publications(session: Session) -> dict[int, models.Publication]:
    """Every stored publication without its text (loaded later, only for those shown)."""
    p = models.Publication
    rows = session.scalars(select(p).options(defer(p.text)).order_by(p.id))
    return {row.id: row for row in rows}


def _texts(session: Session, ids: Iterable[int]) -> dict[int, str]:
    """Stored text (page and attachments) of the publications the site writes copies of."""
    wanted = sorted(ids)
    p = models.Publication
    out: dict[int, str] = {}
    for start in range(0, len(wanted), _CHUNK):
        rows = session.scalars(select(p).options(selectinload(p.attachments))
                               .where(p.id.in_(wanted[start:start + _CHUNK])))
        out.update((row.id, row.full_text) for row in rows)
    return out


def _sources(session: Session, sources: Mapping[str, Any]) -> list[SourceState]:
    out = []
    for row in repo.source_health(session, list(sources)):
        source = sources.get(row.source)
        out.append(SourceState(
            name=row.source, title=getattr(source, "title", row.source),
            publisher=getattr(source, "publisher", "—"),
            enabled=bool(getattr(source, "enabled", False)), state=row.state,
            since=row.since, last_success=row.last_success, last_new_item=row.last_new_item,
            consecutive_failures=row.consecutive_failures, found_last_run=row.found_last_run,
            last_error=row.last_error,
        ))
    return out


# --- rows to records ----------------------------------------------------------------------


def _classified(row: models.Publication) -> dict[str, Any]:
    return row.classification or {}


def _about(row: models.Publication, authorities: Sequence[str] | None) -> bool:
    """Whether the classifier read ``row`` as about the social services of one of
    ``authorities`` (any council when None)."""
    found = _classified(row)
    if not found.get("relevant") or not found.get("authority"):
        return False
    return authorities is None or found["authority"] in authorities


def _bare(row: models.Publication) -> Document:
    return _document(row, "", {})


def _document(row: models.Publication, text: str,
              members: Mapping[int, Sequence[models.Publication]]) -> Document:
    described = ledger.describe_document(row)
    found = _classified(row)
    also = tuple(Link(m.id, m.source, m.url, m.title)
                 for m in members.get(row.event_id or -1, ()) if m.id != row.id)
    return Document(
        id=row.id, url=row.url, title=row.title, source=row.source, kind=described.kind,
        published=described.published, letter_date=described.letter_date,
        fieldwork_start=described.fieldwork_start, fieldwork_end=described.fieldwork_end,
        first_seen=row.first_seen,
        authoritative=bool(found.get("authoritative", row.authoritative)),
        language=row.language or "en", event_id=row.event_id, text=text, also=also,
    )


def _as_statement(o: models.Observation, document: Document) -> Statement:
    return Statement(
        observation_id=o.id, authority=o.authority, service=o.service, dimension=o.dimension,
        value=o.value, scheme=o.scheme, evidence=o.evidence, effective_date=o.effective_date,
        document=document,
    )


def _as_noted(o: models.Observation) -> Noted:
    return Noted(publication_id=o.publication_id, authority=o.authority, service=o.service,
                 dimension=o.dimension, value=o.value, review=o.review,
                 authoritative=o.authoritative, confidence=o.confidence)


def _as_unconfirmed(alert: models.Alert, document_id: int | None) -> Unconfirmed:
    return Unconfirmed(key=alert.key, notice=from_payload(alert.payload),
                       created_at=alert.created_at, document_id=document_id,
                       closed_at=alert.closed_at, resolution=alert.resolution)
