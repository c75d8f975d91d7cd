#!/usr/bin/env bash
# make dist: the customer's CLI as one file that runs on a Linux machine without Swift.
#   scripts/dist/package.sh BIN_DIR     (BIN_DIR from a --static-swift-stdlib release build)
# Writes dist/handoff-<version>-linux-x86_64.tar.gz (the stripped binary, README.txt, SHA256SUMS),
# then checks it as a customer would get it: unpacked in an empty folder, run with an empty
# environment (env -i), no Swift library, libsodium or C++ runtime among its dynamic dependencies, and (as root)
# run with libsodium's shared library hidden.
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=${1:?usage: package.sh BIN_DIR}
version=$("$bin/handoff" --version)
name=handoff-$version-linux-$(uname -m)
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/$name" dist
cp "$bin/handoff" "$stage/$name/handoff"
strip "$stage/$name/handoff"
# The README's opening and the customer's part of the walkthrough.
awk '/^## Walkthrough/ { exit } { print }' README.md > "$stage/$name/README.txt"
awk '/^\*\*5\. Customer admin/,/^\*\*6\. Generator/' README.md | sed '$d' >> "$stage/$name/README.txt"
awk '/^\*\*6c\. Customer admin/,/^States a handoff/' README.md | sed '$d' >> "$stage/$name/README.txt"
(cd "$stage/$name" && sha256sum handoff README.txt > SHA256SUMS)
tar -C "$stage" -czf "dist/$name.tar.gz" "$name"
(cd dist && sha256sum "$name.tar.gz" > "$name.tar.gz.sha256")

# The check: a clean folder, an empty environment, no Swift libraries.
check=$(mktemp -d)
trap 'rm -rf "$stage" "$check"' EXIT
tar -C "$check" -xzf "dist/$name.tar.gz"
(cd "$check/$name" && sha256sum --quiet -c SHA256SUMS)
if ldd "$check/$name/handoff" | grep -i swift; then
  echo "dist: the binary still needs a Swift library" >&2
  exit 1
fi
if ldd "$check/$name/handoff" | grep -i sodium; then
  echo "dist: the binary still needs libsodium's shared library" >&2
  exit 1
fi
if ldd "$check/$name/handoff" | grep -E 'libstdc\+\+|libgcc_s'; then
  echo "dist: the binary still needs the C++ runtime's shared libraries (scripts/dist/static-runtime.sh)" >&2
  exit 1
fi
# As on a machine without libsodium23: the shared library hidden (root, a private mount namespace).
sodium=$(ldconfig -p | awk '/libsodium\.so\.[0-9]+ .*x86-64|libsodium\.so\.[0-9]+ \(libc6,AArch64/ { print $NF; exit }')
if [[ -n $sodium && $(id -u) == 0 ]] && unshare -m true 2> /dev/null; then
  unshare -m sh -c 'mount --bind /dev/null "$1" && env -i "$2" validate --values config/values.example.json > /dev/null' hide "$sodium" "$check/$name/handoff" \
    || { echo "dist: the binary does not run without $sodium" >&2; exit 1; }
  hidden=", runs with $sodium hidden"
fi
[[ $(cd "$check" && env -i "./$name/handoff" --version) == "$version" ]] || { echo "dist: --version failed in a clean environment" >&2; exit 1; }
env -i "$check/$name/handoff" validate --values config/values.example.json > /dev/null \
  || { echo "dist: validate failed in a clean environment" >&2; exit 1; }
echo "dist: dist/$name.tar.gz ($(du -k "dist/$name.tar.gz" | cut -f1) KiB): runs with env -i, no Swift library, libsodium or C++ runtime needed${hidden:-} ($(ldd "$check/$name/handoff" | wc -l) system libraries)"
