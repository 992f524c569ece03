"""The labelled corpus (issue 4): every label right, zero false status statements.

One test per document (ids are the file names) runs ``storage.classify.classify_document`` over the
document's text -- read the way the pipeline reads it -- with the source hint from its label, and
asserts every label field: relevance, authority, authoritative, kind, the exact set of services with
a stated status and each stated value (a value stated where the label has none fails), the scheme,
restated judgements where labelled, and all four dates.  The corpus itself (labels well formed,
every kind/dimension/scheme value covered, derived files current) is checked without the
classifier.  ``python bench/eval.py`` prints the same comparison as figures.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from storage import status
from tests.fixtures.corpus import build
from tests.fixtures.corpus.loader import (
    PROVENANCES,
    SCHEME,
    SCHEMES,
    STATUS_FIELDS,
    VALUES,
    Document,
    classify,
    compare,
    label_problems,
    load_corpus,
)

CORPUS = load_corpus()
MIN_DOCUMENTS = 40


@pytest.fixture(scope="module")
def classify_document() -> Callable[..., Any]:
    """The classifier under test.  Not skipped when missing: the corpus exists to measure it, so
    its absence is a failure (ModuleNotFoundError: No module named 'storage.classify')."""
    from storage.classify import classify_document

    return classify_document


@pytest.mark.parametrize("doc", CORPUS, ids=[d.name for d in CORPUS])
def test_corpus_document(doc: Document, classify_document: Callable[..., Any]) -> None:
    result = classify(doc, classify_document)
    mismatches = [(m.field, m.expected, m.got) for m in compare(doc.name, doc.label, result)]
    assert mismatches == [], f"{doc.name}: {doc.label['note']}"


def test_corpus_size() -> None:
    assert len(CORPUS) >= MIN_DOCUMENTS


@pytest.mark.parametrize("doc", CORPUS, ids=[d.name for d in CORPUS])
def test_corpus_label_is_well_formed(doc: Document) -> None:
    assert label_problems(doc.name, doc.label) == []


def _stated_values(field: str) -> set[str]:
    return {
        fields[field]
        for doc in CORPUS
        for fields in doc.label["statuses"].values()
        if field in fields
    }


def test_corpus_covers_every_kind_service_dimension_value_and_scheme() -> None:
    labels = [doc.label for doc in CORPUS]
    assert {label["kind"] for label in labels} == set(status.KINDS)
    assert {s for label in labels for s in label["statuses"]} == set(status.SERVICES)
    for field in STATUS_FIELDS:
        assert _stated_values(field), f"no document states {field}"
    for field, values in VALUES.items():
        assert _stated_values(field) == set(values), field
    assert _stated_values(SCHEME) == set(SCHEMES)
    assert any(label.get("restated") for label in labels)


def test_corpus_covers_both_sides_of_every_flag() -> None:
    labels = [doc.label for doc in CORPUS]
    assert {label["relevant"] for label in labels} == {True, False}
    assert {label["authoritative"] for label in labels} == {True, False}
    assert {label["source_authoritative"] for label in labels} == {True, False, None}
    assert {label["provenance"] for label in labels} == set(PROVENANCES)
    # The text must win over a contrary source hint at least once (a CIW letter in a council paper).
    assert any(lab["authoritative"] and lab["source_authoritative"] is False for lab in labels)
    # Secondary documents that claim a status (unconfirmed reports) and ones that claim none.
    secondary = [label for label in labels if label["relevant"] and not label["authoritative"]]
    assert any(label["statuses"] for label in secondary)
    assert any(not label["statuses"] for label in secondary)
    assert {doc.path.suffix for doc in CORPUS} == {".txt", ".html", ".pdf"}


def test_corpus_derived_documents_are_current() -> None:
    """Seeds, replay pages/PDFs and generated PDFs match their sources (re-run
    ``python -m tests.fixtures.corpus.build`` and re-check the labels if this fails)."""
    assert build.build(check=True) == []
