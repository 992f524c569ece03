"""atom.py: the feeds are valid Atom (RFC 4287) as a feed reader parses them, and stable: a
regenerated feed is byte-identical, and a new change adds one entry without touching the
old ones (a feed reader must never see an old entry as new)."""

from __future__ import annotations

import random
import re
import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime
from urllib.parse import urlsplit

import feedparser

from report.atom import Feed, feed_id, render_feed, statement_entry_id
from report.records import START, Report
from tests.report.builders import (
    IMPROVING,
    document,
    report_of,
    statement,
    unconfirmed,
    wrexham_history,
)

NS = {"a": "http://www.w3.org/2005/Atom"}
RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
FEED = Feed(id=feed_id(), title="carewatch: Wrexham", subtitle="Changes.",
            self_href="status.atom", page_href="index.html")


def render(report: Report) -> bytes:
    return render_feed(report, FEED)


def entries(xml: bytes) -> dict[str, ET.Element]:
    root = ET.fromstring(xml)
    return {e.findtext("a:id", namespaces=NS): e for e in root.findall("a:entry", NS)}


def assert_valid_atom(xml: bytes) -> ET.Element:
    """RFC 4287's rules for a feed and its entries, checked on the parsed XML, and the
    feed as a feed reader (feedparser) reads it."""
    parsed = feedparser.parse(xml)
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    root = ET.fromstring(xml)
    assert root.tag == "{http://www.w3.org/2005/Atom}feed"

    def one(node: ET.Element, tag: str) -> str:
        found = node.findall(f"a:{tag}", NS)
        assert len(found) == 1, f"{tag}: {len(found)}"  # exactly one id/title/updated
        return found[0].text or ""

    for tag in ("id", "title", "updated"):
        assert one(root, tag)
    assert RFC3339.match(one(root, "updated"))
    feed_author = root.find("a:author/a:name", NS) is not None
    ids = []
    for entry in root.findall("a:entry", NS):
        ids.append(one(entry, "id"))
        assert one(entry, "title")
        assert RFC3339.match(one(entry, "updated"))
        assert feed_author or entry.find("a:author/a:name", NS) is not None
        links = entry.findall("a:link", NS)
        assert [ln.get("href") for ln in links if ln.get("rel", "alternate") == "alternate"]
        assert entry.find("a:content", NS) is not None or links
    for value in [one(root, "id"), *ids]:
        assert urlsplit(value).scheme and not re.search(r"\s", value)  # an IRI
    assert len(ids) == len(set(ids))
    newest = max((e.findtext("a:updated", namespaces=NS) for e in root.findall("a:entry", NS)),
                 default=f"{START.isoformat()}T00:00:00Z")
    assert one(root, "updated") == newest
    return root


def test_feed_is_valid_atom_with_one_entry_per_change():
    xml = render(report_of(wrexham_history()))
    root = assert_valid_atom(xml)
    # 2 concern-level changes + 3 judgement changes; the restated judgement is no entry
    assert len(root.findall("a:entry", NS)) == 5
    titles = [e.title for e in feedparser.parse(xml).entries]
    assert any("serious → significant concern" in t for t in titles)


def test_entry_dates_are_the_documents_publication_dates_newest_first():
    history = wrexham_history()
    xml = render(report_of(history))
    parsed = feedparser.parse(xml)
    published = [e.updated for e in parsed.entries]
    assert published == sorted(published, reverse=True)
    # the builder publishes each letter the day after its date
    assert published[0] == "2021-12-15T00:00:00Z"
    assert parsed.feed.updated == published[0]


def test_entry_id_is_built_from_what_was_stated_and_where():
    s = report_of(wrexham_history()).statements[1]
    assert statement_entry_id(s) == (
        "tag:carewatch,2026:observation/Wrexham/children/concern_level/significant/"
        "https://careinspectorate.wales/letter-102")
    assert entries(render(report_of(wrexham_history())))[statement_entry_id(s)] is not None


