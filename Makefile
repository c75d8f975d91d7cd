# Handoff Vault. `make test` and `make run` install missing Debian packages themselves.
SHELL := /bin/bash

# Build: libsodium (crypto), libsqlite3 (storage), libssl (TLS), zlib (zip), pkg-config (to find them);
# openssl makes the development certificate.
# Tests: Debian's Python with PyNaCl, jsonschema and PyJWT (with cryptography: the fake Entra's
# RS256 ID tokens), the independent implementations.
APT_PACKAGES := pkg-config libsodium-dev libsqlite3-dev libssl-dev zlib1g-dev openssl curl python3 python3-venv python3-nacl python3-jsonschema python3-jwt python3-cryptography
# The web page: its WebAssembly rebuilt from source (wasi-libc, compiler-rt's wasm32 builtins, and
# dpkg-dev for libsodium's Debian source package), and tested in Chromium (with NSS's certutil to
# trust the test vault's CA); fonts-liberation, which apt would only recommend, so pages render with real text.
WEB_PACKAGES := wasi-libc libclang-rt-dev-wasm32 dpkg-dev chromium chromium-driver libnss3-tools fonts-liberation
# The PostgreSQL backend's tests: a real PostgreSQL 15 that make test starts as an unprivileged user.
PG_PACKAGES := postgresql-15
PYTHON := /usr/bin/python3
SWIFT ?= swift

.PHONY: deps web-deps pg-deps web web-bundle wasm-check build check test test-suites run clean bench bench-audit bench-scale install crashtest fuzz test-asan test-tsan dist

# make test is repeatable: schemathesis replays one fixed set of cases, and each parser fuzzer
# (libFuzzer) runs FUZZ_RUNS cases from FUZZ_SEED on a fresh corpus, so every machine tries the same
# inputs. make fuzz explores with fresh seeds for FUZZ_SECONDS per parser.
FUZZ_SEED ?= 20261126
FUZZ_RUNS ?= 300000
FUZZ_SECONDS ?= 600

deps:
	@scripts/install-deps.sh $(APT_PACKAGES)

web-deps:
	@scripts/install-deps.sh $(WEB_PACKAGES)

pg-deps:
	@scripts/install-deps.sh $(PG_PACKAGES)

# The web page's WebAssembly from source (the domain's Swift with Embedded Swift, libsodium from
# Debian's source package), then the digests that make the server embed the new files. The built
# handoff.wasm is committed; wasm-check (in make test) proves a rebuild gives the same bytes.
web: web-deps
	WebPage/build/build.sh WebPage/CWebPage/assets/handoff.wasm
	WebPage/build/digests.sh
	@if [ -n "$(VAULT_ORIGIN)" ]; then $(MAKE) --no-print-directory web-bundle; \
	else echo "make web VAULT_ORIGIN=https://vault.example.com also writes the page's static bundle ($(BUNDLE))"; fi

# The page as static files for a separately controlled host (page_origin): reproducible, with the
# page code digest its footer shows and SHA256SUMS. make web-bundle VAULT_ORIGIN=https://vault.example.com
BUNDLE ?= .build-web/bundle
web-bundle: build
	rm -rf $(BUNDLE)
	"$$($(SWIFT) build --show-bin-path)/handoffd" web-bundle --vault-origin "$(VAULT_ORIGIN)" --out $(BUNDLE)

wasm-check: web-deps
	WebPage/build/build.sh .build-wasm/rebuilt.wasm
	cmp .build-wasm/rebuilt.wasm WebPage/CWebPage/assets/handoff.wasm
	WebPage/build/digests.sh --check

build: deps
	$(SWIFT) build

# The inner loop: every suite but the end-to-end one (unit tests and the API in-process), in
# seconds once built. make test is the full suite CI runs.
check: deps
	$(SWIFT) build --build-tests
	HANDOFF_PYTHON=$(PYTHON) $(SWIFT) test --skip-build --skip EndToEndTests

test: deps wasm-check pg-deps
	$(SWIFT) build --build-tests
	scripts/pg/with-server.sh $(MAKE) --no-print-directory test-suites

