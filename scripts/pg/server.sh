#!/usr/bin/env bash
# A private PostgreSQL 15 (Debian's postgresql-15) for the tests: its own cluster in DIR, owned by
# an unprivileged user (handoff-pg, created when run as root), on 127.0.0.1:PORT with its socket in
# DIR/socket. Trust authentication for user vault on loopback: a test server, never a deployment.
# TLS on, as a deployment has it: a CA made here (DIR/tls/ca.pem) signs the server's certificate for
# localhost, and the URL the tests get verifies it (sslmode=verify-full, sslrootcert=DIR/tls/ca.pem).
#   scripts/pg/server.sh start DIR PORT   prints postgres://vault@localhost:PORT/vault?sslmode=verify-full&sslrootcert=DIR/tls/ca.pem
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
    if [[ ! -f $dir/tls/server.pem ]]; then
      mkdir -p "$dir/tls"
      openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj "/CN=handoff test PostgreSQL CA" \
        -keyout "$dir/tls/ca.key" -out "$dir/tls/ca.pem" 2> /dev/null
      openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=localhost" \
        -keyout "$dir/tls/server.key" -out "$dir/tls/server.csr" 2> /dev/null
      openssl x509 -req -in "$dir/tls/server.csr" -CA "$dir/tls/ca.pem" -CAkey "$dir/tls/ca.key" -CAcreateserial -days 2 \
        -extfile <(printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\n') -out "$dir/tls/server.pem" 2> /dev/null
      chmod 600 "$dir/tls/server.key" "$dir/tls/ca.key"
      chmod 644 "$dir/tls/ca.pem"
      [[ $(id -u) -eq 0 ]] && chown -R handoff-pg "$dir/tls"
    fi
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 \
      -o "-p $port -k $dir/socket -c listen_addresses=127.0.0.1 -c max_connections=400 -c ssl=on -c ssl_cert_file=$dir/tls/server.pem -c ssl_key_file=$dir/tls/server.key" start > /dev/null
    as_owner "$bin/psql" -h 127.0.0.1 -p "$port" -U vault -d postgres -qtAc \
      "SELECT 1 FROM pg_database WHERE datname = 'vault'" | grep -q 1 \
      || as_owner "$bin/createdb" -h 127.0.0.1 -p "$port" -U vault vault
    echo "postgres://vault@localhost:$port/vault?sslmode=verify-full&sslrootcert=$dir/tls/ca.pem"
    ;;
  stop) as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w stop > /dev/null ;;
  restart) as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w -t 30 restart > /dev/null ;;
  *) echo "usage: $0 start DIR PORT | stop DIR | restart DIR" >&2; exit 64 ;;
esac
