"""The sandbox without its socket: the store, credentials, faults, request log, and the two routers
(balena API and control API), plus reseeding.
"""

from __future__ import annotations

import json

from .auth import Credentials
from .faults import Faults, RequestLog
from .routes import ApiRouter
from .seed import apply_seed, load_seed_doc
from .store import Store


_DROP_TOKENS = "DELETE FROM \"_sandbox_meta\" WHERE k IN ('session_token', 'api_key', 'token_owner')"


class SandboxCore:
    def __init__(self, state_path=None, seed="default"):
        self.store = Store(state_path)
        self.credentials = Credentials(self.store)
        self.api = ApiRouter(self.store, self.credentials)
        self.faults = Faults()
        self.log = RequestLog()
        self._snapshots: dict[str, object] = {}
        if self.credentials.meta("seeded"):
            self.credentials.refresh_owner_session()
        else:
            self.reset(seed)

    def handle(self, method, raw_path, raw_query, headers, body_bytes):
        return self.api.handle(method, raw_path, raw_query, headers, body_bytes)

    def reset(self, seed="default"):
        """Wipe and reseed in one transaction: a bad seed document leaves the old state intact. The owner's
        session token and API key keep their text; the session counts as a fresh login.

        An in-memory sandbox keeps a snapshot of each seed it loaded (without the owner's tokens) and
        restores it on the next reset to the same seed: the same rows and ids, in about a millisecond
        instead of replaying the seed through the write path."""
        doc = load_seed_doc(seed)
        store = self.store
        key = json.dumps(doc, sort_keys=True, default=str) if store.path is None else None
        with store.lock:
            old = {k: store.get_meta(k) for k in ("session_token", "api_key")}
            snap = self._snapshots.get(key)
            if snap is not None:
                store.restore(snap)
                with store.tx():
                    self._finish_seed(doc, old)
                return
            with store.tx():
                store.wipe()
                apply_seed(store, doc)
                store.conn.execute(_DROP_TOKENS)
                self._finish_seed(doc, old)
            if key is not None:
                self._remember(key)

    def _finish_seed(self, doc, old):
        owner = doc.get("token_owner", "admin")
        if owner:
            self.credentials.issue_owner_tokens(owner, old)
        self.store.set_meta("seeded", "1")

    def _remember(self, key):
        copy = self.store.snapshot()
        api_key = copy.execute("SELECT v FROM \"_sandbox_meta\" WHERE k = 'api_key'").fetchone()
        copy.execute('DELETE FROM "_sandbox_session"')
        if api_key:
            copy.execute("DELETE FROM api_key WHERE key = ?", (api_key[0],))
        copy.execute(_DROP_TOKENS)
        copy.execute("DELETE FROM \"_sandbox_meta\" WHERE k = 'seeded'")
        copy.execute("UPDATE sqlite_sequence SET seq = (SELECT COALESCE(MAX(id), 0) FROM api_key) "
                     "WHERE name = 'api_key'")
        if len(self._snapshots) >= 4:
            self._snapshots.pop(next(iter(self._snapshots))).close()
        self._snapshots[key] = copy

    @property
    def session_token(self):
        return self.credentials.meta("session_token")

    @property
    def api_key(self):
        return self.credentials.meta("api_key")

    def tokens_for(self, username):
        return self.credentials.tokens_for(username)

    def info(self):
        return {"session_token": self.session_token, "api_key": self.api_key}
