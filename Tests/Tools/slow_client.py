#!/usr/bin/env python3
"""Slow and greedy TLS clients for the connection-limit tests; prints one JSON object (times in ms).

  slow_client.py trickle HOST PORT CAFILE --clients N --interval S [--body] [--probe PATH]
      N clients that each complete the TLS handshake, then send a request head (or, with --body,
      a complete head, with the token in SLOW_CLIENT_TOKEN, and then its body) one byte every S
      seconds, never finishing. Reports for each client how long the server took to close it and
      how many bytes it had sent. With --probe, a well-behaved client meanwhile GETs PATH (with the
      token) every 100 ms on one kept-alive connection until the slow ones are closed, and reports
      how many requests it made, how many got 200 and the slowest time.
  slow_client.py cap HOST PORT CAFILE --clients N
      Opens N connections and completes their handshakes, then tries one more: reports whether its
      handshake was held back for a second while the N were open, and how long it took until it
      got through and was answered (the N are never closed by this side).
  slow_client.py quiet HOST PORT CAFILE
      One connection that never says a word (no TLS ClientHello) and one that makes a request
      and then sits idle on keep-alive: reports how long the server took to close each.
"""
import argparse, http.client, json, os, socket, ssl, threading, time


def connect(host, port, context, handshake=True, timeout=30.0):
    raw = socket.create_connection((host, port), timeout=timeout)
    return context.wrap_socket(raw, server_hostname=host, do_handshake_on_connect=handshake)


def closed(connection):
    """Whether the server has closed the connection (reads without blocking)."""
    try:
        connection.setblocking(False)
        data = connection.recv(1024)
        return data == b""
    except (ssl.SSLWantReadError, BlockingIOError):
        return False
    except (ssl.SSLError, OSError):
        return True
    finally:
        connection.setblocking(True)


def trickle(host, port, context, interval, body, result):
    # Timed from before the connection opens: the server's deadline runs from its accept, and under
    # ASan this side's handshake alone can take a good part of it.
    opened = time.monotonic()
    connection = connect(host, port, context)
    if body:
        token = os.environ["SLOW_CLIENT_TOKEN"].encode()
        connection.sendall(b"POST /v1/handoffs HTTP/1.1\r\nHost: vault\r\nAuthorization: Bearer " + token
                           + b"\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n")
        payload = b"{" + b" " * 998 + b"}"
    else:
        payload = b"GET /healthz HTTP/1.1\r\nHost: vault\r\n" + b"X-Slow: " + b"a" * 100000
    sent = 0
    while time.monotonic() - opened < 60:
        try:
            connection.sendall(payload[sent:sent + 1])
            sent += 1
        except OSError:
            break
        time.sleep(interval)
        if closed(connection):
            break
    result.append({"closedAfterMs": round((time.monotonic() - opened) * 1000), "bytesSent": sent})
    connection.close()


def probe(host, port, context, path, done, report):
    connection = http.client.HTTPSConnection(host, port, context=context, timeout=30)
    headers = {"Authorization": "Bearer " + os.environ["SLOW_CLIENT_TOKEN"]}
    requests, ok, slowest = 0, 0, 0.0
    while not done.is_set():
        started = time.monotonic()
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        response.read()
        slowest = max(slowest, time.monotonic() - started)
        requests += 1
        ok += response.status == 200
        time.sleep(0.1)
    connection.close()
    report.update({"requests": requests, "ok": ok, "slowestMs": round(slowest * 1000)})


def run_trickle(args, context):
    results, threads = [], []
    for _ in range(args.clients):
        thread = threading.Thread(target=trickle, args=(args.host, args.port, context, args.interval, args.body, results))
        thread.start()
        threads.append(thread)
    done, probe_report = threading.Event(), {}
    prober = threading.Thread(target=probe, args=(args.host, args.port, context, args.probe, done, probe_report))
    if args.probe:
        prober.start()
    for thread in threads:
        thread.join()
    done.set()
    if args.probe:
        prober.join()
    return {"clients": results, "probe": probe_report}


def run_cap(args, context):
    # Times run from the first holder's opening: its header deadline is the first to free a slot
    # (the holders' own handshakes can take a while under a sanitizer).
    first_opened = time.monotonic()
    holders = [connect(args.host, args.port, context) for _ in range(args.clients)]
    extra = connect(args.host, args.port, context, handshake=False, timeout=60)
    extra.do_handshake()
    handshaken = time.monotonic()
    open_at_handshake = sum(1 for holder in holders if not closed(holder))
    extra.sendall(b"GET /healthz HTTP/1.1\r\nHost: vault\r\nConnection: close\r\n\r\n")
    answer = extra.recv(100).decode("latin-1")
    for connection in holders + [extra]:
        connection.close()
    return {"handshakeAfterMs": round((handshaken - first_opened) * 1000), "holdersOpenAtHandshake": open_at_handshake,
            "status": answer.split(" ")[1] if " " in answer else answer}


def wait_closed(connection, opened, limit=60):
    while time.monotonic() - opened < limit:
        try:
            if connection.recv(1024) == b"":
                break
        except socket.timeout:
            continue
        except OSError:
            break
    return round((time.monotonic() - opened) * 1000)


def run_quiet(args, context):
    silent = socket.create_connection((args.host, args.port), timeout=0.2)
    silent_opened = time.monotonic()
    idle = connect(args.host, args.port, context)
    idle.sendall(b"GET /healthz HTTP/1.1\r\nHost: vault\r\n\r\n")
    answer = idle.recv(4096).decode("latin-1")
    idle_since = time.monotonic()
    idle.settimeout(0.2)
    result = {"silentClosedAfterMs": wait_closed(silent, silent_opened), "answered": answer.split(" ")[1]}
    result["idleClosedAfterMs"] = wait_closed(idle, idle_since)
    silent.close()
    idle.close()
    return result


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["trickle", "cap", "quiet"])
    parser.add_argument("host")
    parser.add_argument("port", type=int)
    parser.add_argument("cafile")
    parser.add_argument("--clients", type=int, default=1)
    parser.add_argument("--interval", type=float, default=0.2)
    parser.add_argument("--body", action="store_true")
    parser.add_argument("--probe")
    args = parser.parse_args()
    context = ssl.create_default_context(cafile=args.cafile)
    result = {"trickle": run_trickle, "cap": run_cap, "quiet": run_quiet}[args.mode](args, context)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
