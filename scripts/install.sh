#!/usr/bin/env bash
# Installs both binaries, the systemd units (handoffd, the generator agent), the example configuration and shell completions.
# Usage: scripts/install.sh PREFIX BIN_DIR   (make install PREFIX=… builds BIN_DIR in release)
set -euo pipefail
prefix=${1:?PREFIX}
bin=${2:?BIN_DIR}
root="${DESTDIR:-}$prefix"
install -d "$root/bin" "$root/lib/systemd/system" "$root/share/handoff-vault" \
  "$root/share/bash-completion/completions" "$root/share/zsh/site-functions" "$root/share/fish/vendor_completions.d"
install -m 0755 "$bin/handoff" "$bin/handoffd" "$root/bin/"
for unit in handoffd handoff-generator; do
  sed "s|@PREFIX@|$prefix|g" "$(dirname "$0")/../config/$unit.service" > "$root/lib/systemd/system/$unit.service"
  chmod 0644 "$root/lib/systemd/system/$unit.service"
done
install -m 0644 "$(dirname "$0")/../config/handoffd.yaml" "$root/share/handoff-vault/handoffd.yaml"
for tool in handoff handoffd; do
  "$bin/$tool" --generate-completion-script bash > "$root/share/bash-completion/completions/$tool"
  "$bin/$tool" --generate-completion-script zsh > "$root/share/zsh/site-functions/_$tool"
  "$bin/$tool" --generate-completion-script fish > "$root/share/fish/vendor_completions.d/$tool.fish"
done
echo "installed handoff and handoffd $("$bin/handoff" --version) under $root"
