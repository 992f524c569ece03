"""The project's deployments, declared once.

``carewatch serve`` serves these in one process; ``prefect.yaml`` declares the same set for
a work pool (``prefect deploy --all``).  ``tests/flows/test_deployments.py`` checks the two
agree, so a schedule cannot be changed in one place and forgotten in the other.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

TIMEZONE = "Europe/London"


@dataclass(frozen=True)
class DeploymentSpec:
    name: str
    entrypoint: str  # "flows/<file>.py:<flow function>", as prefect.yaml spells it
    cron: str
    description: str
    parameters: dict[str, Any] = field(default_factory=dict)

    @property
    def module(self) -> str:
        return self.entrypoint.split(":")[0].removesuffix(".py").replace("/", ".")

    @property
    def function(self) -> str:
        return self.entrypoint.split(":")[1]


DEPLOYMENTS = (
    DeploymentSpec(
        name="poll",
        entrypoint="flows/poll.py:poll",
        cron="*/30 * * * *",
        description="Poll every enabled source that is due, record status changes, "
                    "deliver alerts.",
        # Each source's own `every` (scrapers/sources.toml) thins this schedule out.
        parameters={"scheduled": True},
    ),
    DeploymentSpec(
        name="deliver",
        entrypoint="flows/deliver.py:deliver",
        cron="*/5 * * * *",
        description="Retry alerts whose delivery failed (SMTP or webhook receiver down).",
    ),
    DeploymentSpec(
        name="source-health",
        entrypoint="flows/health.py:source_health",
        cron="0 7 * * *",
        description="Daily: is every source still polled, reachable, readable and fresh? "
                    "Operations alert when one stops being.",
    ),
    DeploymentSpec(
        name="digest",
        entrypoint="flows/digest.py:digest",
        cron="0 8 * * 1",
        description="Weekly digest email (CAREWATCH_DIGEST_TO): new publications, status "
                    "changes, where each service stands.",
        # For a daily digest: cron "0 8 * * *" and period "day".
        parameters={"period": "week"},
    ),
)
