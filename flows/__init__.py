"""Prefect flows and the ``carewatch`` command line.

Telemetry is off by default: this package is imported before Prefect, so the project's
defaults are in place before Prefect reads its settings.  A value the user sets wins.
"""

import os

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
