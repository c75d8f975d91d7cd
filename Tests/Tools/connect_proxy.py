#!/usr/bin/env python3
"""A minimal HTTP CONNECT proxy for the proxy test, on loopback only. It prints its port, then
logs each CONNECT target (one line per tunnel) to the given file, and tunnels bytes both ways.

  connect_proxy.py LOGFILE
"""
import socket
import sys
import threading


def pipe(source, target):
    try:
        while True:
            data = source.recv(65536)
            if not data:
                break
            target.sendall(data)
    except OSError:
        pass
    finally:
        for s in (source, target):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def handle(client, log):
    request = b""
    while b"\r\n\r\n" not in request:
        chunk = client.recv(4096)
        if not chunk:
            client.close()
            return
        request += chunk
    line = request.split(b"\r\n", 1)[0].decode("latin-1")
    method, target, _ = line.split(" ", 2)
    host, _, port = target.rpartition(":")
    if method != "CONNECT" or host not in ("127.0.0.1", "localhost", "[::1]"):
        client.sendall(b"HTTP/1.1 403 Forbidden\r\n\r\n")
        client.close()
        return
    with open(log, "a") as handle:
        handle.write(target + "\n")
    upstream = socket.create_connection((host.strip("[]"), int(port)))
    client.sendall(b"HTTP/1.1 200 Connection Established\r\n\r\n")
    threading.Thread(target=pipe, args=(client, upstream), daemon=True).start()
    pipe(upstream, client)


def main():
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    print(server.getsockname()[1], flush=True)
    while True:
        client, _ = server.accept()
        threading.Thread(target=handle, args=(client, sys.argv[1]), daemon=True).start()


if __name__ == "__main__":
    main()
