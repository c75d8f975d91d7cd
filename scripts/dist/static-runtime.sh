#!/usr/bin/env bash
# The C++ runtime and the unwinder as static archives for the customer's binary (make dist, make bench):
#   scripts/dist/static-runtime.sh DIR
# `--static-swift-stdlib` still links libstdc++ and libgcc_s as shared libraries (the toolchain's
# static-stdlib-args.lnk says -lstdc++, and clang adds -lgcc_s). Package.swift puts DIR first in the
# static build's library search path, so the linker finds these archives before the shared ones:
# libstdc++.a, and libgcc_eh.a (the same unwinder, static) under the name -lgcc_s asks for. The binary
# then loads two fewer shared libraries and relocates none of their symbols at start-up (measured
# in BENCHMARKS.md). Where an archive is missing (no libstdc++-12-dev), nothing is linked and the
# shared library is used as before.
set -euo pipefail
dir=${1:?usage: static-runtime.sh DIR}
mkdir -p "$dir"
link() {
  local archive
  archive=$(clang -print-file-name="$1")
  if [[ $archive == /* && -f $archive ]]; then ln -sfn "$archive" "$dir/$2"; else rm -f "$dir/$2"; fi
}
link libstdc++.a libstdc++.a
link libgcc_eh.a libgcc_s.a
