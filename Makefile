# Handoff Vault. `make test` and `make run` install missing Debian packages themselves.
SHELL := /bin/bash

# Build: libsodium (crypto), libsqlite3 (storage), libssl (TLS), zlib (zip), pkg-config (to find them);
# openssl makes the development certificate.
# Tests: Debian's Python with PyNaCl and jsonschema, the independent implementations.
APT_PACKAGES := pkg-config libsodium-dev libsqlite3-dev libssl-dev zlib1g-dev openssl python3 python3-nacl python3-jsonschema
PYTHON := /usr/bin/python3
SWIFT ?= swift

.PHONY: deps build test run clean

deps:
	@scripts/install-deps.sh $(APT_PACKAGES)

build: deps
	$(SWIFT) build

test: deps
	$(SWIFT) build --build-tests
	$(PYTHON) scripts/interop/sealed_payload.py open Tests/Vectors/sealed-payload.json
	HANDOFF_PYTHON=$(PYTHON) $(SWIFT) test

run: build
	@scripts/run-dev.sh

clean:
	rm -rf .build
