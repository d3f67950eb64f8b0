"""An HTTP answer as the sandbox builds it (status, headers, body bytes), and errors turned into one.

The body shapes are the real API's: JSON bodies (error messages as JSON strings) with
``application/json; charset=utf-8``, plain text for the custom routes that send text, empty for 401s.
"""

from __future__ import annotations

import json

from .errors import ApiError

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
        return Response(e.status, e.message, json_body=False, headers=e.headers,
                        content_type="text/html; charset=utf-8")
    return Response(e.status, e.message, headers=e.headers)
