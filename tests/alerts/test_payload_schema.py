"""The webhook payload's JSON Schema (alerts/schema/webhook-payload.schema.json): valid Draft
2020-12, met by every kind of payload carewatch renders, broken by every kind of mistake, in
step with the Python vocabulary, shipped in the package, and the README's example is current."""

from __future__ import annotations

import copy
import json
import re
import tomllib
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from alerts.message import PAYLOAD_TYPES, render_payload
from alerts.webhook import (
    PAYLOAD_DEFINITIONS,
    PAYLOAD_SCHEMA,
    payload_errors,
    payload_schema,
    payload_validator,
)
from storage import status
from storage.health import PROBLEMS
from storage.outbox import DEAD_LETTER, ENDPOINT_DISABLED
from tests.alerts.examples import ALL_ALERTS, OPS_ALERTS, STATUS_ALERTS, UNCONFIRMED_REPORTS

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2020, 8, 5, 9, 30, tzinfo=UTC)
SCHEMA = payload_schema()
DEFS = SCHEMA["$defs"]


def payload(name: str) -> dict[str, Any]:
    return json.loads(json.dumps(render_payload(ALL_ALERTS[name], now=NOW)))


def test_schema_is_valid_draft_2020_12():
    assert SCHEMA["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(SCHEMA)


def test_schema_is_the_file_in_the_repository_and_ships_as_package_data():
    assert json.loads((ROOT / "alerts" / PAYLOAD_SCHEMA).read_text(encoding="utf-8")) == SCHEMA
    package_data = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"][
        "package-data"]
    assert "schema/*.json" in package_data["alerts"]


@pytest.mark.parametrize("name", ALL_ALERTS)
def test_every_kind_of_payload_is_valid(name):
    body = payload(name)
    # With the stock format checker (date, date-time) and with carewatch's (uri as well).
    Draft202012Validator(SCHEMA, format_checker=Draft202012Validator.FORMAT_CHECKER).validate(body)
    payload_validator().validate(body)
    assert payload_errors(body) == []


def test_one_branch_per_payload_type():
    branches = [DEFS[ref["$ref"].removeprefix("#/$defs/")] for ref in SCHEMA["oneOf"]]
    consts = [branch["properties"]["type"]["const"] for branch in branches]
    assert sorted(consts) == sorted(PAYLOAD_TYPES.values()) == sorted(PAYLOAD_DEFINITIONS)
    assert all(DEFS[PAYLOAD_DEFINITIONS[c]] is b for c, b in zip(consts, branches, strict=True))
    rendered = {payload(name)["type"] for name in ALL_ALERTS}
    assert rendered == set(consts)


def _properties(node: object, path: str = "$") -> Iterator[tuple[str, dict[str, Any]]]:
    if isinstance(node, dict):
        for name, sub in (node.get("properties") or {}).items():
            yield f"{path}.{name}", sub
        for key, value in node.items():
            yield from _properties(value, f"{path}/{key}")
    elif isinstance(node, list):
        for i, item in enumerate(node):
            yield from _properties(item, f"{path}[{i}]")


def test_every_field_is_described():
    undocumented = [path for path, sub in _properties(SCHEMA)
                    if "description" not in sub and "$ref" not in sub and "const" not in sub]
    assert undocumented == []
    assert all("description" in definition for definition in DEFS.values())


@pytest.mark.parametrize(
    ("where", "values"),
    [
        (DEFS["transition"]["properties"]["service"]["enum"], status.SERVICES),
        (DEFS["transition"]["properties"]["dimension"]["enum"], status.DIMENSIONS),
        (DEFS["transition"]["properties"]["kind"]["enum"], status.KINDS),
        (DEFS["transition"]["properties"]["scheme"]["enum"],
         [getattr(status, n) for n in dir(status) if n.startswith("SCHEME_")]),
        (DEFS["sourceHealthData"]["properties"]["problem"]["enum"], PROBLEMS),
        (DEFS["deliveryProblemData"]["properties"]["problem"]["enum"],
         [ENDPOINT_DISABLED, DEAD_LETTER]),
    ],
    ids=["service", "dimension", "kind", "scheme", "health problem", "delivery problem"],
)
def test_enums_are_the_vocabulary(where, values):
    assert sorted(where) == sorted(values)


def test_value_enums_follow_the_dimension():
    rules = {rule["if"]["properties"]["dimension"]["const"]: rule["then"]["properties"]["new"]
             ["enum"] for rule in DEFS["transition"]["allOf"]}
    assert rules == {
        status.CONCERN_LEVEL: list(status.CONCERN_LEVELS),
        status.INTERVENTION: list(status.INTERVENTION_VALUES),
        status.PEOPLE_SERVED: list(status.PEOPLE_SERVED_LEVELS),
        status.PROSPECTS: list(status.PROSPECTS_LEVELS),
    }


# --- mistakes the schema must catch --------------------------------------------------------

Mutation = Callable[[dict[str, Any]], object]


def _set(path: str, value: object) -> Mutation:
    *parents, last = path.split(".")

    def mutate(body: dict[str, Any]) -> None:
        node = body
        for key in parents:
            node = node[key]
        node[last] = value
    return mutate


