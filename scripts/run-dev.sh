#!/usr/bin/env bash
# `make run`: initialise ./var on first run (printing the admin token once), then serve on
# https://127.0.0.1:8443 with config/handoffd.yaml.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=$(swift build --show-bin-path)

if [[ ! -f var/vault.sqlite ]]; then
  "$bin/handoffd" init --data-dir var --dev-tls --key-name handoff-vault/dev
  cat <<'NEXT'

Next, in another terminal in this folder (the README's walkthrough has every step):
  make build
  export PATH="$PWD/.build/debug:$PATH" HANDOFF_SERVER=https://127.0.0.1:8443 HANDOFF_CA_FILE=var/tls/cert.pem
  read -rs ADMIN_TOKEN && (umask 077; printf '%s\n' "$ADMIN_TOKEN" > admin.token) && unset ADMIN_TOKEN   # paste it, Enter
  handoff keys generate --out generator
  handoff admin recipient set --public-key generator/generator.pub --token-file admin.token
  handoff admin invite --customer Contoso --token-file admin.token

The customer's web page is https://127.0.0.1:8443/ (its certificate is var/tls/cert.pem, a
development one: import it into the browser to trust it). Paste the invite code there.

NEXT
else
  echo "using the existing ./var (its admin token was printed when it was made; delete ./var to start over)"
fi
exec "$bin/handoffd" serve --config config/handoffd.yaml --log-format text
