#!/usr/bin/env python3
"""One way to bring up a real handoffd for the scripts that need one (schema fuzzing, the crash
test, the benchmark): `handoffd init --dev-tls`, `handoffd serve` on a loopback port, and the
README's setup (a generator key registered, role tokens, invites), all through the real binaries.

As a module:   vault = Vault(bin_dir, work_dir); vault.start(env={...}); vault.setup_generator()
As a command:  scripts/vault.py up --bin DIR --work DIR [--roles] [--env NAME=VALUE ...]
               starts the server in the background and writes WORK/vault.json (URL, CA file, pid,
               tokens: it is 0600 in a private folder; tokens never go on a command line).
The Swift end-to-end harness (Tests/TestSupport/ServerHarness.swift) does the same steps in
Swift, because it needs the server as its own child process (exit status, signals).
"""
import argparse
import base64
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.parse


def run(cmd, env=None, check=True, timeout=120):
    result = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=timeout)
    if check and result.returncode != 0:
        raise RuntimeError("%s failed (%d): %s" % (" ".join(cmd[:3]), result.returncode, result.stderr.strip()))
    return result


def free_port():
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    return port


def database_url(base, name):
    """The URL `base` (postgres://…/db?params) with its database replaced by `name`, parameters
    (sslmode, sslrootcert) kept."""
    parts = urllib.parse.urlsplit(base)
    return urllib.parse.urlunsplit(parts._replace(path="/" + name))


def fresh_database(base, name):
    """A new, empty database `name` on the server of `base` (dropped first if it exists); its URL."""
    admin = database_url(base, "postgres")
    psql = "/usr/lib/postgresql/15/bin/psql"
    subprocess.run([psql, admin, "-qc", "DROP DATABASE IF EXISTS %s WITH (FORCE)" % name], check=True, capture_output=True)
    subprocess.run([psql, admin, "-qc", "CREATE DATABASE %s" % name], check=True, capture_output=True)
    return database_url(base, name)


