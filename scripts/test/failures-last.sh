#!/usr/bin/env bash
# Runs a test command and, when it fails, prints its failure lines again at the very end: a CI log
# is often read from its tail, where the servers' request lines otherwise bury which test failed.
set -uo pipefail
log=$(mktemp)
trap 'rm -f "$log"' EXIT
"$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
if [ "$status" -ne 0 ]; then
    echo "---- what failed (repeated from above; exit $status) ----"
    grep -aE "✘|recorded an issue|Expectation failed|Fatal error|error:|Assertion|ERROR" "$log" | tail -n 60
fi
exit "$status"
