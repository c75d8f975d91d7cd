#!/usr/bin/env bash
# A private PostgreSQL 15 (Debian's postgresql-15) for the tests: its own cluster in DIR, owned by
# an unprivileged user (handoff-pg, created when run as root), on 127.0.0.1:PORT with its socket in
# DIR/socket. Trust authentication for user vault on loopback: a test server, never a deployment.
#   scripts/pg/server.sh start DIR PORT   prints postgres://vault@127.0.0.1:PORT/vault
#   scripts/pg/server.sh stop DIR         (fast shutdown)
#   scripts/pg/server.sh restart DIR      (the tests' "PostgreSQL restarted under running nodes")
set -euo pipefail
bin=/usr/lib/postgresql/15/bin
command=${1:?start|stop|restart}
dir=${2:?DIR}
as_owner() {
  if [[ $(id -u) -eq 0 ]]; then runuser -u handoff-pg -- "$@"; else "$@"; fi
}
case $command in
  start)
    port=${3:?PORT}
    if [[ $(id -u) -eq 0 ]] && ! id handoff-pg > /dev/null 2>&1; then
      useradd --system --no-create-home --shell /usr/sbin/nologin handoff-pg
    fi
    mkdir -p "$dir/socket"
    [[ $(id -u) -eq 0 ]] && chown -R handoff-pg "$dir"
    chmod 700 "$dir"
    if [[ ! -f $dir/data/PG_VERSION ]]; then
      as_owner "$bin/initdb" -D "$dir/data" -U vault --auth=trust -E UTF8 --locale=C.UTF-8 > "$dir/initdb.log"
    fi
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 \
      -o "-p $port -k $dir/socket -c listen_addresses=127.0.0.1 -c max_connections=200" start > /dev/null
    as_owner "$bin/psql" -h 127.0.0.1 -p "$port" -U vault -d postgres -qtAc \
      "SELECT 1 FROM pg_database WHERE datname = 'vault'" | grep -q 1 \
      || as_owner "$bin/createdb" -h 127.0.0.1 -p "$port" -U vault vault
    echo "postgres://vault@127.0.0.1:$port/vault"
    ;;
  stop) as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w stop > /dev/null ;;
  restart) as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w -t 30 restart > /dev/null ;;
  *) echo "usage: $0 start DIR PORT | stop DIR | restart DIR" >&2; exit 64 ;;
esac
