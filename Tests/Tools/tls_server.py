"""What the fake HTTPS servers in this folder share: a throwaway certificate for 127.0.0.1 made
with openssl, a JSON answer, and serving until killed after printing the CA file and the URL."""
import json, os, ssl, subprocess
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def answer(handler, body, status=200):
    data = json.dumps(body).encode()
    handler.send_response(status)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Length", str(len(data)))
    handler.end_headers()
    handler.wfile.write(data)


def serve(work, prefix, handler):
    """Serves `handler` over TLS on a free loopback port; prints the CA file, then the URL."""
    cert, key = os.path.join(work, prefix + "-cert.pem"), os.path.join(work, prefix + "-key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                    "-keyout", key, "-out", cert, "-days", "1", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1"], check=True, capture_output=True)
    handler.log_message = lambda *args: None
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    print(cert, flush=True)
    print("https://127.0.0.1:%d" % server.server_address[1], flush=True)
    server.serve_forever()


__all__ = ["answer", "serve", "BaseHTTPRequestHandler"]
