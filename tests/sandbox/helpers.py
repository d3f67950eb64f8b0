"""HTTP helpers for sandbox tests: a requests session per credential kind."""

from __future__ import annotations

import requests


class Api:
    def __init__(self, base: str, token: str | None):
        self.base = base
        self.s = requests.Session()
        if token:
            self.s.headers["Authorization"] = f"Bearer {token}"

    def get(self, path, **kw):
        return self.s.get(self.base + path, **kw)

    def post(self, path, body=None, **kw):
        return self.s.post(self.base + path, json=body, **kw)

    def patch(self, path, body=None, **kw):
        return self.s.patch(self.base + path, json=body, **kw)

    def delete(self, path, **kw):
        return self.s.delete(self.base + path, **kw)

    def d(self, path):
        r = self.get(path)
        assert r.status_code == 200, (r.status_code, r.text)
        return r.json()["d"]


def session(sb) -> Api:
    return Api(sb.url, sb.session_token)


def apikey(sb) -> Api:
    return Api(sb.url, sb.api_key)


def guest(sb) -> Api:
    return Api(sb.url, None)
