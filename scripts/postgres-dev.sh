#!/usr/bin/env bash
# A local PostgreSQL for running semhub on it by hand:
#   scripts/postgres-dev.sh start   # prints SEMHUB_DATABASE_URL=...
#   scripts/postgres-dev.sh stop    # stops it and deletes its data
# Data in $SEMHUB_DEV_PG_DIR (default /tmp/semhub-dev-pg), 127.0.0.1:${SEMHUB_DEV_PG_PORT:-54329},
# trust auth: for development only. As root it runs initdb/pg_ctl as the `postgres` user.
set -euo pipefail
DIR="${SEMHUB_DEV_PG_DIR:-/tmp/semhub-dev-pg}"
PORT="${SEMHUB_DEV_PG_PORT:-54329}"
BIN="${SEMHUB_PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}"
[ -x "$BIN/pg_ctl" ] || { echo "no PostgreSQL binaries (run scripts/postgres-install.sh or set SEMHUB_PG_BIN)" >&2; exit 1; }
as_owner() { if [ "$(id -u)" -eq 0 ]; then (cd /tmp && runuser -u postgres -- "$@"); else "$@"; fi; }

case "${1:-}" in
  start)
    if [ ! -d "$DIR/data" ]; then
      mkdir -p "$DIR/sock"
      [ "$(id -u)" -eq 0 ] && chown -R postgres:postgres "$DIR"
      as_owner "$BIN/initdb" -D "$DIR/data" -U postgres -A trust -E UTF8 --no-locale > /dev/null
    fi
    as_owner "$BIN/pg_ctl" -D "$DIR/data" -l "$DIR/server.log" -w \
      -o "-c listen_addresses=127.0.0.1 -p $PORT -k $DIR/sock" start > /dev/null
    as_owner "$BIN/psql" -h 127.0.0.1 -p "$PORT" -U postgres -tAc \
      "SELECT 1 FROM pg_database WHERE datname = 'semhub'" | grep -q 1 ||
      as_owner "$BIN/createdb" -h 127.0.0.1 -p "$PORT" -U postgres semhub
    echo "SEMHUB_DATABASE_URL=postgres://postgres@127.0.0.1:$PORT/semhub"
    ;;
  stop)
    [ -d "$DIR/data" ] && as_owner "$BIN/pg_ctl" -D "$DIR/data" -m fast -w stop > /dev/null || true
    rm -rf "$DIR"
    ;;
  *)
    echo "usage: $0 start|stop" >&2
    exit 2
    ;;
esac