# Everything make test runs once built, with PostgreSQL running (scripts/pg/with-server.sh).
test-suites:
	WebPage/Tests/browser-test.sh "$$($(SWIFT) build --show-bin-path)"
	$(PYTHON) Tests/Postgres/multinode_test.py "$$($(SWIFT) build --show-bin-path)" "$$HANDOFF_TEST_PG_DIR" "$$HANDOFF_TEST_PG_PORT"
	$(PYTHON) scripts/interop/sealed_payload.py open Tests/Vectors/sealed-payload.json
	$(PYTHON) scripts/interop/tenant_proof.py check Tests/Vectors/tenant-proof.json
	$(PYTHON) scripts/interop/package_signature.py check Tests/Vectors/package-signature.json
	$(PYTHON) scripts/crash/crashtest.py --bin "$$($(SWIFT) build --show-bin-path)" --rounds 3 --seed $(FUZZ_SEED)
	$(PYTHON) scripts/crash/crashtest.py --bin "$$($(SWIFT) build --show-bin-path)" --rounds 3 --seed $(FUZZ_SEED) --postgres "$$HANDOFF_TEST_DATABASE_URL"
	$(PYTHON) scripts/agent/agent_crashtest.py --bin "$$($(SWIFT) build --show-bin-path)" --kills 5 --seed $(FUZZ_SEED)
	$(PYTHON) scripts/agent/agent_crashtest.py --bin "$$($(SWIFT) build --show-bin-path)" --kills 5 --seed $(FUZZ_SEED) --postgres "$$HANDOFF_TEST_DATABASE_URL"
	$(PYTHON) scripts/webhooks/webhook_test.py --bin "$$($(SWIFT) build --show-bin-path)"
	$(PYTHON) scripts/webhooks/webhook_test.py --bin "$$($(SWIFT) build --show-bin-path)" --postgres "$$HANDOFF_TEST_DATABASE_URL"
	$(PYTHON) scripts/signin/real_provider.py "$$($(SWIFT) build --show-bin-path)"
	scripts/fuzz/api.sh "$$($(SWIFT) build --show-bin-path)" 200 $(FUZZ_SEED)
	scripts/fuzz/parsers.sh --runs $(FUZZ_RUNS) --seed $(FUZZ_SEED)
	HANDOFF_PYTHON=$(PYTHON) scripts/test/failures-last.sh $(SWIFT) test --skip-build

# The Swift suites again under a sanitizer, each in its own build folder: the test process and every
# handoff / handoffd it starts are instrumented. Not part of CI: the instrumented build and run took
# 26 minutes on CI's 2 cores, past its 45-minute budget with make test; make test's parser fuzzers
# run under AddressSanitizer. Run it before a release and after changes to C interop (VaultCrypto).
# The slow-client suite measures the server's deadlines and latency in milliseconds, which a
# sanitizer's slowdown turns into noise: test-asan skips it.
LSAN_OPTIONS_FILE := LSAN_OPTIONS=suppressions=$(CURDIR)/scripts/sanitizers/lsan.supp:print_suppressions=0
TSAN_OPTIONS_FILE := TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1

test-asan: deps
	$(SWIFT) build --build-tests --sanitize=address --scratch-path .build-asan
	$(LSAN_OPTIONS_FILE) HANDOFF_PYTHON=$(PYTHON) scripts/test/failures-last.sh $(SWIFT) test --skip-build --sanitize=address --scratch-path .build-asan --skip SlowClientTests

test-tsan: deps
	$(SWIFT) build --build-tests --sanitize=thread --scratch-path .build-tsan
	# Serially: under TSan's slowdown, parallel suites on 2 cores stretch the rate-limit test's ten
	# failed logins past the limiter's one-minute window.
	$(TSAN_OPTIONS_FILE) HANDOFF_PYTHON=$(PYTHON) $(SWIFT) test --skip-build --no-parallel --sanitize=thread --scratch-path .build-tsan

