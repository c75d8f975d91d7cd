#!/usr/bin/env bash
# Runs a command with a private PostgreSQL 15 (scripts/pg/server.sh) on a free loopback port in a
# fresh folder, stopped and removed afterwards whatever the command does. The command sees
#   HANDOFF_TEST_DATABASE_URL  postgres://vault@localhost:PORT/vault?sslmode=verify-full&sslrootcert=… (TLS verified)
#   HANDOFF_TEST_PG_DIR, HANDOFF_TEST_PG_PORT (to create databases, or stop and start the server)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
dir=$(mktemp -d /tmp/handoff-pg-XXXXXX)
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cleanup() { "$here/server.sh" stop "$dir" 2>/dev/null || true; rm -rf "$dir"; }
trap cleanup EXIT
export HANDOFF_TEST_DATABASE_URL=$("$here/server.sh" start "$dir" "$port")
export HANDOFF_TEST_PG_DIR=$dir HANDOFF_TEST_PG_PORT=$port
echo "PostgreSQL 15 for the tests: $HANDOFF_TEST_DATABASE_URL (in $dir)" >&2
"$@"
