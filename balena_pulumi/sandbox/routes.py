"""Routing of balena API requests: ``/v7/...`` to the generic pine operations of the store, and the custom
routes (``/api-key/...``, ``/user/v1/whoami``, ``/actor/v1/whoami``, ``/config/vars``).

Fidelity gaps: application (provisioning) and device API keys authenticate only for ``/actor/v1/whoami``;
elsewhere they act as guests. ``PUT``, ``$batch`` and ``$metadata`` answer 501.
"""

from __future__ import annotations

import json
import re
import sys
import traceback
from urllib.parse import unquote

from . import odata
from .access import access_filter
from .auth import FRESH_REQUIRED, Credentials, is_fresh, new_api_key_secret
from .errors import ApiError, malformed, not_implemented, server_error
from .response import Response, error_response
from .rules.keys import check_api_key_fields
from .rules.variables import config_vars_document
from .schema import BY_NAME, UNIMPLEMENTED_RESOURCES
from .store import Store
from .values import holds_nul, parse_date


def _parse_int(text: str):
    """JavaScript parseInt(text, 10): leading digits count ("12abc" -> 12), else None."""
    m = re.match(r"\s*([+-]?\d+)", text)
    return int(m.group(1)) if m else None


def json_body(headers, body_bytes) -> dict:
    """The body as pine's JSON middleware sees it: parsed only for a JSON content type."""
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


_ROLE_ACTOR = {"provisioning-api-key": "application", "device-api-key": "device", "named-user-api-key": "user"}


