"""Credentials: turning a request's bearer token or ``apikey`` into an ``Auth``, and minting tokens.

As the real API does (reference section 4.1), a bearer that decodes as a JWT is a session token and
anything else an API key; unknown, expired or forged credentials make the caller a guest. Session tokens
are JWT-shaped, issued by the sandbox and recorded with the time their user authenticated
(``auth_time``, epoch ms): ``POST /api-key/user/full`` wants that to be within the last 20 minutes.

The owner's session token (the one ``balena-pulumi sandbox`` prints) keeps its text across resets and
restarts; each reset, and each start on an existing state file, counts as a fresh login for it.
"""

from __future__ import annotations

import base64
import json
import secrets
from urllib.parse import unquote_plus

from .access import Auth
from .errors import ApiError, InputError
from .values import iso_from_ms, now_iso, now_ms

# open-balena's SUDO_TOKEN_VALIDITY: a session older than this cannot create user API keys
FRESH_SESSION_MS = 20 * 60 * 1000
FRESH_REQUIRED = "Fresh authentication token required"


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def looks_like_jwt(token: str) -> bool:
    parts = token.split(".")
    if len(parts) != 3:
        return False
    try:
        header = json.loads(base64.urlsafe_b64decode(parts[0] + "=" * (-len(parts[0]) % 4)))
    except Exception:
        return False
    return isinstance(header, dict) and "alg" in header


def make_jwt(user: dict, auth_time_ms: int) -> str:
    """A JWT-shaped token carrying the claims the real API's session tokens carry (unsigned in substance)."""
    header = _b64url(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    payload = _b64url(json.dumps({
        "id": user["id"], "username": user["username"], "email": user["email"], "actor": user["actor"],
        "jwt_secret": secrets.token_hex(16), "authTime": auth_time_ms, "iat": auth_time_ms // 1000,
    }).encode())
    return f"{header}.{payload}.{_b64url(secrets.token_bytes(32))}"


def new_api_key_secret() -> str:
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
    return "".join(secrets.choice(alphabet) for _ in range(32))


def bearer(headers, pairs) -> str | None:
    authz = headers.get("Authorization") or ""
    if authz[:7].lower() == "bearer ":
        token = authz[7:].strip()
        if token:
            return token
    for k, v in pairs:
        if k == "apikey" and v:
            return unquote_plus(v)
    return None


def is_fresh(auth: Auth) -> bool:
    return auth.auth_time is not None and auth.auth_time > now_ms() - FRESH_SESSION_MS


class Credentials:
    """Sessions and API keys kept in the store (``_sandbox_session`` and ``api_key``)."""

    def __init__(self, store):
        self.store = store

    # -- lookup ----------------------------------------------------------------------------------
    def authenticate(self, headers, pairs) -> Auth:
        token = bearer(headers, pairs)
        if not token:
            return Auth("guest")
        store = self.store
        with store.lock:
            if looks_like_jwt(token):
                u = store.one('SELECT u.*, s.auth_time FROM "_sandbox_session" s JOIN "user" u ON u.id = s."user" '
                              "WHERE s.token = ?", (token,))
                if u is None:
                    return Auth("guest")
                return Auth("session", u["id"], u["actor"], u["username"], u["email"], auth_time=u["auth_time"])
            k = store.one("SELECT * FROM api_key WHERE key = ?", (token,))
            if k is None or (k["expiry_date"] and k["expiry_date"] <= now_iso()):
                return Auth("guest")
            u = store.one('SELECT * FROM "user" WHERE actor = ?', (k["is_of__actor"],))
            if u is not None:
                return Auth("apikey", u["id"], u["actor"], u["username"], u["email"], key_id=k["id"])
            a = Auth("guest")
            a.app_actor = store.one("SELECT id, slug, actor FROM application WHERE actor = ?", (k["is_of__actor"],))
            a.device_actor = store.one("SELECT id, uuid, actor FROM device WHERE actor = ?", (k["is_of__actor"],))
            return a

    # -- minting (callers hold the store's transaction or lock) ----------------------------------
    def _user(self, username) -> dict:
        if not isinstance(username, str):
            raise InputError("username must be a string")
        user = self.store.one('SELECT * FROM "user" WHERE username = ?', (username,))
        if user is None:
            raise ApiError(404, f"no user {username!r}")
        return user

    def _session(self, user: dict, auth_time_ms: int, token: str | None = None) -> str:
        token = token or make_jwt(user, auth_time_ms)
        self.store.conn.execute('INSERT OR REPLACE INTO "_sandbox_session" (token, "user", auth_time) VALUES (?, ?, ?)',
                                (token, user["id"], auth_time_ms))
        return token

    def _api_key(self, user: dict, name: str, key: str | None = None, description: str | None = None) -> str:
        key = key or new_api_key_secret()
        self.store.raw_insert("api_key", {"key": key, "is_of__actor": user["actor"], "name": name,
                                          "description": description})
        return key

    def issue_owner_tokens(self, username, old: dict) -> None:
        """The seed's token owner gets a session (fresh now) and an API key, reusing earlier texts."""
        user = self.store.one('SELECT * FROM "user" WHERE username = ?', (username,))
        if user is None:
            raise ApiError(400, f"seed token_owner {username!r} is not a seeded user")
        session = self._session(user, now_ms(), old.get("session_token"))
        key = self._api_key(user, "sandbox admin key", old.get("api_key"), "created by the sandbox seed")
        self.store.set_meta("session_token", session)
        self.store.set_meta("api_key", key)
        self.store.set_meta("token_owner", username)

    def refresh_owner_session(self) -> None:
        """A start on an existing state counts as the owner logging in again."""
        with self.store.tx():
            token = self.store.get_meta("session_token")
            if token:
                self.store.conn.execute('UPDATE "_sandbox_session" SET auth_time = ? WHERE token = ?',
                                        (now_ms(), token))

    def tokens_for(self, username) -> dict:
        """A fresh session token and a new API key for any seeded user."""
        with self.store.tx():
            user = self._user(username)
            session = self._session(user, now_ms())
            key = self._api_key(user, f"sandbox key for {username}")
        return {"session_token": session, "api_key": key, "user_id": user["id"]}

    def session_of_age(self, age_seconds=0, username=None) -> dict:
        """A session token whose user authenticated ``age_seconds`` ago (default user: the token owner)."""
        if isinstance(age_seconds, bool) or not isinstance(age_seconds, (int, float)) or age_seconds < 0:
            raise InputError("age_seconds must be a number >= 0")
        with self.store.tx():
            username = username if username is not None else self.store.get_meta("token_owner")
            if username is None:
                raise InputError("this seed has no token owner; name a username")
            user = self._user(username)
            auth_time = now_ms() - int(age_seconds * 1000)
            session = self._session(user, auth_time)
        return {"session_token": session, "user_id": user["id"], "username": username,
                "auth_time": iso_from_ms(auth_time), "age_seconds": age_seconds}

    def meta(self, k):
        with self.store.lock:
            return self.store.get_meta(k)
