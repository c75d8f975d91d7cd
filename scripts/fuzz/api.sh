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
trap 'kill $server 2>/dev/null || true; rm -rf "$work"' EXIT
json() { python3 -c "import json,sys; print(json.load(sys.stdin)[sys.argv[1]])" "$1"; }

"$bin/handoffd" init --data-dir "$work/data" --dev-tls --json > "$work/init.json"
admin=$(json adminToken < "$work/init.json")
# Schemathesis sends thousands of refused requests on purpose: the refusal limiter would answer
# most of them 429 and leave the operations untested.
HANDOFF_REFUSAL_LIMIT=1000000 HANDOFF_LOG_FORMAT=json "$bin/handoffd" serve --data-dir "$work/data" --port 0 > "$work/serve.out" 2> "$work/serve.err" &
server=$!
for _ in $(seq 1 100); do grep -q "listening on" "$work/serve.out" 2>/dev/null && break; sleep 0.1; done
url=$(sed -n 's/^listening on //p' "$work/serve.out")
export HANDOFF_SERVER=$url HANDOFF_CA_FILE=$work/data/tls/cert.pem
"$bin/handoff" keys generate --out "$work/gen" > /dev/null
HANDOFF_TOKEN=$admin "$bin/handoff" admin recipient set --public-key "$work/gen/generator.pub" > /dev/null
invite=$(HANDOFF_TOKEN=$admin "$bin/handoff" admin invite --customer Fuzz --json | json inviteCode)
customer=$(python3 -c 'import base64,json,sys; print(json.loads(base64.urlsafe_b64decode(sys.argv[1][4:] + "==="))["token"])' "$invite")
generator=$(HANDOFF_TOKEN=$admin "$bin/handoff" admin token create --role generator --name fuzz --json | json token)
auditor=$(HANDOFF_TOKEN=$admin "$bin/handoff" admin token create --role auditor --name fuzz --json | json token)

# Tokens reach schemathesis through the environment and its config file, never its argv.
printf 'headers = { Authorization = "Bearer ${HANDOFF_FUZZ_TOKEN}" }\n' > "$work/schemathesis.toml"
status=0
for role in customer generator auditor admin; do
  echo "== schemathesis as $role ($examples cases per operation)"
  # Run from the scratch folder: schemathesis writes its cache (.schemathesis/) where it runs.
  (cd "$work" && HANDOFF_FUZZ_TOKEN=${!role} "$venv/bin/st" --config-file "$work/schemathesis.toml" run "$url/v1/openapi.yaml" --tls-verify "$HANDOFF_CA_FILE" \
    --max-examples "$examples" --mode positive --no-color ${seed:+--seed "$seed"} \
    --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance,response_headers_conformance) \
    || status=1
done
if grep -q '"level":"error"' "$work/serve.err"; then echo "the server logged errors"; status=1; fi
exit $status
