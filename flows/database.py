"""One engine and session factory per database URL per process, migrated on first use.

Flows and tasks call ``open_database(url)`` rather than taking a session factory as a
parameter, so Prefect never has to serialise one, and a scheduled run on a fresh machine
creates its own schema before the first query.
"""

from __future__ import annotations

import threading

from sqlalchemy.orm import Session, sessionmaker

from storage.db import make_engine, make_session_factory, migrate

_factories: dict[str, sessionmaker[Session]] = {}
_lock = threading.Lock()


def open_database(url: str) -> sessionmaker[Session]:
    """Engine + session factory for ``url``, with the schema upgraded to the latest migration."""
    with _lock:
        if url not in _factories:
            engine = make_engine(url)
            migrate(engine)
            _factories[url] = make_session_factory(engine)
        return _factories[url]


def close_databases() -> None:
    """Dispose every engine opened so far (the demo and tests call this between databases)."""
    with _lock:
        for sessions in _factories.values():
            bind = sessions.kw.get("bind")
            if bind is not None:
                bind.dispose()
        _factories.clear()
