"""Atom feeds (RFC 4287) of status changes and unconfirmed reports.  Pure: records in, bytes
out, no clock.

One entry per change of a recorded status (what an alert is sent for) and one per
unconfirmed report, worded by ``alerts.message`` exactly as the email is.  Everything in a
feed is derived from stored facts, never from when or in what order it was generated, so
regenerating a feed with nothing new gives the same bytes and a feed reader never sees an
old entry as new:

- an entry's ``id`` is a tag URI (RFC 4151) built from what was stated and where:
  ``tag:carewatch,2026:observation/<authority>/<service>/<aspect>/<value>/<document URL>``
  for a change, ``tag:carewatch,2026:unconfirmed/<alert key>`` for an unconfirmed report
  (the outbox's idempotency key, itself derived from the claim and the recorded statement);
- an entry's ``updated`` is its document's publication date (else its letter date);
- the feed's ``updated`` is its newest entry's (the chart's start date when it has none).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from urllib.parse import quote

from alerts.message import render_subject, render_text
from report.records import (
    START,
    Report,
    Statement,
    Unconfirmed,
    as_transition,
    changes,
    stored_path,
)
from report.words import day

ATOM = "http://www.w3.org/2005/Atom"
TAG = "tag:carewatch,2026:"
AUTHOR = "carewatch"
# Characters a tag URI's specific part may hold unescaped (RFC 4151: pchar, "/" and "?");
# everything else in a document URL is percent-encoded.
_URL_SAFE = "/?:@!$&'()*+,;=-._~%"


@dataclass(frozen=True)
class Feed:
    """Where a feed lives and what it is called; hrefs may be relative to the site root
    (``docs_base`` is prepended to a stored copy's path, e.g. ``https://host/report/``)."""

    id: str
    title: str
    subtitle: str
    self_href: str
    page_href: str
    docs_base: str = ""


@dataclass(frozen=True)
class _Entry:
    id: str
    title: str
    updated: date
    link: str
    summary: str
    content: str
    categories: tuple[tuple[str, str], ...]
    stored: int | None


def statement_entry_id(s: Statement) -> str:
    parts = (s.authority, s.service, s.dimension, s.value)
    return (TAG + "observation/" + "/".join(quote(p, safe="") for p in parts) + "/"
            + quote(s.document.url, safe=_URL_SAFE))


def unconfirmed_entry_id(u: Unconfirmed) -> str:
    return TAG + "unconfirmed/" + quote(u.key, safe="")


def feed_id(authority: str | None = None) -> str:
    """The feed's own id: ``tag:carewatch,2026:feed/status`` (all councils in the report)
    or ``.../status/<council>``."""
    return TAG + "feed/status" + ("" if authority is None else "/" + quote(authority, safe=""))


def rfc3339(d: date) -> str:
    return f"{d.isoformat()}T00:00:00Z"


def render_feed(report: Report, feed: Feed) -> bytes:
    """The feed's XML (UTF-8, with declaration), newest entry first."""
    entries = [_change(s) for s in changes(report.statements)]
    entries += [_unconfirmed(u) for u in report.unconfirmed]
    entries.sort(key=lambda e: e.id)
    entries.sort(key=lambda e: e.updated, reverse=True)
    root = ET.Element("feed", {"xmlns": ATOM, "xml:lang": "en"})
    _text(root, "id", feed.id)
    _text(root, "title", feed.title)
    _text(root, "subtitle", feed.subtitle)
    _text(root, "updated", rfc3339(max((e.updated for e in entries), default=START)))
    author = ET.SubElement(root, "author")
    _text(author, "name", AUTHOR)
    _text(root, "generator", "carewatch")
    ET.SubElement(root, "link", {"rel": "self", "type": "application/atom+xml",
                                 "href": feed.self_href})
    ET.SubElement(root, "link", {"rel": "alternate", "type": "text/html",
                                 "href": feed.page_href})
    for entry in entries:
        _entry(root, entry, feed.docs_base)
    ET.indent(root, space="  ")
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"


def _entry(root: ET.Element, e: _Entry, docs_base: str) -> None:
    node = ET.SubElement(root, "entry")
    _text(node, "id", e.id)
    _text(node, "title", e.title)
    _text(node, "updated", rfc3339(e.updated))
    _text(node, "published", rfc3339(e.updated))
    ET.SubElement(node, "link", {"rel": "alternate", "type": "text/html", "href": e.link})
    if e.stored is not None:
        ET.SubElement(node, "link", {"rel": "related", "type": "text/html",
                                     "href": docs_base + stored_path(e.stored),
                                     "title": "carewatch's stored copy"})
    for scheme, term in e.categories:
        ET.SubElement(node, "category", {"scheme": TAG + scheme, "term": term})
    _text(node, "summary", e.summary)
    _text(node, "content", e.content, {"type": "text"})


def _text(parent: ET.Element, tag: str, text: str,
          attributes: dict[str, str] | None = None) -> None:
    ET.SubElement(parent, tag, attributes or {}).text = text


def _change(s: Statement) -> _Entry:
    t = as_transition(s)
    d = s.document
    return _Entry(
        id=statement_entry_id(s), title=render_subject(t),
        updated=d.published or d.letter_date or s.dated, link=d.url,
        summary=s.evidence or render_subject(t), content=_body(render_text(t)),
        categories=_categories(s.authority, s.service, s.dimension), stored=d.id,
    )


def _unconfirmed(u: Unconfirmed) -> _Entry:
    n = u.notice
    settled = ""
    if u.closed_at is not None and u.resolution:
        settled = (f"\nSettled {day(u.closed_at.date())}: the regulator's next statement "
                   f"{u.resolution} the claim.\n")
    return _Entry(
        id=unconfirmed_entry_id(u), title=render_subject(n), updated=u.dated, link=n.url,
        summary=n.evidence or render_subject(n), content=_body(render_text(n)) + settled,
        categories=_categories(n.authority, n.service, n.dimension, "unconfirmed_report"),
        stored=u.document_id,
    )


def _categories(authority: str, service: str, dimension: str,
                *extra: str) -> tuple[tuple[str, str], ...]:
    found = [("authority", authority), ("service", service), ("aspect", dimension)]
    found += [("kind", kind) for kind in extra]
    return tuple(found)


def _body(text: str) -> str:
    """An alert's text without its email footer (the idempotency-key line is about
    re-sent emails, which a feed entry is not)."""
    return text.rsplit("\n--\n", 1)[0].rstrip() + "\n"


def feed_title(authorities: Sequence[str]) -> str:
    names = ", ".join(authorities) if authorities else "every council"
    return f"carewatch: the regulator's recorded status of social services in {names}"


SUBTITLE = ("One entry per change of a recorded status (CIW concern level or judgement, or a "
            "Welsh Ministers' Part 8 intervention) and per unconfirmed report (a council or "
            "press claim the regulator has not made).")