def test_regenerating_gives_identical_bytes_whatever_the_input_order():
    history = wrexham_history()
    first = render(report_of(history, unconfirmed=(unconfirmed(),)))
    shuffled = list(history)
    random.Random(7).shuffle(shuffled)
    again = render(report_of(shuffled, unconfirmed=(unconfirmed(),)))
    assert first == again


def test_a_new_change_adds_exactly_one_entry_and_keeps_the_old_ones():
    before = render(report_of(wrexham_history()))
    later = statement(7, "serious", date(2025, 2, 3))  # a de-escalation CIW states
    after = render(report_of([*wrexham_history(), later]))
    assert_valid_atom(after)
    old, new = entries(before), entries(after)
    assert set(old) < set(new) and len(new) == len(old) + 1
    for key, entry in old.items():  # old entries unchanged, byte for byte
        assert ET.tostring(new[key]) == ET.tostring(entry)
    (added,) = set(new) - set(old)
    assert feedparser.parse(after).entries[0].id == added
    assert "significant → serious concern" in feedparser.parse(after).entries[0].title


def test_a_restatement_adds_no_entry():
    restated = statement(8, IMPROVING, date(2025, 2, 3), dimension="judgement")
    assert entries(render(report_of([*wrexham_history(), restated]))).keys() == entries(
        render(report_of(wrexham_history()))).keys()


def test_a_backfilled_older_document_never_renames_a_later_entry():
    before = entries(render(report_of(wrexham_history())))
    backfilled = statement(9, "serious", date(2018, 7, 1))
    after = entries(render(report_of([*wrexham_history(), backfilled])))
    significant = statement_entry_id(report_of(wrexham_history()).statements[1])
    assert significant in after and set(before) - set(after) <= {
        statement_entry_id(report_of(wrexham_history()).statements[0])}


def test_unconfirmed_report_is_an_entry_keyed_by_its_alert_key():
    report = unconfirmed(closed=datetime(2023, 1, 5, 9, 0, tzinfo=UTC),
                         resolution="contradicted")
    xml = render(report_of(wrexham_history(), unconfirmed=(report,)))
    assert_valid_atom(xml)
    entry = entries(xml)[f"tag:carewatch,2026:unconfirmed/{report.key}"]
    assert entry.findtext("a:title", namespaces=NS).startswith("Unconfirmed")
    assert entry.findtext("a:updated", namespaces=NS) == "2022-03-08T00:00:00Z"
    content = entry.findtext("a:content", namespaces=NS)
    assert "This is not a change of status." in content
    assert "Settled 5 Jan 2023: the regulator's next statement contradicted the claim." in content


def test_entry_content_is_the_alert_text_without_the_email_footer():
    xml = render(report_of(wrexham_history()))
    content = entries(xml)[statement_entry_id(report_of(wrexham_history()).statements[1])
                           ].findtext("a:content", namespaces=NS)
    assert "The sentence stating significant." in content
    assert "idempotency key" not in content and not content.rstrip().endswith("--")


def test_scraped_text_survives_as_text():
    doc = document(5, title="Letter <b>&</b> \"quoted\"")
    xml = render(report_of([statement(1, "serious", date(2019, 7, 8), doc=doc)]))
    assert_valid_atom(xml)
    assert "Letter <b>&</b>" in feedparser.parse(xml).entries[0].content[0].value


def test_an_empty_feed_is_still_valid():
    xml = render(report_of([]))
    root = assert_valid_atom(xml)
    assert root.findtext("a:updated", namespaces=NS) == "2002-01-01T00:00:00Z"


def test_per_council_feed_holds_only_that_council():
    powys = statement(20, "warning_notice", date(2017, 10, 17), dimension="intervention",
                      authority="Powys", service="whole")
    report = report_of([*wrexham_history(), powys])
    both = entries(render(report))
    only = entries(render_feed(report.for_authority("Powys"),
                               Feed(id=feed_id("Powys"), title="Powys", subtitle="",
                                    self_href="status-powys.atom", page_href="index.html")))
    assert set(only) == {statement_entry_id(report.statements[0])} and set(only) < set(both)
