#!/usr/bin/env bash
# The web page's WebAssembly module: the domain's own Swift sources (the values rules, canonical
# JSON, the invite, sealed payload, receipt and package-signature formats, and VaultCrypto) compiled
# with Embedded Swift for wasm32, linked with libsodium compiled from Debian's source package.
# No second copy of the rules, no hand-written crypto.
#
# Usage: WebPage/build/build.sh OUT.wasm
# Reproducible: the same toolchain and libsodium source give the same bytes (make wasm-check).
set -euo pipefail
cd "$(dirname "$0")/../.."
out=${1:?OUT.wasm}
work=$PWD/.build-wasm
mkdir -p "$work"
toolchain=$(dirname "$(dirname "$(readlink -f "$(command -v swiftc)")")")
clang=$toolchain/bin/clang
wasm_ld=$toolchain/bin/wasm-ld
llvm_ar=$toolchain/bin/llvm-ar
wasi=/usr/lib/wasm32-wasi
sodium_version=1.0.18
sodium_debian=1.0.18-1+deb12u1

# libsodium's source, from Debian (deb-src added for this one package's source, if missing).
src=$work/libsodium-$sodium_version
if [[ ! -d $src ]]; then
  if ! ls /etc/apt/sources.list.d/*.sources 2>/dev/null | xargs grep -qs "deb-src"; then
    printf 'Types: deb-src\nURIs: http://deb.debian.org/debian\nSuites: bookworm\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
      > /etc/apt/sources.list.d/handoff-deb-src.sources
    apt-get update -qq -o Dir::Etc::sourcelist=/etc/apt/sources.list.d/handoff-deb-src.sources -o Dir::Etc::sourceparts=- -o APT::Get::List-Cleanup=0
  fi
  (cd "$work" && apt-get source -qq "libsodium=$sodium_debian" > /dev/null 2>&1)
  test -d "$src"
fi

# libsodium for wasm32-wasi (randomness through WASI's random_get, which the page maps to
# crypto.getRandomValues). Objects in a fixed order, no debug info: the archive is reproducible.
lib=$work/libsodium.a
if [[ ! -f $lib ]]; then
  sodium=$src/src/libsodium
  sed -e "s/@VERSION@/$sodium_version/; s/@SODIUM_LIBRARY_VERSION_MAJOR@/10/; s/@SODIUM_LIBRARY_VERSION_MINOR@/3/; s/@SODIUM_LIBRARY_MINIMAL_DEF@//" \
    "$sodium/include/sodium/version.h.in" > "$sodium/include/sodium/version.h"
  objects=$work/sodium-objects
  rm -rf "$objects" && mkdir -p "$objects"
  find "$sodium" -name '*.c' | LC_ALL=C sort | while read -r file; do
    name=$(echo "${file#$sodium/}" | tr '/' '_')
    "$clang" --target=wasm32-wasi --sysroot=/usr -O2 -DCONFIGURED=1 -DED25519_NONDETERMINISTIC=1 -D_WASI_EMULATED_SIGNAL \
      -I"$sodium/include/sodium" -I"$sodium/include" -ffile-prefix-map="$src"=libsodium -c "$file" -o "$objects/${name%.c}.o"
  done
  (cd "$objects" && LC_ALL=C ls *.o | xargs "$llvm_ar" rcsD "$lib")
fi

# The Swift side: the domain's files as they are (their `import VaultCrypto` lines dropped, since
# here they are one module), and the page's exports. Compiled in a fixed folder: the object
# otherwise carries 16 bytes that depend on where the checkout is, and a rebuild elsewhere (CI)
# would not give the same bytes.
stage=/tmp/handoff-vault-wasm-stage
exec 9> /tmp/handoff-vault-wasm-stage.lock
flock 9
rm -rf "$stage" && mkdir -p "$stage/swift" "$stage/include" "$stage/sodium"
M=Sources
for file in $M/VaultCrypto/*.swift $M/HandoffDomain/JSON/*.swift $M/HandoffDomain/Values/*.swift \
  $M/HandoffDomain/Access/{BearerToken,Role,RecipientKeyID,PastedCredential}.swift \
  $M/HandoffDomain/Handoff/{HandoffState,HandoffState+Guidance}.swift \
  $M/HandoffDomain/Formats/{FormatError,InviteCode,SealedPayload,ObjectIdPayload,TenantProof,Receipt,SignedNote,PackageSignature}.swift \
  $M/HandoffDomain/SignIn/{SignInSettings,CompactJWS,TenantProofCheck}.swift $M/HandoffDomain/Setup/SetupCheck.swift \
  $M/HandoffDomain/AuditLog/{MerkleTree,AuditCheckpoint,AuditExport,WitnessKey,ReceiptInLog}.swift \
  WebPage/Wasm/*.swift; do
  sed '/^import VaultCrypto$/d' "$file" > "$stage/swift/$(basename "$(dirname "$file")")_$(basename "$file")"
done
cp WebPage/Wasm/module.modulemap WebPage/Wasm/shim.h "$stage/include/"
cp -r "$src/src/libsodium/include/." "$stage/sodium/"
(cd "$stage" && "$toolchain/bin/swiftc" -target wasm32-unknown-none-wasm -enable-experimental-feature Embedded -wmo -Osize -parse-as-library \
  -package-name HandoffVault -module-name HandoffWeb -disable-stack-protector -c -I include \
  -Xcc -Isodium -Xcc -D__wasi__ -Xcc -isystem -Xcc /usr/include/wasm32-wasi \
  -module-cache-path "$stage/module-cache" swift/*.swift -o handoff-web.o 2> swiftc.log) || { cat "$stage/swiftc.log" >&2; exit 1; }
cp "$stage/handoff-web.o" "$work/handoff-web.o"

unicode=$toolchain/lib/swift/embedded/wasm32-unknown-none-wasm/libswiftUnicodeDataTables.a
# compiler-rt's builtins for wasm32 (128-bit multiplication and friends), from Debian.
builtins=$(ls /usr/lib/llvm-*/lib/clang/*/lib/wasi/libclang_rt.builtins-wasm32.a | head -1)
"$wasm_ld" --no-entry --strip-all --gc-sections \
  --export=hv_alloc --export=hv_free --export=hv_validate --export=hv_invite --export=hv_seal --export=hv_seal_object_id \
  --export=hv_verify_receipt --export=hv_verify_package --export=hv_describe --export=hv_tenant_nonce --export=hv_check_sign_in --export=hv_setup_check \
  --export=hv_verify_export --export=hv_verify_inclusion --export=hv_receipt_in_log \
  "$wasi/crt1-reactor.o" "$work/handoff-web.o" "$lib" "$wasi/libc.a" "$wasi/libwasi-emulated-signal.a" "$unicode" "$builtins" \
  -o "$out.tmp"
mv "$out.tmp" "$out"
echo "$out: $(stat -c %s "$out") bytes"
