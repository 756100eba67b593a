#!/bin/sh
# Before the integration and end-to-end tests: PostgreSQL reachable on TEST_PG_URL and
# Chromium present. Starts a local PostgreSQL cluster when one is installed but down.
set -e
url="${TEST_PG_URL:-postgresql://postgres:postgres@127.0.0.1:5432/postgres}"
if ! node -e "const c=new (require('pg').Client)({connectionString:process.argv[1]});c.connect().then(()=>c.end()).catch(()=>process.exit(1))" "$url" 2>/dev/null; then
  if command -v pg_ctlcluster >/dev/null 2>&1 && [ "$(id -u)" = "0" ]; then
    v=$(ls /usr/lib/postgresql | sort -n | tail -1)
    pg_ctlcluster "$v" main start 2>/dev/null || true
    sleep 2
    su postgres -c "psql -q -c \"ALTER USER postgres PASSWORD 'postgres';\"" >/dev/null 2>&1 || true
  fi
  node -e "const c=new (require('pg').Client)({connectionString:process.argv[1]});c.connect().then(()=>c.end()).catch(()=>process.exit(1))" "$url" 2>/dev/null || {
    echo "faasight tests: PostgreSQL is not reachable at TEST_PG_URL (default 127.0.0.1:5432, user/password postgres)." >&2
    echo "  Install and start it (Debian: apt-get install -y postgresql; pg_ctlcluster 15 main start), or run .ci/run." >&2
    exit 1
  }
fi
if [ ! -x "${CHROMIUM_PATH:-/usr/bin/chromium}" ]; then
  echo "faasight tests: Chromium not found at ${CHROMIUM_PATH:-/usr/bin/chromium} (Debian: apt-get install -y chromium)." >&2
  exit 1
fi
