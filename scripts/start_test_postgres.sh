#!/usr/bin/env bash
# Install (Debian package) and start a local PostgreSQL for the store tests, then print the
# export lines that point the tests at it:  eval "$(bash scripts/start_test_postgres.sh)"
set -euo pipefail
log() { echo "[postgres] $*" >&2; }
if ! ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1; then
  log "installing the postgresql package"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq postgresql >&2
fi
version=$(ls /usr/lib/postgresql | sort -V | tail -1)
if ! pg_lsclusters -h | awk -v v="$version" '$1 == v && $2 == "main"' | grep -q .; then
  log "creating cluster $version/main"
  pg_createcluster "$version" main >&2
fi
if ! pg_lsclusters -h | awk -v v="$version" '$1 == v && $2 == "main" && $4 == "online"' | grep -q .; then
  log "starting cluster $version/main"
  pg_ctlcluster "$version" main start >&2
fi
port=$(pg_lsclusters -h | awk -v v="$version" '$1 == v && $2 == "main" {print $3}')
as_postgres() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else sudo -u postgres "$@"; fi; }
for _ in $(seq 1 30); do as_postgres pg_isready -q -p "$port" && break; sleep 1; done
as_postgres psql -p "$port" -qtAc "SELECT 1 FROM pg_roles WHERE rolname = 'eldercare'" | grep -q 1 ||
  as_postgres psql -p "$port" -qc "CREATE ROLE eldercare LOGIN PASSWORD 'eldercare' CREATEDB" >&2
# Dropping a test database WITH (FORCE) may have to stop an autovacuum worker on it.
as_postgres psql -p "$port" -qc "GRANT pg_signal_backend TO eldercare" >&2
as_postgres psql -p "$port" -qtAc "SELECT 1 FROM pg_database WHERE datname = 'eldercare_test'" | grep -q 1 ||
  as_postgres psql -p "$port" -qc "CREATE DATABASE eldercare_test OWNER eldercare" >&2
log "ready on port $port"
echo "export ELDERCARE_TEST_POSTGRES_URL=postgresql+psycopg://eldercare:eldercare@127.0.0.1:$port/eldercare_test"
echo "export ELDERCARE_REQUIRE_POSTGRES=1"
