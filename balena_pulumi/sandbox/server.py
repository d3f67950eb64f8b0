"""HTTP front of the sandbox: authentication, routing, the custom routes and the control API.

Routing is thin: ``/v7/...`` goes to the generic pine operations in :mod:`.store`; the custom routes
(``/api-key/...``, ``/user/v1/whoami``, ``/actor/v1/whoami``, ``/config/vars``) are here; everything
under ``/_sandbox/`` is the control API (never logged, never faulted).

Fidelity gaps: application (provisioning) and device API keys authenticate only for
``/actor/v1/whoami``; elsewhere they act as guests. ``PUT``, ``$batch`` and ``$metadata`` answer 501.
"""

from __future__ import annotations

import base64
import json
import re
import socket
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote, unquote_plus

from . import odata
from .errors import ApiError, malformed, not_implemented, server_error
from .faults import Fault, Faults, RequestLog
from .hooks import check_api_key_fields, new_api_key_secret
from .query import Auth
from .schema import BY_NAME, UNIMPLEMENTED_RESOURCES
from .seed import DEFAULT_SEED, apply_seed
from .store import Store, now_iso, parse_date

BODY_LIMIT = 512 * 1024
JSON_CT = "application/json; charset=utf-8"


class Response:
    def __init__(self, status=200, body=None, *, json_body=True, headers=None, content_type=None):
        self.status = status
        self.headers = dict(headers or {})
        if body is None:
            self.body = b""
        elif json_body:
            self.body = json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()
            self.headers.setdefault("Content-Type", content_type or JSON_CT)
        else:
            self.body = body.encode() if isinstance(body, str) else body
            self.headers.setdefault("Content-Type", content_type or "text/plain; charset=utf-8")


def error_response(e: ApiError) -> Response:
    if e.message is None:
        return Response(e.status, None, headers=e.headers)
    if e.plain:
        return Response(e.status, e.message, json_body=False, headers=e.headers, content_type="text/html; charset=utf-8")
    return Response(e.status, e.message, headers=e.headers)


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _parse_int(text: str):
    """JavaScript parseInt(text, 10): leading digits count ("12abc" -> 12), else None."""
    m = re.match(r"\s*([+-]?\d+)", text)
    return int(m.group(1)) if m else None


def looks_like_jwt(token: str) -> bool:
    parts = token.split(".")
    if len(parts) != 3:
        return False
    try:
        header = json.loads(base64.urlsafe_b64decode(parts[0] + "=" * (-len(parts[0]) % 4)))
    except Exception:
        return False
    return isinstance(header, dict) and "alg" in header


