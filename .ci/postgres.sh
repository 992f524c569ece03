#!/usr/bin/env bash
# Source this from .ci/run: installs PostgreSQL (Debian package) if its server binaries are
# missing, starts a throwaway cluster on loopback, and exports CAREWATCH_TEST_POSTGRES_URL
# so the storage tests run against it as well as SQLite. If PostgreSQL cannot be had, it
# says why and leaves the variable unset: those tests then skip with that reason shown.
pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }
if [ -z "$(pg_bin)" ]; then
  echo "ci: installing PostgreSQL (Debian package)"
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null) \
    || echo "ci: could not install PostgreSQL; PostgreSQL tests will be skipped"
fi
BIN=$(pg_bin)
if [ -n "$BIN" ] && id postgres >/dev/null 2>&1; then
  PGDIR=$(mktemp -d)
  chown postgres "$PGDIR"
  # The first free loopback port from 55432 (another cluster, or a stale CI run, may hold one).
  PGPORT=${CAREWATCH_CI_PGPORT:-$(python3 -c '
import socket
for port in range(55432, 55532):
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            continue
        print(port)
        break
')}
  run_pg() { runuser -u postgres -- "$@"; }
  run_pg "$BIN/initdb" -D "$PGDIR/data" -A trust -U postgres >/dev/null
  run_pg "$BIN/pg_ctl" -D "$PGDIR/data" -l "$PGDIR/log" -w \
    -o "-c listen_addresses=127.0.0.1 -c port=$PGPORT -c unix_socket_directories=$PGDIR" start >/dev/null
  run_pg "$BIN/createdb" -h 127.0.0.1 -p "$PGPORT" -U postgres carewatch_test
  export CAREWATCH_TEST_POSTGRES_URL="postgresql+psycopg://postgres@127.0.0.1:$PGPORT/carewatch_test"
  trap 'runuser -u postgres -- "$BIN/pg_ctl" -D "$PGDIR/data" -m fast stop >/dev/null 2>&1' EXIT
  echo "ci: PostgreSQL $("$BIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$PGPORT"
else
  echo "ci: PostgreSQL server not available; PostgreSQL tests will be skipped"
fi
