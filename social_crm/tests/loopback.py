# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""A real HTTP server on 127.0.0.1 that answers with recorded vendor payloads."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


class LoopbackServer:
    """Routes ``(method, path)`` to a callable ``request -> (status, headers, body)``.

    ``body`` may be bytes, str or any JSON-serialisable value. Every request is
    recorded in ``requests`` (method, path, query dict, headers, body bytes).
    """

    def __init__(self):
        self.routes = {}
        self.requests = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def _handle(self):
                parts = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                request = {
                    "method": self.command,
                    "path": parts.path,
                    "query": parse_qs(parts.query),
                    "headers": dict(self.headers),
                    "body": self.rfile.read(length) if length else b"",
                }
                server.requests.append(request)
                route = server.routes.get((self.command, parts.path))
                status, headers, body = route(request) if route else (404, {}, {"error": "NotFound"})
                if not isinstance(body, (bytes, str)):
                    body = json.dumps(body)
                    headers = {"Content-Type": "application/json", **headers}
                payload = body.encode() if isinstance(body, str) else body
                self.send_response(status)
                for key, value in headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = do_PUT = _handle

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def route(self, method, path, handler):
        if not callable(handler):
            fixed = handler
            handler = lambda request: fixed  # noqa: E731
        self.routes[(method, path)] = handler

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()
