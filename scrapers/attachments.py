"""Files a publication links to (PDF letters, reports, committee papers): fetched, hashed and
read the same way for every source.

One policy, because it decides what is retried and what is lost: a *transient* fetch
failure fails the whole item (it stays unknown and is retried next poll, nothing
half-stored); a permanent one (404, too large) is noted in the publication's errors; bytes
that yield no text still make an ``Attachment`` (with ``error`` set), so the file's hash —
which joins a council paper's copy of a letter to the letter (``storage.events``) — is kept.
Either way the page is stored at once, and a publication stored with such a problem (a scan
aside) is read again at each poll until it reads cleanly (``base.worth_reading_again``):
the file fixed or published later is then stored as a change, and what it states counts.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from scrapers.base import Attachment, Fetch, Fetched, FetchError, ParseError
from scrapers.text import canonical_url, pdf_text


def fetch_attachments(fetch: Fetch, urls: Iterable[str]) -> tuple[list[Attachment], list[str]]:
    """Fetch and extract each file; returns the attachments and the problems to record."""
    attachments: list[Attachment] = []
    problems: list[str] = []
    for url in urls:
        try:
            fetched = fetch(url)
        except FetchError as exc:
            if exc.transient:
                raise
            problems.append(str(exc))
            continue
        attachment = make_attachment(fetched)
        if attachment.error:
            problems.append(f"{attachment.url}: {attachment.error}")
        attachments.append(attachment)
    return attachments, problems


def make_attachment(fetched: Fetched) -> Attachment:
    """An Attachment for fetched PDF bytes; extraction failure sets ``error``, never raises."""
    try:
        text, error = pdf_text(fetched.content), None
    except ParseError as exc:
        text, error = "", str(exc)
    return Attachment(
        url=canonical_url(fetched.url),
        content_type=fetched.content_type,
        sha256=hashlib.sha256(fetched.content).hexdigest(),
        size=len(fetched.content),
        text=text,
        error=error,
    )
