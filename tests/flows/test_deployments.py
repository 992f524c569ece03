"""prefect.yaml and flows/deployments.py declare the same deployments (style.md: docs are
tested), and every entrypoint names a real Prefect flow."""

from __future__ import annotations

import importlib
from pathlib import Path

import yaml
from prefect import Flow

from flows.deployments import DEPLOYMENTS, TIMEZONE

PREFECT_YAML = Path(__file__).resolve().parents[2] / "prefect.yaml"


def _declared() -> dict[str, dict]:
    return {d["name"]: d for d in yaml.safe_load(PREFECT_YAML.read_text())["deployments"]}


def test_prefect_yaml_matches_deployment_specs():
    declared = _declared()
    assert sorted(declared) == sorted(spec.name for spec in DEPLOYMENTS)
    for spec in DEPLOYMENTS:
        entry = declared[spec.name]
        assert entry["entrypoint"] == spec.entrypoint
        assert entry["schedules"] == [{"cron": spec.cron, "timezone": TIMEZONE}]
        assert (entry.get("parameters") or {}) == spec.parameters
        assert entry["work_pool"]["name"] == "carewatch"


def test_poll_runs_every_30_minutes_london_time():
    poll = next(spec for spec in DEPLOYMENTS if spec.name == "poll")
    assert poll.cron == "*/30 * * * *" and TIMEZONE == "Europe/London"


def test_entrypoints_are_flows():
    for spec in DEPLOYMENTS:
        flow = getattr(importlib.import_module(spec.module), spec.function)
        assert isinstance(flow, Flow)
        assert flow.name == spec.name



def test_health_is_daily_and_digest_weekly_with_a_valid_period():
    from storage.digests import PERIODS

    specs = {spec.name: spec for spec in DEPLOYMENTS}
    assert set(specs) >= {"poll", "deliver", "source-health", "digest"}
    minute, hour, day, month, weekday = specs["source-health"].cron.split()
    assert minute.isdigit() and hour.isdigit() and (day, month, weekday) == ("*", "*", "*")
    minute, hour, day, month, weekday = specs["digest"].cron.split()
    assert minute.isdigit() and hour.isdigit() and (day, month) == ("*", "*")
    assert weekday.isdigit()  # one day a week
    assert specs["digest"].parameters["period"] in PERIODS