def make_jwt(user: dict) -> str:
    import secrets

    header = _b64url(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    now = int(time.time())
    payload = _b64url(json.dumps({
        "id": user["id"], "username": user["username"], "email": user["email"], "actor": user["actor"],
        "jwt_secret": secrets.token_hex(16), "authTime": now * 1000, "iat": now,
    }).encode())
    return f"{header}.{payload}.{_b64url(secrets.token_bytes(32))}"


CONFIG_VARS = {
    "reservedNames": ["RESIN", "BALENA", "USER"],
    "reservedNamespaces": ["RESIN_", "BALENA_"],
    "invalidRegex": "/^\\d|\\W/",
    "configVarInvalidRegex": "/^[\\d:]|[^A-Za-z0-9_:]/",
    "whiteListedNames": [p + n for n in (
        "APP_RESTART_POLICY", "APP_RESTART_RETRIES", "DEPENDENT_DEVICES_HOOK_ADDRESS", "OVERRIDE_LOCK",
        "SUPERVISOR_CONNECTIVITY_CHECK", "SUPERVISOR_DELTA", "SUPERVISOR_DELTA_APPLY_TIMEOUT",
        "SUPERVISOR_DELTA_REQUEST_TIMEOUT", "SUPERVISOR_DELTA_RETRY_COUNT", "SUPERVISOR_DELTA_RETRY_INTERVAL",
        "SUPERVISOR_DELTA_VERSION", "SUPERVISOR_INSTANT_UPDATE_TRIGGER", "SUPERVISOR_LOCAL_MODE",
        "SUPERVISOR_LOG_CONTROL", "SUPERVISOR_POLL_INTERVAL", "SUPERVISOR_VPN_CONTROL",
        "SUPERVISOR_PERSISTENT_LOGGING", "SUPERVISOR_HARDWARE_METRICS") for p in ("RESIN_", "BALENA_")],
    "whiteListedNamespaces": ["RESIN_HOST_", "BALENA_HOST_", "RESIN_UI_", "BALENA_UI_"],
    "blackListedNames": [p + n for n in ("RESTART", "DEVICE_RESTART", "SUPERVISOR_OVERRIDE_LOCK",
                                         "SUPERVISOR_NATIVE_LOGGER", "HOST_LOG_TO_DISPLAY")
                         for p in ("RESIN_", "BALENA_")],
    "configVarSchema": {"type": "object", "$schema": "http://json-schema.org/draft-06/schema#",
                        "properties": {}},
}


class SandboxCore:
    """Everything except the socket: store, tokens, faults, request log, request dispatch."""

    def __init__(self, state_path=None, seed="default"):
        self.store = Store(state_path)
        self.faults = Faults()
        self.log = RequestLog()
        with self.store.lock:
            seeded = self.store.get_meta("seeded")
        if not seeded:
            self.reset(seed)

    # -- seeding and tokens --------------------------------------------------------------------
    @staticmethod
    def load_seed_doc(seed):
        if seed in (None, "default"):
            return DEFAULT_SEED
        if seed == "empty":  # reference data only (device types are read-only in the real API)
            return {k: DEFAULT_SEED[k] for k in ("cpu_architectures", "device_types", "application_types")} | {
                "token_owner": None}
        if isinstance(seed, dict):
            return seed
        with open(seed, encoding="utf-8") as fh:
            return json.load(fh)

    def reset(self, seed="default"):
        doc = self.load_seed_doc(seed)
        with self.store.lock:
            old = {k: self.store.get_meta(k) for k in ("session_token", "api_key")}
            with self.store.tx():  # one transaction: a bad seed document leaves the old state intact
                self.store.wipe()
                apply_seed(self.store, doc)
                owner = doc.get("token_owner", "admin")
                self.store.conn.execute('DELETE FROM "_sandbox_meta" WHERE k IN (\'session_token\', \'api_key\')')
                if owner:
                    self._issue_owner_tokens(owner, old)
                self.store.set_meta("seeded", "1")

    def _issue_owner_tokens(self, username, old):
        user = self.store.one('SELECT * FROM "user" WHERE username = ?', (username,))
        if user is None:
            raise ApiError(400, f"seed token_owner {username!r} is not a seeded user")
        session = old.get("session_token") or make_jwt(user)
        key = old.get("api_key") or new_api_key_secret()
        self.store.conn.execute('INSERT OR REPLACE INTO "_sandbox_session" (token, "user") VALUES (?, ?)',
                                (session, user["id"]))
        self.store.raw_insert("api_key", {"key": key, "is_of__actor": user["actor"], "name": "sandbox admin key",
                                          "description": "created by the sandbox seed", "created_at": now_iso()})
        self.store.set_meta("session_token", session)
        self.store.set_meta("api_key", key)

    def tokens_for(self, username):
        """Mint a session token and an API key for any seeded user (control API)."""
        with self.store.tx():
            user = self.store.one('SELECT * FROM "user" WHERE username = ?', (username,))
            if user is None:
                raise ApiError(404, f"no user {username!r}")
            session = make_jwt(user)
            key = new_api_key_secret()
            self.store.conn.execute('INSERT INTO "_sandbox_session" (token, "user") VALUES (?, ?)',
                                    (session, user["id"]))
            self.store.raw_insert("api_key", {"key": key, "is_of__actor": user["actor"],
                                              "name": f"sandbox key for {username}", "created_at": now_iso()})
        return {"session_token": session, "api_key": key, "user_id": user["id"]}

    @property
    def session_token(self):
        with self.store.lock:
            return self.store.get_meta("session_token")

    @property
    def api_key(self):
        with self.store.lock:
            return self.store.get_meta("api_key")

    # -- auth --------------------------------------------------------------------------------------
    def authenticate(self, headers, pairs) -> Auth:
        token = None
        authz = headers.get("Authorization") or ""
        if authz[:7].lower() == "bearer ":
            token = authz[7:].strip()
        if not token:
            for k, v in pairs:
                if k == "apikey":
                    token = unquote_plus(v)
        if not token:
            return Auth("guest")
        with self.store.lock:
            if looks_like_jwt(token):
                u = self.store.one('SELECT u.* FROM "_sandbox_session" s JOIN "user" u ON u.id = s."user" '
                                   "WHERE s.token = ?", (token,))
                if u is None:
                    return Auth("guest")
                return Auth("session", u["id"], u["actor"], u["username"], u["email"])
            k = self.store.one("SELECT * FROM api_key WHERE key = ?", (token,))
            if k is None or (k["expiry_date"] and k["expiry_date"] <= now_iso()):
                return Auth("guest")
            u = self.store.one('SELECT * FROM "user" WHERE actor = ?', (k["is_of__actor"],))
            if u is not None:
                return Auth("apikey", u["id"], u["actor"], u["username"], u["email"], key_id=k["id"])
            a = Auth("guest")
            a.app_actor = self.store.one("SELECT id, slug, actor FROM application WHERE actor = ?", (k["is_of__actor"],))
            a.device_actor = self.store.one("SELECT id, uuid, actor FROM device WHERE actor = ?", (k["is_of__actor"],))
            return a

    # -- dispatch --------------------------------------------------------------------------------
    def handle(self, method, raw_path, raw_query, headers, body_bytes) -> Response:
        try:
            return self._handle(method, raw_path, raw_query, headers, body_bytes)
        except ApiError as e:
            return error_response(e)
        except odata.ParseError as e:
            return error_response(malformed(raw_path + ("?" + raw_query if raw_query else ""), str(e)))
        except Exception as e:  # noqa: BLE001 - a bug in the sandbox must be loud, not a hang
            import traceback

            traceback.print_exc()
            return error_response(server_error(f"sandbox bug: {e!r}"))

    def _body(self, headers, body_bytes):
        ct = (headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if not body_bytes or not (ct == "application/json" or ct.endswith("+json")):
            return {}
        try:
            body = json.loads(body_bytes)
        except ValueError:
            raise ApiError(400) from None
        if not isinstance(body, dict):
            raise ApiError(400)
        return body

    def _handle(self, method, raw_path, raw_query, headers, body_bytes):
        pairs = odata.split_query(raw_query)
        if raw_path.startswith("/v7/"):
            return self.odata_request(method, raw_path[4:], pairs, headers, body_bytes)
        path = unquote(raw_path)
        if path == "/v7" or path == "/v7/":
            raise not_implemented("the OData service document")
        if path == "/config/vars" and method == "GET":
            return Response(200, CONFIG_VARS)
        if path == "/user/v1/whoami" and method == "GET":
            auth = self.authenticate(headers, pairs)
            if not auth.is_user:
                raise ApiError(401)
            return Response(200, {"id": auth.user_id, "username": auth.username, "email": auth.email})
        if path == "/actor/v1/whoami" and method == "GET":
            auth = self.authenticate(headers, pairs)
            if auth.is_user:
                return Response(200, {"id": auth.actor_id, "actorType": "user", "actorTypeId": auth.user_id,
                                      "username": auth.username, "email": auth.email})
            app = getattr(auth, "app_actor", None)
            if app:
                return Response(200, {"id": app["actor"], "actorType": "application", "actorTypeId": app["id"],
                                      "slug": app["slug"]})
            dev = getattr(auth, "device_actor", None)
            if dev:
                return Response(200, {"id": dev["actor"], "actorType": "device", "actorTypeId": dev["id"],
                                      "uuid": dev["uuid"]})
            raise ApiError(401)
        if path.startswith("/api-key/") and method == "POST":
            return self.api_key_route(path, pairs, headers, body_bytes)
        if path.startswith(("/api-key/", "/user/v1/", "/org/v1/", "/auth/v1/", "/device/v2/", "/application/")):
            raise not_implemented(f"the custom route {method} {path}")
        return Response(404, None)

    # -- /api-key routes -------------------------------------------------------------------------------
    def api_key_route(self, path, pairs, headers, body_bytes):
        """The key-creation routes of section 5.12; every success is 200 with the key as a JSON string."""
        auth = self.authenticate(headers, pairs)
        parts = path.strip("/").split("/")
        body = self._body(headers, body_bytes)
        if parts[1:] == ["user", "full"]:
            if auth.kind != "session":
                raise ApiError(401)  # needs auth.create_token, which API keys lack
            name = body.get("name")
            if not isinstance(name, str) or not name:
                raise ApiError(400)  # zod validation: empty body
            if body.get("description") is not None and not isinstance(body["description"], str):
                raise ApiError(400)
            return self._create_key(auth.actor_id, body)
        if len(parts) == 4 and parts[1] == "application" and parts[3] == "provisioning":
            app_id = _parse_int(parts[2])
            if app_id is None:
                raise ApiError(400, "Application id must be a number", plain=True)
            return self._create_key(self._actor_for("application", app_id, auth), body)
        if len(parts) == 4 and parts[1] == "device" and parts[3] == "device-key":
            dev_id = _parse_int(parts[2])
            if dev_id is None:
                raise ApiError(400, "Device id must be a number", plain=True)
            return self._create_key(self._actor_for("device", dev_id, auth), body, chosen=body.get("apiKey"))
        if parts[1:] in (["v1"], ["v2"]):
            return self._generic_key(parts[1], body, auth)
        raise not_implemented(f"the custom route POST {path}")

    _ROLE_ACTOR = {"provisioning-api-key": "application", "device-api-key": "device", "named-user-api-key": "user"}

    def _generic_key(self, version, body, auth):
        actor_type, actor_type_id, roles = body.get("actorType"), body.get("actorTypeId"), body.get("roles")
        if actor_type not in ("application", "user", "device") or isinstance(actor_type_id, bool) \
                or not isinstance(actor_type_id, int) or not isinstance(roles, list) or not roles \
                or any(not isinstance(r, str) or not r for r in roles):
            raise ApiError(400)
        if version == "v2" and "expiryDate" not in body:
            raise ApiError(400, "Key expiry date should be a valid date")
        if len(roles) != 1:
            raise ApiError(400, "API Keys currently only support a single role")
        if not body.get("name") and roles[0].startswith("named-"):
            raise ApiError(400, f"API keys with the '{roles[0]}' role require a name")
        if self._ROLE_ACTOR.get(roles[0]) != actor_type:
            raise ApiError(403)
        if actor_type == "user":
            if auth.kind != "session":
                raise ApiError(401)
            if actor_type_id != auth.user_id:
                raise ApiError(403)
            return self._create_key(auth.actor_id, body, chosen=body.get("apiKey"))
        return self._create_key(self._actor_for(actor_type, actor_type_id, auth), body, chosen=body.get("apiKey"))

    def _actor_for(self, resource, row_id, auth):
        """The actor of a fleet or device the caller may write to; 401 without user credentials, else 403."""
        if not auth.is_user:
            raise ApiError(401)
        from .query import access_filter

        with self.store.lock:
            where = access_filter(BY_NAME[resource], auth, "t0", write=True)
            row = self.store.one(f"SELECT t0.actor FROM {resource} t0 WHERE t0.id = ? AND {where}", (row_id,))
        if row is None:
            raise ApiError(403)
        return row["actor"]

    def _create_key(self, actor_id, body, chosen=None):
        name, desc, expiry = body.get("name"), body.get("description"), body.get("expiryDate")
        if name is not None and not isinstance(name, str):
            raise ApiError(400, "Key name should be a string value")
        if desc is not None and not isinstance(desc, str):
            raise ApiError(400, "Key description should be a string value")
        if expiry is not None:
            expiry = parse_date(expiry) if isinstance(expiry, str) else None
            if expiry is None:
                raise ApiError(400, "Key expiry date should be a valid date")
        values = {"name": name or None, "description": desc}
        check_api_key_fields(values)
        if chosen is not None and (not isinstance(chosen, str) or not chosen):
            raise ApiError(400)
        key = chosen or new_api_key_secret()
        with self.store.tx():
            if self.store.one("SELECT 1 AS x FROM api_key WHERE key = ?", (key,)):
                raise ApiError(409, '"key" must be unique.')
            self.store.raw_insert("api_key", {"key": key, "is_of__actor": actor_id, "name": values["name"],
                                              "description": desc, "expiry_date": expiry, "created_at": now_iso()})
        return Response(200, key)

    # -- OData -----------------------------------------------------------------------------------------
    def odata_request(self, method, raw_rest, pairs, headers, body_bytes):
        url = "/v7/" + raw_rest
        if raw_rest.startswith(("$batch", "%24batch")):
            raise not_implemented("$batch")
        if raw_rest.startswith(("$metadata", "%24metadata")):
            raise not_implemented("$metadata")
        name, key, is_count = odata.parse_resource_path(raw_rest, pairs)
        res = BY_NAME.get(name)
        if res is None:
            if name in UNIMPLEMENTED_RESOURCES:
                raise not_implemented(f"the v7 resource {name!r}")
            return Response(401, None)  # pine: an unknown resource is "no permission"
        opts = odata.parse_options(pairs)
        auth = self.authenticate(headers, pairs)
        if method == "GET":
            if is_count:
                return Response(200, {"d": self.store.read(res, auth, key, opts, count=True)},
                                headers={"Cache-Control": "no-cache"})
            rows = self.store.read(res, auth, key, opts)
            return Response(200, {"d": rows}, headers={"Cache-Control": "no-cache"})
        if is_count:
            raise malformed(url, "$count with a write method")
        if method == "POST":
            if key is not None:
                raise malformed(url, "POST to a keyed path")
            body = self._body(headers, body_bytes)
            created = self.store.create(res, body, auth)
            for k, _ in pairs:
                if k == "returnResource" and dict(pairs)[k] == "false":
                    created = {"id": created["id"]}
            return Response(201, created, headers={"Location": f"/v7/{name}(@id)?@id={created['id']}",
                                                   "Cache-Control": "no-cache"})
        if method == "PATCH":
            body = self._body(headers, body_bytes)
            self.store.patch(res, auth, key, opts, body)
            return Response(200, None)
        if method == "DELETE":
            self.store.delete(res, auth, key, opts)
            return Response(200, None)
        if method == "PUT":
            raise not_implemented("PUT (upsert)")
        raise not_implemented(f"the {method} method")

    # -- control API ------------------------------------------------------------------------------------
    def control(self, method, path, headers, body_bytes):
        try:
            body = json.loads(body_bytes) if body_bytes else {}
        except ValueError:
            return Response(400, {"error": "body must be JSON"})
        try:
            if path == "/_sandbox/reset" and method == "POST":
                self.reset((body or {}).get("seed", "default"))
                self.log.clear()
                self.faults.clear()
                return Response(200, self.info())
            if path == "/_sandbox/seed" and method == "POST":
                self.reset(body)
                return Response(200, self.info())
            if path == "/_sandbox/requests" and method == "GET":
                return Response(200, self.log.list())
            if path == "/_sandbox/requests/counts" and method == "GET":
                return Response(200, self.log.counts())
            if path == "/_sandbox/requests" and method == "DELETE":
                self.log.clear()
                return Response(200, {"cleared": True})
            if path == "/_sandbox/faults" and method == "POST":
                kind = body.pop("kind", None)
                self.faults.add(Fault(kind, **body))
                return Response(201, self.faults.list())
            if path == "/_sandbox/faults" and method == "GET":
                return Response(200, self.faults.list())
            if path == "/_sandbox/faults" and method == "DELETE":
                self.faults.clear()
                return Response(200, {"cleared": True})
            if path == "/_sandbox/tokens" and method == "POST":
                return Response(201, self.tokens_for(body.get("username")))
            if path == "/_sandbox/info" and method == "GET":
                return Response(200, self.info())
        except (TypeError, ValueError, KeyError, OSError) as e:
            return Response(400, {"error": str(e)})
        except ApiError as e:
            return Response(e.status, {"error": e.message})
        return Response(404, {"error": f"no control route {method} {path}"})

    def info(self):
        return {"session_token": self.session_token, "api_key": self.api_key}


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

    def _dispatch(self):
        method = self.command
        raw = self.path
        raw_path, _, raw_query = raw.partition("?")
        length = self.headers.get("Content-Length")
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            self._send(Response(411, None))
            self.close_connection = True
            return
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
            self._send(Response(413, None))
            self.close_connection = True
            return
        body = self.rfile.read(n) if n else b""
        if raw_path.startswith("/_sandbox/"):
            self._send(self.core.control(method, raw_path, self.headers, body))
            return
        latency, fault = self.core.faults.pick(method, raw_path)
        if latency:
            time.sleep(latency)
        if fault is not None and fault.kind == "drop":
            self.core.log.add(method, raw_path, raw_query, None)
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
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
        self.core.log.add(method, raw_path, raw_query, resp.status)
        self._send(resp)

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
    core = SandboxCore(state_path, seed)
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


__all__ = ["SandboxCore", "make_server", "run_forever"]
