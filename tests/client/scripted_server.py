"""A tiny HTTP server on loopback whose answers a test scripts, one per request, for faults that strike
after the server has taken the request in (what the sandbox cannot do yet).

Every request is recorded when it *arrives* (before any answer), so a test can count how many times a
client sent something without waiting for answers. Actions, consumed in order (then ``ok``):

* ``("ok", body)``: 200 with a JSON body;
* ``("status", code, headers)``: that status, empty body, the given headers (e.g. ``Retry-After``);
* ``("drop",)``: the request is taken in, then the connection is closed with no answer (answer lost);
* ``("reset",)``: the request is taken in, then the connection is reset (RST);
* ``("hold",)``: the request is taken in and the answer waits until :meth:`release` (read timeouts);
* ``("delay", seconds)``: 200 with ``{"d": []}`` after ``seconds``.

``times`` holds each arrival's ``time.monotonic()``; ``peak`` the most requests being handled at once.
"""

from __future__ import annotations

import json
import socket
import struct
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class ScriptedServer:
    def __init__(self) -> None:
        self.arrivals: list[tuple[str, str, bytes]] = []
        self.times: list[float] = []
        self.peak = 0
        self._in_flight = 0
        self._actions: list[tuple] = []
        self._lock = threading.Lock()
        self._released = threading.Event()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # keep test output clean
                pass

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                with server._lock:
                    server.arrivals.append((self.command, self.path, body))
                    server.times.append(time.monotonic())
                    server._in_flight += 1
                    server.peak = max(server.peak, server._in_flight)
                    action = server._actions.pop(0) if server._actions else ("ok", {"d": []})
                try:
                    self._answer(action)
                finally:
                    with server._lock:
                        server._in_flight -= 1

            def _answer(self, action: tuple) -> None:
                kind = action[0]
                if kind == "delay":
                    time.sleep(action[1])
                    action = ("ok", {"d": []})
                    kind = "ok"
                if kind == "drop":
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_WR)
                    return
                if kind == "reset":
                    self.close_connection = True
                    self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                    self.connection.close()
                    return
                if kind == "hold":
                    server._released.wait(30)
                    action = ("ok", {"d": []})
                    kind = "ok"
                if kind == "status":
                    self.send_response(action[1])
                    for name, value in (action[2] if len(action) > 2 else {}).items():
                        self.send_header(name, str(value))
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                data = json.dumps(action[1]).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _handle

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._httpd.server_address[1]}"
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)

    def script(self, *actions: tuple) -> "ScriptedServer":
        with self._lock:
            self._actions.extend(actions)
        return self

    def count(self, method: str) -> int:
        with self._lock:
            return sum(1 for m, _, _ in self.arrivals if m == method)

    def release(self) -> None:
        self._released.set()

    def __enter__(self) -> "ScriptedServer":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.release()
        self._httpd.shutdown()
        self._httpd.server_close()
