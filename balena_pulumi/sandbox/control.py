"""The control API under ``/_sandbox/``: reseeding, tokens, the request log and fault injection.

JSON in, JSON out; never logged and never faulted. Errors are ``{"error": "..."}`` with 400 (bad input),
404 (unknown user or route). The routes and their shapes are listed in docs/sandbox.md.
"""

from __future__ import annotations

import json
from urllib.parse import parse_qs

from .errors import ApiError, InputError
from .faults import Fault
from .response import Response


def _since(query: str) -> int:
    values = parse_qs(query).get("since")
    if not values:
        return 0
    since = int(values[-1])
    if since < 0:
        raise InputError("since must be >= 0")
    return since


def handle_control(core, method, path, query, body_bytes) -> Response:
    try:
        body = json.loads(body_bytes) if body_bytes else {}
    except ValueError:
        return Response(400, {"error": "body must be JSON"})
    if not isinstance(body, dict):
        return Response(400, {"error": "body must be a JSON object"})
    try:
        return _route(core, method, path, query, body)
    except ApiError as e:
        return Response(e.status, {"error": e.message})
    except (TypeError, ValueError, KeyError, OSError) as e:
        return Response(400, {"error": str(e)})


def _route(core, method, path, query, body):
    if path == "/_sandbox/reset" and method == "POST":
        core.reset(body.get("seed", "default"))
        core.log.clear()
        core.faults.clear()
        return Response(200, core.info())
    if path == "/_sandbox/seed" and method == "POST":
        core.reset(body)
        return Response(200, core.info())
    if path == "/_sandbox/requests" and method == "GET":
        return Response(200, core.log.list(_since(query)))
    if path == "/_sandbox/requests/counts" and method == "GET":
        return Response(200, core.log.counts())
    if path == "/_sandbox/requests" and method == "DELETE":
        core.log.clear()
        return Response(200, {"cleared": True})
    if path == "/_sandbox/faults" and method == "POST":
        kind = body.pop("kind", None)
        core.faults.add(Fault(kind, **body))
        return Response(201, core.faults.list())
    if path == "/_sandbox/faults" and method == "GET":
        return Response(200, core.faults.list())
    if path == "/_sandbox/faults" and method == "DELETE":
        core.faults.clear()
        return Response(200, {"cleared": True})
    if path == "/_sandbox/tokens" and method == "POST":
        return Response(201, core.tokens_for(body.get("username")))
    if path == "/_sandbox/session-token" and method == "POST":
        unknown = set(body) - {"age_seconds", "username"}
        if unknown:
            raise InputError(f"unknown field(s) {sorted(unknown)}; expected age_seconds, username")
        return Response(201, core.credentials.session_of_age(body.get("age_seconds", 0), body.get("username")))
    if path == "/_sandbox/info" and method == "GET":
        return Response(200, core.info())
    return Response(404, {"error": f"no control route {method} {path}"})
