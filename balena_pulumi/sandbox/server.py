"""HTTP front of the sandbox: a threaded HTTP/1.1 server on loopback, the body limit, the request log,
and where injected faults act on the connection (before the request is processed, or after its write
is committed).

``/_sandbox/...`` goes to the control API (never logged, never faulted); everything else to the balena
API router through :class:`.core.SandboxCore`.
"""

from __future__ import annotations

import socket
import struct
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from .control import handle_control
from .core import SandboxCore
from .response import Response
from .errors import StateFileError

BODY_LIMIT = 512 * 1024


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "balena-sandbox"
    sys_version = ""
    core: SandboxCore  # set on the subclass per server

    def log_message(self, *args):  # silence the default access log
        pass

    def setup(self):
        super().setup()
        try:
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except OSError:
            pass

    def _read_body(self, method, raw_path, raw_query):
        """-> body bytes, or None when the request was answered already (chunked, too large)."""
        length = self.headers.get("Content-Length")
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            self._send(Response(411, None, headers={"Connection": "close"}))
            self.close_connection = True
            return None
        n = int(length) if length and length.isdigit() else 0
        if n > BODY_LIMIT:
            # drain (up to a sane cap) so the client sees the 413 rather than a reset while still sending
            remaining = n if n <= 64 * BODY_LIMIT else 0
            while remaining > 0:
                chunk = self.rfile.read(min(remaining, 65536))
                if not chunk:
                    break
                remaining -= len(chunk)
            if not raw_path.startswith("/_sandbox/"):
                self.core.log.add(method, raw_path, raw_query, 413)
            # say so: a client that reused this connection would meet a closed socket on its next request
            self._send(Response(413, None, headers={"Connection": "close"}))
            self.close_connection = True
            return None
        return self.rfile.read(n) if n else b""

    def _dispatch(self):
        method = self.command
        raw_path, _, raw_query = self.path.partition("?")
        body = self._read_body(method, raw_path, raw_query)
        if body is None:
            return
        if raw_path.startswith("/_sandbox/"):
            self._send(handle_control(self.core, method, raw_path, raw_query, body))
            return
        latency, fault = self.core.faults.pick(method, raw_path)
        latency_ms = round(latency * 1000)
        if latency:
            time.sleep(latency)
        marker = fault.kind if fault is not None else ("latency" if latency else None)
        if fault is not None and fault.kind in ("drop", "reset"):
            self.core.log.add(method, raw_path, raw_query, None, marker, latency_ms)
            self._hang_up(reset=fault.kind == "reset")
            return
        if fault is not None and fault.kind == "status":
            headers = {}
            if fault.status == 429:
                headers["Retry-After"] = str(int(fault.retry_after))
                resp = Response(429, "Too Many Requests", headers=headers)
            else:
                resp = Response(fault.status, None)
        else:
            resp = self.core.handle(method, raw_path, raw_query, self.headers, body)
        # the status is what the server produced; for a post-commit fault the client never sees it
        self.core.log.add(method, raw_path, raw_query, resp.status, marker, latency_ms)
        if fault is not None and fault.after_commit:
            self._hang_up(reset=fault.kind == "reset_after_write")
            return
        self._send(resp)

    def _hang_up(self, reset: bool):
        """Close the connection with no response: FIN (``reset=False``) or RST (``reset=True``)."""
        self.close_connection = True
        sock = self.connection
        try:
            if reset:
                # linger on, timeout 0: close() discards the connection with a RST instead of a FIN
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                self.rfile.close()  # drop the makefile reference, so close() below really closes
                sock.close()
            else:
                sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def _send(self, resp: Response):
        self.send_response(resp.status)
        for k, v in resp.headers.items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(resp.body)))
        # one write for head and body: two small writes hit Nagle + delayed ACK (40 ms per request)
        self._headers_buffer.append(b"\r\n")
        if self.command != "HEAD" and resp.body:
            self._headers_buffer.append(resp.body)
        self.wfile.write(b"".join(self._headers_buffer))
        self._headers_buffer = []

    do_GET = do_POST = do_PATCH = do_DELETE = do_PUT = do_OPTIONS = do_HEAD = _dispatch


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128


def make_server(core: SandboxCore, host: str, port: int) -> Server:
    handler = type("BoundHandler", (Handler,), {"core": core})
    return Server((host, port), handler)


def run_forever(host="127.0.0.1", port=0, state_path=None, seed="default", out=None):
    """Serve in the foreground (the ``balena-pulumi sandbox`` command)."""
    out = out or sys.stdout
    try:
        core = SandboxCore(state_path, seed)
    except StateFileError as e:
        print(f"balena sandbox: {e}", file=sys.stderr)
        return 2
    srv = make_server(core, host, port)
    url = f"http://{host}:{srv.server_address[1]}"
    print(f"balena sandbox listening on {url}", file=out)
    print(f"BALENA_API_URL={url}", file=out)
    print(f"BALENA_SESSION_TOKEN={core.session_token}", file=out)
    print(f"BALENA_API_KEY={core.api_key}", file=out, flush=True)
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        srv.server_close()
    return 0


__all__ = ["Handler", "Server", "make_server", "run_forever"]
