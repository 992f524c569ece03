"""Run-time settings, read once from the environment at the edge of a run.

Every package below ``flows`` takes its settings as arguments; only this module (and the
``from_env`` constructors it calls) reads environment variables, so a test or the demo can
configure a whole run by handing over a dict.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from alerts.channels import Channel, channels_from_env
from scrapers.http import HttpSettings
from scrapers.registry import CONFIG
from storage.db import database_url
from storage.health import Thresholds


@dataclass(frozen=True)
class Settings:
    """Everything one poll or delivery run needs to know about its surroundings."""

    database_url: str
    http: HttpSettings
    authorities: tuple[str, ...]
    environ: Mapping[str, str]
    crawl_retries: int = 2
    crawl_retry_delays: tuple[float, ...] = (10.0, 60.0)
    health: Thresholds = Thresholds()

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = dict(os.environ if environ is None else environ)
        raw = env.get("CAREWATCH_AUTHORITIES", "")
        authorities = tuple(a.strip() for a in raw.split(",") if a.strip()) or CONFIG.watch
        try:
            retries = int(env.get("CAREWATCH_CRAWL_RETRIES", "2"))
            raw_delays = env.get("CAREWATCH_CRAWL_RETRY_DELAYS", "10,60")
            delays = tuple(float(d) for d in raw_delays.split(","))
        except ValueError:
            raise ValueError(
                "CAREWATCH_CRAWL_RETRIES must be a whole number and CAREWATCH_CRAWL_RETRY_DELAYS "
                "comma-separated seconds, e.g. CAREWATCH_CRAWL_RETRY_DELAYS=10,60"
            ) from None
        return cls(
            database_url=database_url(env),
            http=HttpSettings.from_env(env),
            authorities=authorities,
            environ=env,
            crawl_retries=retries,
            crawl_retry_delays=delays,
            health=Thresholds.from_env(env),
        )

    def channels(self) -> list[Channel]:
        """The configured alert channels (email and/or webhook); empty when none is set."""
        return channels_from_env(self.environ)

    def watches(self, authority: str) -> bool:
        """Whether status changes for ``authority`` should alert (``*`` watches all)."""
        return "*" in self.authorities or authority in self.authorities
