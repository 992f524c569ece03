"""The one attachment policy every source shares (scrapers/attachments.py)."""

from __future__ import annotations

import hashlib

import pytest

from scrapers.attachments import fetch_attachments, make_attachment
from scrapers.base import Fetched, FetchError

PDF = "https://careinspectorate.wales/sites/default/files/2021-12/letter-en.pdf"
MISSING = "https://careinspectorate.wales/sites/default/files/2021-12/missing.pdf"


def test_corrupt_pdf_becomes_attachment_with_error() -> None:
    fetched = Fetched(PDF, 200, b"<html>Server error</html>", "application/pdf")
    attachment = make_attachment(fetched)
    assert attachment.text == ""
    assert attachment.error == "not a PDF (starts with b'<html>Server err')"
    assert attachment.size == len(fetched.content)
    assert attachment.sha256 == hashlib.sha256(fetched.content).hexdigest()


def test_readable_pdf_keeps_its_text_and_a_canonical_url(make_pdf) -> None:
    body = make_pdf("Date: 16 December 2021", "Dear Director,")
    attachment = make_attachment(
        Fetched(PDF.replace("https://", "http://www."), 200, body, "application/pdf"))
    assert attachment.url == PDF
    assert "16 December 2021" in attachment.text and attachment.error is None


def test_permanent_failure_is_noted_and_the_rest_kept(make_pdf, fake_web) -> None:
    web = fake_web({PDF: make_pdf("Dear Director,")})
    attachments, problems = fetch_attachments(web, [MISSING, PDF])
    assert [a.url for a in attachments] == [PDF]
    assert problems == [f"{MISSING}: HTTP 404"]


def test_transient_failure_fails_the_item(fake_web) -> None:
    web = fake_web({PDF: FetchError(PDF, "read timeout", transient=True)})
    with pytest.raises(FetchError, match="read timeout"):
        fetch_attachments(web, [PDF])


def test_unreadable_file_is_kept_with_its_problem(fake_web) -> None:
    web = fake_web({PDF: (b"GIF89a", "application/pdf")})
    [attachment], [problem] = fetch_attachments(web, [PDF])
    assert attachment.error and problem == f"{PDF}: {attachment.error}"
