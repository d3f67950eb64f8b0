"""A local stand-in for the balena API v7 (``api.balena-cloud.com``): HTTP + SQLite, stdlib only.

It imports nothing from ``balena_pulumi.client`` or ``balena_pulumi.resources`` so that it can disagree
with them. It answers as the real API does (open-balena-api v49 with balenaCloud's additions where noted);
known gaps are listed in ``docs/sandbox.md`` and in the docstrings where they occur.

    with Sandbox() as sb:                 # default seed, in memory, free port
        requests.get(sb.url + "/v7/application", headers={"Authorization": f"Bearer {sb.api_key}"})
"""

from __future__ import annotations

import threading

from .core import SandboxCore
from .errors import ApiError, InputError, SandboxError, StateFileError
from .faults import Fault
from .seed import DEFAULT_SEED
from .server import make_server

__all__ = ["Sandbox", "DEFAULT_SEED", "SandboxError", "InputError", "StateFileError"]


def _plain(call, *args):
    """Run a core call for a Python caller: an API-shaped refusal becomes a SandboxError with its text."""
    try:
        return call(*args)
    except SandboxError:
        raise
    except ApiError as e:
        raise SandboxError(e.message or f"refused with HTTP {e.status}") from None


class Sandbox:
    """A sandbox server running in a background thread.

    ``state_path=None`` keeps the database in memory; a path persists it (tokens included), and a
    restart on the same file loses nothing and does not reseed. ``seed`` is ``"default"``, ``"empty"``,
    a path to a JSON seed document, or the document itself (a dict).
    """

    def __init__(self, host: str = "127.0.0.1", port: int = 0, state_path: str | None = None,
                 seed="default"):
        self.host, self.port, self.state_path, self.seed = host, port, state_path, seed
        self.core: SandboxCore | None = None
        self._server = None
        self._thread = None

    # lifecycle ---------------------------------------------------------------------------------
    def start(self) -> "Sandbox":
        if self._server is not None:
            return self
        self.core = SandboxCore(self.state_path, self.seed)
        self._server = make_server(self.core, self.host, self.port)
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, name="balena-sandbox", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
        with self.core.store.lock:
            self.core.store.conn.close()
        self._server = self._thread = None

    def __enter__(self) -> "Sandbox":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # identity -------------------------------------------------------------------------------------
    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def session_token(self) -> str:
        return self._core().session_token

    @property
    def api_key(self) -> str:
        return self._core().api_key

    def tokens_for(self, username: str) -> dict:
        """A fresh ``{"session_token", "api_key", "user_id"}`` for any seeded user (e.g. ``"carol"``)."""
        return _plain(self._core().tokens_for, username)

    def session_token_aged(self, age_seconds: float, username: str | None = None) -> dict:
        """A session token whose user logged in ``age_seconds`` ago (default user: the seed's token owner):
        ``{"session_token", "user_id", "username", "auth_time", "age_seconds"}``. Older than 20 minutes,
        ``POST /api-key/user/full`` refuses it, as the real API does."""
        return _plain(self._core().credentials.session_of_age, age_seconds, username)

    # control ---------------------------------------------------------------------------------------
    def reset(self, seed="default") -> None:
        """Wipe and reseed. The owner's session token and API key stay the same across resets. A seed that
        cannot be loaded raises ``SandboxError`` and leaves the current state as it was."""
        core = self._core()
        try:
            _plain(core.reset, seed)
        except (KeyError, TypeError, ValueError, OSError) as e:
            if isinstance(e, SandboxError):
                raise
            raise SandboxError(f"the seed could not be loaded: {type(e).__name__}: {e}") from None

    def requests(self, since: int = 0) -> list[dict]:
        """The balena API requests received, in order:
        ``{"seq","method","path","query","status","fault","latency_ms"}``.

        ``path`` is the raw path without the query; ``status`` is what the server produced (None when a
        ``drop``/``reset`` fault cut the connection before processing); ``fault`` names the fault kind that
        decided the outcome (``"latency"`` when only latency applied), else None. ``since`` gives only
        entries with a larger ``seq``.
        """
        return self._core().log.list(since)

    def request_counts(self) -> dict[str, int]:
        """``{"GET /v7/application": 3, "GET": 5, ...}``; keys/ids in paths are folded to ``(...)``."""
        return self._core().log.counts()

    def clear_requests(self) -> None:
        self._core().log.clear()

    def inject_fault(self, kind: str, *, status=None, retry_after=None, latency_ms=None, rate=None, count=None,
                     method=None, methods=None, path_prefix=None, seed=None) -> None:
        """Add a fault. Before processing: ``latency`` | ``status`` | ``rate_limit`` (429) | ``drop`` | ``reset``;
        after the write is committed: ``answer_lost`` | ``reset_after_write``. See :mod:`.faults`."""
        self._core().faults.add(Fault(kind, status=status, retry_after=retry_after, latency_ms=latency_ms,
                                      rate=rate, count=count, method=method, methods=methods,
                                      path_prefix=path_prefix, seed=seed))

    def clear_faults(self) -> None:
        self._core().faults.clear()

    def _core(self) -> SandboxCore:
        if self.core is None:
            raise SandboxError("the sandbox is not started; call start() first")
        return self.core
