# Start throwaway PostgreSQL 15 (five databases) and Redis servers on loopback, installing
# them from Debian when missing. Sourced by .ci/run and bin/bench; sets DATABASE_URL*,
# REDIS_URL and SERVICES_DIR, and stops everything on exit.
PG_BIN=/usr/lib/postgresql/15/bin
PG_PORT=${PG_PORT:-54329}
REDIS_PORT=${REDIS_PORT:-63799}
SERVICES_DIR=$(mktemp -d /tmp/clockify-services.XXXXXX)
chmod 755 "$SERVICES_DIR"

install_missing() {
  local need=()
  [ -x "$PG_BIN/initdb" ] || need+=(postgresql-15)
  command -v redis-server >/dev/null || need+=(redis-server)
  for extra in "$@"; do command -v "$extra" >/dev/null || need+=("$extra"); done
  if [ ${#need[@]} -gt 0 ]; then
    echo "Installing ${need[*]} from Debian"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  fi
}

_as_pg() { if [ "$(id -u)" -eq 0 ]; then su postgres -s /bin/sh -c "$*"; else sh -c "$*"; fi; }

stop_services() {
  if [ -f "$SERVICES_DIR/pg/postmaster.pid" ]; then
    _as_pg "$PG_BIN/pg_ctl -D $SERVICES_DIR/pg -m immediate stop" >/dev/null 2>&1 || true
  fi
  if [ -f "$SERVICES_DIR/redis.pid" ]; then kill "$(cat "$SERVICES_DIR/redis.pid")" 2>/dev/null || true; fi
  rm -rf "$SERVICES_DIR"
}
trap stop_services EXIT

start_postgres() {
  local user=postgres
  [ "$(id -u)" -eq 0 ] || user=$(id -un)
  mkdir -p "$SERVICES_DIR/pg"
  [ "$(id -u)" -ne 0 ] || chown postgres "$SERVICES_DIR/pg"
  _as_pg "$PG_BIN/initdb -D $SERVICES_DIR/pg -U $user -A trust -E UTF8 --locale=C.UTF-8 >/dev/null"
  _as_pg "$PG_BIN/pg_ctl -D $SERVICES_DIR/pg -l $SERVICES_DIR/pg/log -w -o '-c listen_addresses=127.0.0.1 -p $PG_PORT -k $SERVICES_DIR/pg -c fsync=off -c synchronous_commit=off -c full_page_writes=off' start >/dev/null"
  for db in directory us eu uk au; do
    _as_pg "$PG_BIN/createdb -h 127.0.0.1 -p $PG_PORT -U $user clockify_$db"
  done
  local base="postgres://$user@127.0.0.1:$PG_PORT"
  export DATABASE_URL="$base/clockify_directory" DATABASE_URL_US="$base/clockify_us"
  export DATABASE_URL_EU="$base/clockify_eu" DATABASE_URL_UK="$base/clockify_uk"
  export DATABASE_URL_AU="$base/clockify_au"
  export PSQL_URL_BASE="$base"
}

start_redis() {
  redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --save '' --appendonly no \
    --daemonize yes --pidfile "$SERVICES_DIR/redis.pid" --logfile "$SERVICES_DIR/redis.log" \
    --dir "$SERVICES_DIR"
  for _ in $(seq 50); do redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && break; sleep 0.1; done
  export REDIS_URL="redis://127.0.0.1:$REDIS_PORT/0"
}