def _drop(path: str) -> Mutation:
    *parents, last = path.split(".")

    def mutate(body: dict[str, Any]) -> None:
        node = body
        for key in parents:
            node = node[key]
        del node[last]
    return mutate


MISTAKES: list[tuple[str, str, Mutation, str]] = [
    # (example, what is wrong, mutation, the path the error names)
    ("2020 escalation", "missing url", _drop("data.url"), "$.data"),
    ("2020 escalation", "missing subject", _drop("data.subject"), "$.data"),
    ("2020 escalation", "missing type", _drop("type"), "$"),
    ("2020 escalation", "misspelt concern level", _set("data.new", "serios"), "$.data.new"),
    ("2020 escalation", "level in words", _set("data.old", "serious concern"), "$.data.old"),
    ("2020 escalation", "unknown service", _set("data.service", "childrens"), "$.data.service"),
    ("2020 escalation", "unknown scheme", _set("data.scheme", "cop_2025"), "$.data.scheme"),
    ("2020 escalation", "unknown direction", _set("data.direction", "up"), "$.data.direction"),
    ("2020 escalation", "priority of a claim", _set("data.priority", 1), "$.data.priority"),
    ("2020 escalation", "priority as text", _set("data.priority", "2"), "$.data.priority"),
    ("2020 escalation", "extra data field", _set("data.rating", "good"), "$.data"),
    ("2020 escalation", "extra top-level field", _set("version", 2), "$"),
    ("2020 escalation", "date in words", _set("data.published", "4 Aug 2020"), "$.data.published"),
    ("2020 escalation", "naive detected_at", _set("data.detected_at", "2020-08-05T09:00:00"),
     "$.data.detected_at"),
    ("2020 escalation", "relative url", _set("data.url", "/letter.pdf"), "$.data.url"),
    ("2020 escalation", "url with a space", _set("data.url", "https://x.org/a b"), "$.data.url"),
    ("2020 escalation", "timestamp not UTC", _set("timestamp", "2020-08-05T10:30:00+01:00"),
     "$.timestamp"),
    ("2020 escalation", "subject too long", _set("data.subject", "x" * 90), "$.data.subject"),
    ("2020 escalation", "unknown type", _set("type", "status.change"), "$"),
    ("Part 8 warning notice", "intervention in words",
     _set("data.new", "Part 8 warning notice"), "$.data.new"),
    ("joint review: prospects", "unknown grading", _set("data.new", "good"), "$.data.new"),
    ("press claims a lower level", "claim given a direction",
     _set("data.direction", "de_escalation"), "$.data.direction"),
    ("press claims a lower level", "claim as a change", _set("data.alert_kind", "status_change"),
     "$.data.alert_kind"),
    ("source failing", "unknown problem", _set("data.problem", "broken"), "$.data.problem"),
    ("source failing", "runs as text", _set("data.runs", "3"), "$.data.runs"),
    ("source failing", "extra field", _set("data.hint", "x"), "$.data"),
    ("alert dead-lettered (webhook)", "no alert id", _set("data.alert_id", 0), "$.data.alert_id"),
    ("alert dead-lettered (webhook)", "since not a time", _set("data.since", "yesterday"),
     "$.data.since"),
]


@pytest.mark.parametrize(("name", "mutation", "path"),
                         [(name, mutation, path) for name, _, mutation, path in MISTAKES],
                         ids=[what for _, what, _, _ in MISTAKES])
def test_schema_catches_the_mistake(name, mutation, path):
    body = copy.deepcopy(payload(name))
    assert payload_errors(body) == []
    mutation(body)
    errors = payload_errors(body)
    assert errors, body
    assert any(error.startswith(f"{path}: ") for error in errors), errors
    assert not Draft202012Validator(SCHEMA, format_checker=payload_validator().format_checker
                                    ).is_valid(body)


def test_payload_errors_of_what_is_not_a_payload():
    assert payload_errors([]) and payload_errors({}) and payload_errors("status.changed")


def test_example_lists_cover_every_shape():
    shapes = {(p["type"], p["data"].get("dimension"))
              for p in map(payload, [*STATUS_ALERTS, *UNCONFIRMED_REPORTS, *OPS_ALERTS])}
    assert {("status.changed", d) for d in status.DIMENSIONS} <= shapes
    assert {("status.unconfirmed_report", d)
            for d in (status.CONCERN_LEVEL, status.JUDGEMENT, status.INTERVENTION)} <= shapes


# --- the README ----------------------------------------------------------------------------


def _readme_section(title: str) -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    start = text.index(f"\n## {title}\n")
    end = text.find("\n## ", start + 1)
    return text[start:end if end != -1 else None]


def test_readme_example_payload_is_valid_and_current():
    blocks = re.findall(r"```json\n(.*?)```", _readme_section("Alerts"), re.S)
    assert blocks, "the README's Alerts section shows an example payload"
    for block in blocks:
        example = json.loads(block)
        assert payload_errors(example) == []
    # The first example is exactly what carewatch sends for the 3 Aug 2020 letter.
    assert json.loads(blocks[0]) == payload("2020 escalation")


def test_readme_links_the_schema_and_states_the_subject_limit():
    alerts = _readme_section("Alerts")
    assert f"alerts/{PAYLOAD_SCHEMA}" in alerts
    assert payload("2020 escalation")["data"]["subject"] in alerts
    assert "90 characters" in alerts