# Longer fuzzing: the parsers for FUZZ_SECONDS each, then the API schema with a fresh seed.
fuzz: deps
	scripts/fuzz/parsers.sh --seconds $(FUZZ_SECONDS)
	$(SWIFT) build
	scripts/fuzz/api.sh "$$($(SWIFT) build --show-bin-path)" 1000

# The long crash test: 20 rounds of SIGKILL under concurrent submitters.
crashtest: deps
	$(SWIFT) build
	$(PYTHON) scripts/crash/crashtest.py --bin "$$($(SWIFT) build --show-bin-path)" --rounds 20

run: build
	@scripts/run-dev.sh

PREFIX ?= /usr/local

# Both binaries (release), the hardened systemd unit, the example config and shell completions.
install: deps
	$(SWIFT) build -c release --product handoff
	$(SWIFT) build -c release --product handoffd
	scripts/install.sh $(PREFIX) "$$($(SWIFT) build -c release --show-bin-path)"

# The service benchmark (nginx ceiling, submissions, releases, raw SQLite, CLI vs age) and the
# audit log benchmark, in release builds; rewrites BENCHMARKS.md. About 15 minutes on 2 cores.
# Release binaries with the Swift standard library, Foundation and libsodium linked in: what make
# dist ships, and what the benchmark measures (start-up included).
# libstdc++ and the unwinder are linked in too, from archives that static-runtime.sh names where
# Package.swift's static build looks first.
STATIC_BUILD = HANDOFF_STATIC_SODIUM=1 $(SWIFT) build -c release --static-swift-stdlib --scratch-path .build-static
STATIC_RUNTIME = scripts/dist/static-runtime.sh .build-static/static-runtime

bench: deps pg-deps
	@scripts/install-deps.sh nginx-light wrk age hyperfine bc time
	$(STATIC_RUNTIME)
	$(STATIC_BUILD) --product handoff
	$(STATIC_BUILD) --product handoffd
	$(PYTHON) scripts/bench/service.py "$$($(STATIC_BUILD) --show-bin-path)"
	scripts/pg/with-server.sh sh -c '$(PYTHON) scripts/bench/postgres.py "$$0" "$$HANDOFF_TEST_DATABASE_URL"' "$$($(STATIC_BUILD) --show-bin-path)"
	scripts/bench/audit.sh

# The scale benchmark: an empty store against one of SCALE_HANDOFFS handoffs and SCALE_EVENTS audit
# events (filled in minutes by scale-fill), on SQLite and then on PostgreSQL; rewrites the "Scale"
# and "Scale on PostgreSQL" sections of BENCHMARKS.md. Never part of make test.
SCALE_HANDOFFS ?= 1000000
SCALE_EVENTS ?= 10000000
bench-scale: deps pg-deps
	@scripts/install-deps.sh wrk
	$(STATIC_RUNTIME)
	$(STATIC_BUILD) --product handoffd
	$(STATIC_BUILD) --product handoff
	$(STATIC_BUILD) --product scale-fill
	$(PYTHON) scripts/bench/scale.py "$$($(STATIC_BUILD) --show-bin-path)" $(SCALE_HANDOFFS) $(SCALE_EVENTS)
	scripts/pg/with-server.sh sh -c '$(PYTHON) scripts/bench/scale.py "$$0" $(SCALE_HANDOFFS) $(SCALE_EVENTS) "$$HANDOFF_TEST_DATABASE_URL"' "$$($(STATIC_BUILD) --show-bin-path)"

# The customer's CLI as dist/handoff-<version>-linux-<arch>.tar.gz: one binary that runs without
# Swift installed (checked by the script in a clean folder with env -i), README excerpt, SHA-256 sums.
# Not part of CI (its release build took 18 minutes on 2 cores): run it for a release.
dist: deps
	$(STATIC_RUNTIME)
	$(STATIC_BUILD) --product handoff
	scripts/dist/package.sh "$$($(STATIC_BUILD) --show-bin-path)"

# The audit log benchmark alone (appends to 10^6 events; a few minutes); rewrites its section.
bench-audit: deps
	@scripts/install-deps.sh bc time
	scripts/bench/audit.sh

clean:
	rm -rf .build .build-* .venv-fuzz .venv-web dist
