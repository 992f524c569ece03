"""Run-time settings, read once from the environment at the edge of a run.

Every package below ``flows`` takes its settings as arguments; only this module (and the
``from_env`` constructors it calls) reads environment variables, so a test or the demo can
configure a whole run by handing over a dict.

Secrets (the SMTP password, the webhook signing secret) come from their env vars or, where
``CAREWATCH_SMTP_PASSWORD_BLOCK`` / ``CAREWATCH_WEBHOOK_SECRET_BLOCK`` name one, from a Prefect
Secret block, read here at the start of a run: they never travel as flow-run parameters,
and ``Settings`` never shows them (or the database password) in its repr, which is what a
log line or a traceback would print.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field

from alerts.channels import Channel, channels_from_env
from scrapers.http import HttpSettings
from scrapers.registry import CONFIG
from storage.db import database_url, redact_url
from storage.health import Thresholds

# Env var that may hold a secret -> env var naming the Prefect Secret block to read it from.
SECRET_BLOCKS = {
    "CAREWATCH_SMTP_PASSWORD": "CAREWATCH_SMTP_PASSWORD_BLOCK",
    "CAREWATCH_WEBHOOK_SECRET": "CAREWATCH_WEBHOOK_SECRET_BLOCK",
}


class SecretBlockError(ValueError):
    """A named Secret block cannot be read: says which variable named it and how to fix."""


def resolve_secret_blocks(env: dict[str, str]) -> dict[str, str]:
    """``env`` with each secret named by a ``*_BLOCK`` variable read from its Prefect Secret
    block.  Setting both the secret and its block is refused: which one wins would be a
    guess.  Prefect is imported only when a block is named."""
    out = dict(env)
    for secret, block_var in SECRET_BLOCKS.items():
        name = env.get(block_var, "").strip()
        if not name:
            continue
        if env.get(secret, "").strip():
            raise SecretBlockError(f"both {secret} and {block_var} are set: unset one of them")
        out[secret] = _read_secret_block(name, block_var)
    return out


def _read_secret_block(name: str, block_var: str) -> str:
    from prefect.blocks.system import Secret

    try:
        block: Secret[str] = Secret.load(name, validate=False)  # type: ignore[assignment]
        value = block.get()
    except Exception as exc:  # noqa: BLE001 - any failure means the same fix
        raise SecretBlockError(
            f"{block_var}={name}: the Prefect Secret block could not be read "
            f"({type(exc).__name__}); create it with `carewatch secret set {name}` against "
            "the same Prefect API (PREFECT_API_URL) the flows use") from None
    if not isinstance(value, str) or not value:
        raise SecretBlockError(f"{block_var}={name}: the Secret block is empty or not text; "
                               f"set it again with `carewatch secret set {name}`")
    return value


@dataclass(frozen=True)
class Settings:
    """Everything one poll or delivery run needs to know about its surroundings."""

    database_url: str
    http: HttpSettings
    authorities: tuple[str, ...]
    environ: Mapping[str, str] = field(repr=False)  # holds the secrets
    crawl_retries: int = 2
    crawl_retry_delays: tuple[float, ...] = (10.0, 60.0)
    health: Thresholds = Thresholds()

    def __repr__(self) -> str:
        return (f"Settings(database_url={redact_url(self.database_url)!r}, "
                f"authorities={self.authorities!r}, http={self.http!r})")

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = resolve_secret_blocks(dict(os.environ if environ is None else environ))
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
