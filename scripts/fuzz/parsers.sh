#!/usr/bin/env bash
# Parser fuzzing with libFuzzer: builds one fuzzer holding every target in Fuzz/Targets (compiled
# into the HandoffDomain module once, with address sanitizer and coverage; HANDOFF_FUZZ_TARGET picks
# the target), replays the kept regression inputs, then fuzzes each target from the committed seeds
# (plus the shared value fixtures).
#
#   scripts/fuzz/parsers.sh --runs N --seed S [TARGET...]   repeatable: a fresh corpus, a fixed seed
#                                                          and a fixed number of cases, so every
#                                                          machine runs the same inputs (make test)
#   scripts/fuzz/parsers.sh --seconds N [TARGET...]         exploration: a random seed, the corpus
#                                                          kept in .build-fuzz/corpus (make fuzz)
#   targets: canonical-json values connection-string invite-code signed-note (default: all)
#
# A crashing input is left in .build-fuzz/crashes/ (replay it: HANDOFF_FUZZ_TARGET=<target>
# .build-fuzz/fuzz-parsers <input>); copy it to Fuzz/Regressions/<target>/ once fixed.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD

usage() { echo "usage: parsers.sh --runs N --seed S [TARGET...] | --seconds N [TARGET...]" >&2; exit 64; }
mode=${1:-}
case $mode in
    --runs) runs=${2:-}; seed=${4:-}; [[ -n $runs && ${3:-} == --seed && -n $seed ]] || usage; shift 4 ;;
    --seconds) seconds=${2:-}; [[ -n $seconds ]] || usage; shift 2 ;;
    *) usage ;;
esac
# Every target; Fuzz/Targets/FuzzEntry.swift maps each name to its function.
all_targets=(canonical-json values connection-string invite-code signed-note)
targets=("$@")
[[ ${#targets[@]} -gt 0 ]] || targets=("${all_targets[@]}")

# Each mode builds and logs in its own folder, so that make test can run beside a long make fuzz.
out=.build-fuzz
[[ $mode == --runs ]] && out=.build-fuzz/replay
# Swift's own crash handler would read memory ASan forbids; libFuzzer reports crashes itself.
export SWIFT_BACKTRACE=enable=no
mkdir -p "$out/crashes"
flags=(-use-ld=lld -swift-version 6 -enable-upcoming-feature MemberImportVisibility -parse-as-library -O -g -sanitize=fuzzer,address -I "$root/Sources/CSodium" -package-name HandoffVault)

for target in "${targets[@]}"; do
    [[ " ${all_targets[*]} " == *" $target "* ]] || { echo "unknown fuzz target: $target" >&2; exit 64; }
done

# VaultCrypto once, as a module the domain imports.
swiftc "${flags[@]}" -wmo -module-name VaultCrypto -emit-module -emit-module-path "$out/VaultCrypto.swiftmodule" \
    -emit-object -o "$out/VaultCrypto.o" Sources/VaultCrypto/*.swift
mapfile -t domain < <(find Sources/HandoffDomain -name '*.swift' | sort)

# The domain and every target once: one binary (a build per target took a minute each on 2 cores).
binary="$out/fuzz-parsers"
# With -g the driver writes a module for the debugger into the working folder: build in $out.
(cd "$out" && swiftc "${flags[@]}" -wmo -module-name HandoffDomain -I . -o fuzz-parsers \
    "${domain[@]/#/$root/}" "$root"/Fuzz/Targets/*.swift VaultCrypto.o -lsodium)
export HANDOFF_FUZZ_TARGET

report=()
for HANDOFF_FUZZ_TARGET in "${targets[@]}"; do
    target=$HANDOFF_FUZZ_TARGET
    # Every kept regression input first: each must now pass.
    regressions=(Fuzz/Regressions/"$target"/*)
    if [[ -e ${regressions[0]} ]]; then
        "$binary" -runs=1 "${regressions[@]}" > "$out/$target.regressions.log" 2>&1 \
            || { cat "$out/$target.regressions.log"; echo "fuzz: a regression input fails for $target" >&2; exit 1; }
    fi

    corpus="$out/corpus/$target"
    if [[ $mode == --runs ]]; then
        # A corpus left by an earlier run would change which inputs this run tries.
        rm -rf "$corpus"
        budget=(-runs="$runs" -seed="$seed")
    else
        budget=(-max_total_time="$seconds")
    fi
    mkdir -p "$corpus"
    seeds=(Fuzz/Seeds/"$target")
    [[ $target == values ]] && seeds+=(../shared/fixtures/values)
    dictionary=()
    [[ -f Fuzz/Dictionaries/$target.dict ]] && dictionary=(-dict="Fuzz/Dictionaries/$target.dict")
    log="$out/$target.log"
    if ! "$binary" "${budget[@]}" -max_len=8192 -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
        -artifact_prefix="$out/crashes/$target-" "${dictionary[@]}" "$corpus" "${seeds[@]}" > "$log" 2>&1; then
        tail -n 40 "$log"
        echo "fuzz: $target found a failing input; it is in $out/crashes/" >&2
        exit 1
    fi
    coverage=$(grep -o 'cov: [0-9]*' "$log" | tail -n 1 | awk '{ print $2 }')
    cases=$(awk '/stat::number_of_executed_units/ { print $2 }' "$log")
    used_seed=$(grep -o 'Seed: [0-9]*' "$log" | head -n 1 | awk '{ print $2 }')
    report+=("$(printf '%-18s %10s cases (seed %s), %s coverage points, corpus %s inputs' "$target" "$cases" "${used_seed:-?}" "${coverage:-?}" "$(ls "$corpus" | wc -l)")")
done
printf 'fuzz: %s\n' "${report[@]}"
