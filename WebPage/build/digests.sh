#!/usr/bin/env bash
# Writes WebPage/CWebPage/assets/digests.h: each page file's SHA-256. web_page.c includes it, so a
# changed file changes the header and the build embeds the new bytes (the assembler's .incbin is
# not tracked as a dependency by itself). `--check` fails instead when the header is stale.
set -euo pipefail
cd "$(dirname "$0")/../.."
assets=WebPage/CWebPage/assets
header=$(mktemp)
{
  echo "// Written by WebPage/build/digests.sh (make web): the page files' SHA-256, so that a changed file"
  echo "// rebuilds web_page.c. Not used at run time (handoffd hashes what it embeds)."
  for file in index.html page.js page.css handoff.wasm signin.js audit.html audit.js; do
    name=$(echo "$file" | tr 'a-z.' 'A-Z_')
    echo "#define HV_DIGEST_$name \"$(sha256sum "$assets/$file" | cut -d' ' -f1)\""
  done
} > "$header"
if [[ ${1:-} == --check ]]; then
  cmp -s "$header" "$assets/digests.h" || { echo "$assets/digests.h is stale: run make web" >&2; diff "$header" "$assets/digests.h" >&2 || true; rm -f "$header"; exit 1; }
  rm -f "$header"
else
  mv "$header" "$assets/digests.h"
  chmod 644 "$assets/digests.h"
fi
