"""A stored publication's own page (``docs/<id>.html``): what carewatch stored and read.
Pure.

Every link the status page makes to a document has a stored copy beside it, because the
original may move, change or vanish (council sites are redesigned; press pages go behind
paywalls): a reader can always see the text a status was read from, with its dates, what
was read from it and where else the same publication was seen.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime

from report.markup import document_link, esc, shell
from report.records import Document, Noted, Statement, stored_path
from report.words import (
    aspect_words,
    day,
    document_label,
    fieldwork,
    kind_words,
    moment,
    publisher,
    value_words,
    who,
)
from storage.status import REVIEW_NEEDED, REVIEW_REJECTED


def render_document(d: Document, *, statements: Sequence[Statement], noted: Sequence[Noted],
                    written: Collection[int], now: datetime) -> str:
    """``statements`` and ``noted`` are this document's; ``written`` the ids that have a
    stored-copy page (links to other pages of the event go there when they do)."""
    facts = [
        ("Original", document_link(d.url, d.url, d.id)),
        ("Published by", esc(publisher(d.source, d.url))),
        ("Source", f"<code>{esc(d.source)}</code>"),
        ("Kind", esc(kind_words(d.kind))),
        ("Voice", "the regulator's or Welsh Government's own text" if d.authoritative
         else "secondary (council, press or other): never moves the status"),
        ("Letter date", esc(day(d.letter_date)) if d.letter_date else "none"),
        ("Fieldwork", esc(fieldwork(d) or "none")),
        ("Published", esc(day(d.published)) if d.published else "unknown"),
        ("First seen by carewatch", esc(moment(d.first_seen))),
        ("Language", esc(d.language)),
    ]
    body = [
        '<a class="skip" href="#main">Skip to the text</a>',
        "<header>",
        '<p class="brand"><a href="../index.html">carewatch status page</a></p>',
        f"<h1>{esc(d.title)}</h1>",
        f'<p class="lede">The copy of this {esc(document_label(d))} carewatch stored, with '
        "what it read from it.</p>",
        "</header>",
        '<main id="main">',
        '<dl class="facts">' + "".join(f"<dt>{esc(k)}</dt><dd>{v}</dd>" for k, v in facts)
        + "</dl>",
        "<h2>What carewatch read from it</h2>",
        _readings(statements, noted),
    ]
    if d.also:
        items = "".join(
            f"<li>{esc(publisher(link.source, link.url))}: "
            + (f'<a href="{esc(_sibling(link.publication_id))}">{esc(link.title)}</a>'
               if link.publication_id in written else esc(link.title))
            + f" — {document_link(link.url, link.url, link.publication_id)}</li>"
            for link in d.also)
        body += ["<h2>The same publication elsewhere</h2>",
                 "<p>Pages of one publication event are counted once.</p>",
                 f"<ul>{items}</ul>"]
    body += ["<h2>Stored text</h2>",
             f'<div class="text" lang="{esc(d.language)}">{esc(d.text or "(no text stored)")}'
             "</div>", "</main>",
             f"<footer><p>Written by carewatch on {esc(moment(now))}.</p></footer>"]
    return shell(title=f"{d.title} — stored copy — carewatch", body="\n".join(body))


def _sibling(publication_id: int) -> str:
    """A stored copy's path from another stored copy (both live in ``docs/``)."""
    return stored_path(publication_id).rsplit("/", 1)[1]


def _readings(statements: Sequence[Statement], noted: Sequence[Noted]) -> str:
    items = []
    for s in statements:
        verb = "changed the status to" if s.changed else "restated"
        items.append(f"<li><strong>{esc(who(s.authority, s.service))}</strong>: "
                     f"{esc(aspect_words(s.dimension))} {verb} "
                     f"<strong>{esc(value_words(s.dimension, s.value))}</strong>"
                     f"<blockquote>{esc(s.evidence)}</blockquote></li>")
    counted = {(s.authority, s.service, s.dimension) for s in statements}
    for n in noted:
        if n.authoritative and n.review not in (REVIEW_NEEDED, REVIEW_REJECTED) and (
                (n.authority, n.service, n.dimension) in counted):
            continue
        why = ("awaits review (low confidence: counts for nothing until confirmed)"
               if n.review == REVIEW_NEEDED else
               "rejected by a reviewer" if n.review == REVIEW_REJECTED else
               "a secondary reading: never moves the status")
        items.append(f"<li>{esc(who(n.authority, n.service))}: {esc(aspect_words(n.dimension))}"
                     f" read as {esc(value_words(n.dimension, n.value))} — {esc(why)}</li>")
    if not items:
        return "<p>No status stated.</p>"
    return f"<ul>{''.join(items)}</ul>"