class Vault:
    """A data directory made by `handoffd init`, and the server serving it."""

    def __init__(self, bin_dir, work, init=True, database_url=None, copy_keys_from=None):
        """A data directory in WORK/data: made by `handoffd init` (with `database_url`, the records go
        to PostgreSQL), or, for a second node of the same database, a copy of another node's key
        files (`copy_keys_from`: its master key and TLS files)."""
        self.bin, self.work = bin_dir, work
        self.database_url = database_url
        self.data = os.path.join(work, "data")
        self.handoffd, self.handoff_bin = os.path.join(bin_dir, "handoffd"), os.path.join(bin_dir, "handoff")
        self.process, self.url = None, None
        os.makedirs(work, mode=0o700, exist_ok=True)
        if copy_keys_from is not None:
            shutil.copytree(copy_keys_from.data, self.data, ignore=shutil.ignore_patterns("vault.sqlite*", "serve.lock"))
            self.init = copy_keys_from.init
            self.ca_file = os.path.join(self.data, "tls", "cert.pem")
            self.admin_token, self.server_key = self.init["adminToken"], self.init["serverKey"]
        elif init:
            extra = ["--database-url", database_url] if database_url else []
            self.init = json.loads(run([self.handoffd, "init", "--data-dir", self.data, "--dev-tls", "--json"] + extra).stdout)
            self.ca_file, self.admin_token, self.server_key = self.init["caFile"], self.init["adminToken"], self.init["serverKey"]

    def start(self, port=0, env=None, log_name="serve.log"):
        """Serves the data directory; returns the https URL once the server listens."""
        environment = dict(os.environ, HANDOFF_DRAIN_GRACE_MS="0", **(env or {}))
        if self.database_url:
            environment["HANDOFF_DATABASE_URL"] = self.database_url
        # Both streams go to files (not pipes), so the server may outlive this script.
        self.log = open(os.path.join(self.work, log_name), "a")
        self.out_path = os.path.join(self.work, log_name + ".out")
        with open(self.out_path, "w") as out:
            self.process = subprocess.Popen([self.handoffd, "serve", "--data-dir", self.data, "--port", str(port)],
                                            stdout=out, stderr=self.log, stdin=subprocess.DEVNULL, env=environment)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with open(self.out_path) as out:
                for line in out:
                    if line.startswith("listening on "):
                        self.url = line.split(" ", 2)[2].strip()
                        return self.url
            if self.process.poll() is not None:
                break
            time.sleep(0.05)
        raise RuntimeError("handoffd did not start (see %s)" % self.log.name)

    def kill(self, sig=signal.SIGKILL, timeout=90):
        """Sends `sig` and waits for the server to exit: a server that does not exit within
        `timeout` seconds is a failure (a hung drain), not a hung test run."""
        self.process.send_signal(sig)
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            raise RuntimeError("handoffd did not exit within %d s of signal %d (see %s)" % (timeout, sig, self.log.name))

    def stop(self):
        if self.process and self.process.poll() is None:
            return self.kill(signal.SIGTERM)
        return self.process.returncode if self.process else None

    def env(self, token=None, **extra):
        """The environment for a `handoff` command against this server (the token in it, not in argv)."""
        environment = dict(os.environ, HANDOFF_SERVER=self.url, HANDOFF_CA_FILE=self.ca_file, **extra)
        environment.pop("HANDOFF_TOKEN", None)
        if token:
            environment["HANDOFF_TOKEN"] = token
        return environment

    def handoff(self, args, token=None, check=True, **extra):
        return run([self.handoff_bin] + args, env=self.env(token, **extra), check=check)

    def setup_generator(self):
        """Generates a generator key pair in WORK/gen and registers it; returns the key id."""
        self.generator_dir = os.path.join(self.work, "gen")
        self.handoff(["keys", "generate", "--out", self.generator_dir])
        pub = os.path.join(self.generator_dir, "generator.pub")
        return json.loads(self.handoff(["admin", "recipient", "set", "--public-key", pub, "--json"], token=self.admin_token).stdout)["keyId"]

    def token(self, role, name="script"):
        return json.loads(self.handoff(["admin", "token", "create", "--role", role, "--name", name, "--json"], token=self.admin_token).stdout)["token"]

    def invite(self, customer="Contoso"):
        """A new handoff: its id, invite code and the customer token the code carries."""
        created = json.loads(self.handoff(["admin", "invite", "--customer", customer, "--json"], token=self.admin_token).stdout)
        created["token"] = json.loads(base64.urlsafe_b64decode(created["inviteCode"][4:] + "==="))["token"]
        return created


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    up = sub.add_parser("up", help="init, serve in the background, optionally set up every role; write WORK/vault.json")
    up.add_argument("--bin", required=True)
    up.add_argument("--work", required=True)
    up.add_argument("--roles", action="store_true", help="register a generator key; make generator, auditor and customer tokens")
    up.add_argument("--env", action="append", default=[], help="NAME=VALUE for the server")
    args = parser.parse_args()
    vault = Vault(args.bin, args.work)
    vault.start(env=dict(item.split("=", 1) for item in args.env))
    state = {"url": vault.url, "caFile": vault.ca_file, "pid": vault.process.pid, "dataDir": vault.data,
             "serverKey": vault.server_key, "tokens": {"admin": vault.admin_token}}
    if args.roles:
        state["generatorKeyId"] = vault.setup_generator()
        state["tokens"]["generator"] = vault.token("generator")
        state["tokens"]["auditor"] = vault.token("auditor")
        state["tokens"]["customer"] = vault.invite("Fuzz")["token"]
    path = os.path.join(args.work, "vault.json")
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as out:
        json.dump(state, out)
    # The server keeps running after this script exits; the caller stops it by its pid.
    print(vault.url)


if __name__ == "__main__":
    sys.exit(main())
