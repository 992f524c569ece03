"""Measure the status classifier against the labelled corpus (issue 4).

    python bench/eval.py [--corpus DIR] [--json]

Prints the document count, relevance precision/recall/F1, the accuracy of authority,
authoritative and kind, per-field status accuracy per service (missed and false statements both
count), date accuracy, the number of false status statements, and every mismatch.  It is a
report: the exit code is 0 whatever the figures (``tests/storage/test_corpus.py`` is the gate).
Loading and comparison are ``tests/fixtures/corpus/loader.py``, shared with that test.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script: make `tests` (the shared loader) importable
    sys.path.insert(0, str(ROOT))

from storage import status  # noqa: E402
from tests.fixtures.corpus.loader import (  # noqa: E402
    CORPUS_DIR,
    DATE_FIELDS,
    SCHEME,
    STATUS_FIELDS,
    Document,
    Mismatch,
    classify,
    compare,
    load_corpus,
)

FIELDS = (*STATUS_FIELDS, SCHEME)


def _ratio(num: int, den: int) -> float | None:
    return round(num / den, 4) if den else None


def _stated(label: dict[str, Any], result: Any, service: str, field: str) -> tuple[Any, Any]:
    """(expected, got) for one status cell; scheme only where both sides state the service."""
    want = label["statuses"].get(service)
    have = result.statuses.get(service) if result is not None else None
    if have is not None and not any(getattr(have, f, None) for f in STATUS_FIELDS):
        have = None
    if field == SCHEME and (want is None or have is None):
        return None, None
    return (want or {}).get(field), getattr(have, field, None)


def evaluate(docs: Sequence[Document], classify_document: Any) -> dict[str, Any]:
    """Classify every document and compute the report (plain data, JSON-ready)."""
    results: dict[str, Any] = {}
    mismatches: list[Mismatch] = []
    started = time.perf_counter()
    for doc in docs:
        try:
            results[doc.name] = classify(doc, classify_document)
        except Exception as exc:  # a crash on one document is a finding, not the end of the run
            results[doc.name] = None
            mismatches.append(Mismatch(doc.name, "error", None, f"{type(exc).__name__}: {exc}"))
            continue
        mismatches.extend(compare(doc.name, doc.label, results[doc.name]))
    elapsed = time.perf_counter() - started
    ok = {d.name: results[d.name] for d in docs if results[d.name] is not None}
    labels = {d.name: d.label for d in docs}

    tp = sum(1 for n, r in ok.items() if labels[n]["relevant"] and r.relevant)
    fp = sum(1 for n, r in ok.items() if not labels[n]["relevant"] and r.relevant)
    fn = sum(1 for n, r in ok.items() if labels[n]["relevant"] and not r.relevant)
    precision, recall = _ratio(tp, tp + fp), _ratio(tp, tp + fn)
    f1 = (
        round(2 * precision * recall / (precision + recall), 4)
        if precision and recall else None
    )

    fields = {
        field: _ratio(sum(getattr(r, field) == labels[n][field] for n, r in ok.items()), len(ok))
        for field in ("authority", "authoritative", "kind")
    }

    status_cells: dict[str, dict[str, dict[str, int]]] = {}
    for field in FIELDS:
        for service in status.SERVICES:
            cell = Counter(cells=0, correct=0, missed=0, false=0)
            for name, result in ok.items():
                expected, got = _stated(labels[name], result, service, field)
                if expected is None and got is None:
                    continue
                cell["cells"] += 1
                if expected is not None and got is not None and (
                    status.same_value(str(expected), str(got))
                ):
                    cell["correct"] += 1
                    continue
                cell["missed"] += expected is not None
                cell["false"] += got is not None
            status_cells.setdefault(field, {})[service] = dict(cell)

    dates = {}
    for field in DATE_FIELDS:
        right = stated = 0
        for name, result in ok.items():
            day = getattr(result.dates, field, None)
            got = day.isoformat() if day else None
            expected = labels[name]["dates"].get(field)
            right += got == expected
            stated += expected is not None or got is not None
        dates[field] = {"accuracy": _ratio(right, len(ok)), "stated_cells": stated,
                        "wrong": len(ok) - right}

    low_confidence = [
        {"doc": name, "service": service, "confidence": s.confidence}
        for name, result in ok.items()
        for service, s in result.statuses.items()
        if getattr(s, "confidence", 1.0) < status.REVIEW_THRESHOLD
    ]
    return {
        "documents": len(docs),
        "classified": len(ok),
        "errors": len(docs) - len(ok),
        "relevance": {"tp": tp, "fp": fp, "fn": fn, "precision": precision, "recall": recall,
                      "f1": f1},
        "accuracy": fields,
        "status": status_cells,
        "dates": dates,
        "false_status_statements": sum(m.is_false_statement for m in mismatches),
        "missed_status_statements": sum(m.is_missed_statement for m in mismatches),
        "documents_fully_right": sum(
            1 for d in docs if results[d.name] is not None
            and not any(m.doc == d.name for m in mismatches)
        ),
        "needs_review_statuses": low_confidence,
        "mismatches": [asdict(m) for m in mismatches],
        "seconds": round(elapsed, 3),
        "ms_per_document": round(1000 * elapsed / len(docs), 1) if docs else None,
    }


def _pct(value: float | None) -> str:
    return "  n/a" if value is None else f"{100 * value:5.1f}%"


def render(report: dict[str, Any]) -> str:
    """The report as text for a terminal."""
    rel = report["relevance"]
    lines = [
        f"documents: {report['documents']} (classified {report['classified']}, "
        f"errors {report['errors']}; fully right {report['documents_fully_right']})",
        f"relevance: precision {_pct(rel['precision'])}  recall {_pct(rel['recall'])}  "
        f"F1 {_pct(rel['f1'])}  (tp {rel['tp']}, fp {rel['fp']}, fn {rel['fn']})",
        "accuracy:  " + "  ".join(f"{k} {_pct(v)}" for k, v in report["accuracy"].items()),
        "",
        "status fields (cells = document x service where the label or the classifier states a"
        " value):",
        f"  {'field':<14}{'service':<10}{'cells':>6}{'right':>7}{'missed':>8}{'false':>7}"
        f"{'accuracy':>10}",
    ]
    for field, services in report["status"].items():
        for service, cell in services.items():
            if not cell["cells"]:
                continue
            lines.append(
                f"  {field:<14}{service:<10}{cell['cells']:>6}{cell['correct']:>7}"
                f"{cell['missed']:>8}{cell['false']:>7}"
                f"{_pct(_ratio(cell['correct'], cell['cells'])):>10}"
            )
    lines.append("")
    lines.append("dates (over all documents; unlabelled dates must be absent):")
    for field, d in report["dates"].items():
        lines.append(f"  {field:<16}{_pct(d['accuracy'])}  wrong {d['wrong']}  "
                     f"(stated by label or classifier: {d['stated_cells']})")
    lines += [
        "",
        f"false status statements: {report['false_status_statements']}  "
        "(a value stated where the label states none or another: the false-transition proxy)",
        f"missed status statements: {report['missed_status_statements']}",
        f"statuses below the review threshold ({status.REVIEW_THRESHOLD}): "
        f"{len(report['needs_review_statuses'])}",
    ]
    for item in report["needs_review_statuses"]:
        lines.append(f"  {item['doc']}  {item['service']}  confidence {item['confidence']}")
    lines.append("")
    lines.append(f"mismatches: {len(report['mismatches'])}")
    for m in report["mismatches"]:
        lines.append(f"  {m['doc']}  {m['field']}: expected {m['expected']!r}, got {m['got']!r}")
    lines.append("")
    lines.append(f"time: {report['seconds']} s ({report['ms_per_document']} ms per document)")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--corpus", type=Path, default=CORPUS_DIR,
                        help="directory holding docs/ and labels.json (default: %(default)s)")
    parser.add_argument("--json", action="store_true", help="print the report as one JSON object")
    args = parser.parse_args(argv)
    docs = load_corpus(args.corpus)
    try:
        from storage.classify import classify_document
    except ImportError as exc:
        message = (
            f"classifier not available ({exc}); {len(docs)} labelled documents in {args.corpus}"
        )
        print(json.dumps({"documents": len(docs), "error": message}) if args.json else message)
        return 0
    report = evaluate(docs, classify_document)
    print(json.dumps(report, indent=2, default=str) if args.json else render(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
