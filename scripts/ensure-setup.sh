#!/bin/sh
# Makes a fresh clone runnable: dependencies, generated Prisma clients, database schema.
# Idempotent and quick when everything is already in place.
set -e
cd "$(dirname "$0")/.."
export NEXT_TELEMETRY_DISABLED=1
if [ ! -d node_modules/.bin ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "faasight: installing dependencies (npm ci, a few minutes the first time)…"
  npm ci --no-audit --no-fund
fi
if [ ! -f lib/generated/sqlite/client.ts ] || [ ! -f lib/generated/pg/client.ts ] || [ prisma/models.prisma -nt lib/generated/sqlite/client.ts ]; then
  npm run --silent db:generate
fi
node bin/faasight.js migrate