class ApiRouter:
    def __init__(self, store: Store, credentials: Credentials):
        self.store = store
        self.credentials = credentials

    def handle(self, method, raw_path, raw_query, headers, body_bytes) -> Response:
        try:
            return self._route(method, raw_path, raw_query, headers, body_bytes)
        except ApiError as e:
            return error_response(e)
        except odata.ParseError as e:
            return error_response(malformed(raw_path + ("?" + raw_query if raw_query else ""), str(e)))
        except Exception as e:  # noqa: BLE001 - a bug in the sandbox must be loud, not a hang
            traceback.print_exc(file=sys.stderr)
            return error_response(server_error(f"sandbox bug: {e!r}"))

    def _route(self, method, raw_path, raw_query, headers, body_bytes):
        pairs = odata.split_query(raw_query)
        if raw_path.startswith("/v7/"):
            return self.odata(method, raw_path[4:], pairs, headers, body_bytes)
        path = unquote(raw_path)
        if path == "/v7" or path == "/v7/":
            raise not_implemented("the OData service document")
        if path == "/config/vars" and method == "GET":
            return Response(200, config_vars_document())
        if path == "/user/v1/whoami" and method == "GET":
            return self.user_whoami(self.credentials.authenticate(headers, pairs))
        if path == "/actor/v1/whoami" and method == "GET":
            return self.actor_whoami(self.credentials.authenticate(headers, pairs))
        if path.startswith("/api-key/") and method == "POST":
            return self.api_key_route(path, pairs, headers, body_bytes)
        if path.startswith(("/api-key/", "/user/v1/", "/org/v1/", "/auth/v1/", "/device/v2/", "/application/")):
            raise not_implemented(f"the custom route {method} {path}")
        return Response(404, None)

    # -- whoami --------------------------------------------------------------------------------------
    @staticmethod
    def user_whoami(auth):
        if not auth.is_user:
            raise ApiError(401)
        return Response(200, {"id": auth.user_id, "username": auth.username, "email": auth.email})

    @staticmethod
    def actor_whoami(auth):
        if auth.is_user:
            return Response(200, {"id": auth.actor_id, "actorType": "user", "actorTypeId": auth.user_id,
                                  "username": auth.username, "email": auth.email})
        if auth.app_actor:
            app = auth.app_actor
            return Response(200, {"id": app["actor"], "actorType": "application", "actorTypeId": app["id"],
                                  "slug": app["slug"]})
        if auth.device_actor:
            dev = auth.device_actor
            return Response(200, {"id": dev["actor"], "actorType": "device", "actorTypeId": dev["id"],
                                  "uuid": dev["uuid"]})
        raise ApiError(401)

    # -- /api-key routes -----------------------------------------------------------------------------
    def api_key_route(self, path, pairs, headers, body_bytes):
        """The key-creation routes of section 5.12; every success is 200 with the key as a JSON string."""
        auth = self.credentials.authenticate(headers, pairs)
        parts = path.strip("/").split("/")
        body = json_body(headers, body_bytes)
        if parts[1:] == ["user", "full"]:
            if auth.kind != "session":
                raise ApiError(401)  # needs auth.create_token, which API keys lack
            name = body.get("name")
            if not isinstance(name, str) or not name:
                raise ApiError(400)  # zod validation: empty body
            if body.get("description") is not None and not isinstance(body["description"], str):
                raise ApiError(400)
            return self._create_key(auth.actor_id, body, user_session=auth)
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
        if _ROLE_ACTOR.get(roles[0]) != actor_type:
            raise ApiError(403)
        if actor_type == "user":
            if auth.kind != "session":
                raise ApiError(401)
            if actor_type_id != auth.user_id:
                raise ApiError(403)
            return self._create_key(auth.actor_id, body, chosen=body.get("apiKey"), user_session=auth)
        return self._create_key(self._actor_for(actor_type, actor_type_id, auth), body, chosen=body.get("apiKey"))

    def _actor_for(self, resource, row_id, auth):
        """The actor of a fleet or device the caller may write to; 401 without user credentials, else 403."""
        if not auth.is_user:
            raise ApiError(401)
        with self.store.lock:
            where = access_filter(BY_NAME[resource], auth, "t0", write=True)
            row = self.store.one(f"SELECT t0.actor FROM {resource} t0 WHERE t0.id = ? AND {where}", (row_id,))
        if row is None:
            raise ApiError(403)
        return row["actor"]

    def _create_key(self, actor_id, body, chosen=None, user_session=None):
        name, desc, expiry = body.get("name"), body.get("description"), body.get("expiryDate")
        if name is not None and not isinstance(name, str):
            raise ApiError(400, "Key name should be a string value")
        if desc is not None and not isinstance(desc, str):
            raise ApiError(400, "Key description should be a string value")
        if expiry is not None:
            expiry = parse_date(expiry) if isinstance(expiry, str) else None
            if expiry is None:
                raise ApiError(400, "Key expiry date should be a valid date")
        # a user key needs a recent login (open-balena checks this after access, before the insert)
        if user_session is not None and not is_fresh(user_session):
            raise ApiError(401, FRESH_REQUIRED)
        values = {"name": name or None, "description": desc}
        check_api_key_fields(values)
        if chosen is not None and (not isinstance(chosen, str) or not chosen):
            raise ApiError(400)
        key = chosen or new_api_key_secret()
        if any(holds_nul(v) for v in (values["name"], desc, key)):
            raise server_error("an API key field holds a NUL character, which PostgreSQL refuses")
        with self.store.tx():
            if self.store.one("SELECT 1 AS x FROM api_key WHERE key = ?", (key,)):
                raise ApiError(409, '"key" must be unique.')
            self.store.raw_insert("api_key", {"key": key, "is_of__actor": actor_id, "name": values["name"],
                                              "description": desc, "expiry_date": expiry})
        return Response(200, key)

    # -- OData -----------------------------------------------------------------------------------------
    def odata(self, method, raw_rest, pairs, headers, body_bytes):
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
        auth = self.credentials.authenticate(headers, pairs)
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
            created = self.store.create(res, json_body(headers, body_bytes), auth)
            if ("returnResource", "false") in pairs:
                created = {"id": created["id"]}
            return Response(201, created, headers={"Location": f"/v7/{name}(@id)?@id={created['id']}",
                                                   "Cache-Control": "no-cache"})
        if method == "PATCH":
            self.store.patch(res, auth, key, opts, json_body(headers, body_bytes))
            return Response(200, None)
        if method == "DELETE":
            self.store.delete(res, auth, key, opts)
            return Response(200, None)
        if method == "PUT":
            raise not_implemented("PUT (upsert)")
        raise not_implemented(f"the {method} method")
