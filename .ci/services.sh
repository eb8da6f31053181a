# Start throwaway PostgreSQL 15 (five databases), Redis and an S3-compatible server (one
# bucket per region) on loopback: PostgreSQL and Redis from Debian when missing, the S3
# server (moto) from PyPI into a venv of its own. Sourced by .ci/run and bin/bench; sets
# DATABASE_URL*, REDIS_URL, S3_* with AWS_* credentials, and SERVICES_DIR, and stops
# everything on exit.
PG_BIN=/usr/lib/postgresql/15/bin
PG_PORT=${PG_PORT:-54329}
REDIS_PORT=${REDIS_PORT:-63799}
S3_PORT=${S3_PORT:-59000}
# moto's S3 in server mode. `moto[server]` would bring every AWS service (about 300 MB);
# S3 needs only its `s3` extra plus Flask and flask-cors, which the server imports. Kept
# between runs in a venv of its own, outside the project's .venv, named by its version.
S3_SERVER_REQUIREMENTS=("moto[s3]==5.2.5" "flask==3.1.3" "flask-cors==6.0.5")
S3_SERVER_VENV=${S3_SERVER_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/clockify-ci/moto-5.2.5}
_SERVICES_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
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
  if [ -f "$SERVICES_DIR/s3.pid" ]; then kill "$(cat "$SERVICES_DIR/s3.pid")" 2>/dev/null || true; fi
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

# Refuse a port something already listens on: the tests would talk to a stranger's server.
_port_free() {
  if (exec 3<>"/dev/tcp/127.0.0.1/$2") 2>/dev/null; then
    echo "Port $2 is taken: set $1 to a free one." >&2
    return 1
  fi
}

start_redis() {
  _port_free REDIS_PORT "$REDIS_PORT" || return 1
  redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --save '' --appendonly no \
    --daemonize yes --pidfile "$SERVICES_DIR/redis.pid" --logfile "$SERVICES_DIR/redis.log" \
    --dir "$SERVICES_DIR"
  for _ in $(seq 50); do redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && break; sleep 0.1; done
  if ! redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1; then
    echo "Redis did not start on port $REDIS_PORT; its log:" >&2
    tail -n 20 "$SERVICES_DIR/redis.log" >&2
    return 1
  fi
  export REDIS_URL="redis://127.0.0.1:$REDIS_PORT/0"
}

# Install moto once (under a lock: parallel runs share the venv); a venv without its
# stamp is a half-done install and is made again.
_install_s3_server() {
  local venv=$S3_SERVER_VENV
  mkdir -p "$(dirname "$venv")"
  (
    flock 9
    [ -f "$venv/.installed" ] && exit 0
    echo "Installing ${S3_SERVER_REQUIREMENTS[*]} from PyPI into $venv"
    rm -rf "$venv"
    "$("$_SERVICES_ROOT/bin/find-python")" -m venv "$venv"
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
      "${S3_SERVER_REQUIREMENTS[@]}"
    touch "$venv/.installed"
  ) 9>"$venv.lock"
}

# The regions each bucket is created in: AWS_REGION_NAMES in clockify/settings.py.
_S3_CREATE_BUCKETS='
import os, sys, time
import boto3

pid, endpoint = int(sys.argv[1]), os.environ["S3_ENDPOINT_URL"]
regions = {"US": "us-east-1", "EU": "eu-central-1", "UK": "eu-west-2", "AU": "ap-southeast-2"}
deadline = time.monotonic() + 60
while True:
    os.kill(pid, 0)  # raises once the server has exited (a taken port, say)
    try:
        boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1").list_buckets()
        break
    except Exception:
        if time.monotonic() > deadline:
            raise
        time.sleep(0.2)
for alias, region in regions.items():
    where = {} if region == "us-east-1" else {"LocationConstraint": region}
    boto3.client("s3", endpoint_url=endpoint, region_name=region).create_bucket(
        Bucket=os.environ[f"S3_BUCKET_{alias}"], **({"CreateBucketConfiguration": where} if where else {})
    )
'

start_s3() {
  _install_s3_server
  _port_free S3_PORT "$S3_PORT" || return 1
  "$S3_SERVER_VENV/bin/python" -m moto.server -H 127.0.0.1 -p "$S3_PORT" \
    >"$SERVICES_DIR/s3.log" 2>&1 &
  echo $! >"$SERVICES_DIR/s3.pid"
  export S3_ENDPOINT_URL="http://127.0.0.1:$S3_PORT" S3_ADDRESSING_STYLE=path
  export S3_BUCKET_US=clockify-us S3_BUCKET_EU=clockify-eu
  export S3_BUCKET_UK=clockify-uk S3_BUCKET_AU=clockify-au
  # moto takes any key; the app reads these as it would a real server's.
  export AWS_ACCESS_KEY_ID=clockify-ci AWS_SECRET_ACCESS_KEY=clockify-ci-secret
  # Wait until it answers, then create each region's bucket in that region.
  if ! "$S3_SERVER_VENV/bin/python" -c "$_S3_CREATE_BUCKETS" "$(cat "$SERVICES_DIR/s3.pid")"; then
    echo "The S3 server at $S3_ENDPOINT_URL did not start; its log:" >&2
    tail -n 20 "$SERVICES_DIR/s3.log" >&2
    return 1
  fi
}
