#!/usr/bin/env bash
# Schema fuzzing: schemathesis (PyPI) against a live handoffd with a token for each role; every
# response must be documented and none may be a 5xx.
# Usage: scripts/fuzz/api.sh BIN_DIR [EXAMPLES] [SEED]   (a fixed SEED replays the same cases)
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=${1:?BIN_DIR}
examples=${2:-200}
seed=${3:-}
venv=$PWD/.venv-fuzz
if [[ ! -x $venv/bin/st ]]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q "schemathesis==4.32.5"
fi
work=$(mktemp -d)
trap 'kill "$(json pid < "$work/vault.json" 2>/dev/null)" 2>/dev/null || true; rm -rf "$work"' EXIT
json() { python3 -c "import json,sys; v=json.load(sys.stdin)
for k in sys.argv[1:]: v=v[k]
print(v)" "$@"; }

# Schemathesis sends thousands of refused requests on purpose: the refusal limiter would answer
# most of them 429 and leave the operations untested.
url=$(python3 scripts/vault.py up --bin "$bin" --work "$work" --roles --env HANDOFF_REFUSAL_LIMIT=1000000 --env HANDOFF_LOG_FORMAT=json)
export HANDOFF_CA_FILE=$(json caFile < "$work/vault.json")
for role in customer generator auditor admin; do
  declare "$role=$(json tokens $role < "$work/vault.json")"
done

# Not fuzzed: the event stream (it never ends, by design) and adding webhooks (every accepted URL
# would be a real receiver the server then sends to); scripts/webhooks/webhook_test.py tests both.
# Tokens reach schemathesis through the environment and its config file, never its argv.
printf 'headers = { Authorization = "Bearer ${HANDOFF_FUZZ_TOKEN}" }\n' > "$work/schemathesis.toml"
# The roles run two at a time (schemathesis is one Python process, about one core; the server takes
# the rest): each writes its own log, printed whole and in order once it ends.
fuzz_as() {
  local role=$1
  echo "== schemathesis as $role ($examples cases per operation)"
  # Run from the role's scratch folder: schemathesis writes its cache (.schemathesis/) where it runs.
  mkdir -p "$work/st-$role"
  (cd "$work/st-$role" && HANDOFF_FUZZ_TOKEN=${!role} "$venv/bin/st" --config-file "$work/schemathesis.toml" run "$url/v1/openapi.yaml" --tls-verify "$HANDOFF_CA_FILE" \
    --max-examples "$examples" --mode positive --no-color ${seed:+--seed "$seed"} \
    --exclude-path /v1/events --exclude-name 'POST /v1/webhooks' \
    --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance,response_headers_conformance)
}
status=0
declare -A pid
for pair in "customer auditor" "generator admin"; do
  for role in $pair; do
    fuzz_as "$role" > "$work/st-$role.log" 2>&1 &
    pid[$role]=$!
  done
  for role in $pair; do
    wait "${pid[$role]}" || status=1
    cat "$work/st-$role.log"
  done
done
if grep -q '"level":"error"' "$work/serve.log"; then echo "the server logged errors"; status=1; fi
exit $status
