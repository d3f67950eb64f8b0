"""Find the Pulumi CLI and run stacks offline through the Automation API.

Used by the ``balena-pulumi up`` command and the end-to-end tests. Nothing here is needed by users who
already run ``pulumi up`` with their own CLI.

The CLI must be the version the installed ``pulumi`` Python package was released with: the dynamic
provider runtime and the policy runtime come from the Python package, the engine from the CLI.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from pulumi import automation as auto

# Importing it applies it: inline runs reach each new engine on its first call.
from balena_pulumi.resources._connections import connect_each_engine_afresh

REPO_ROOT = Path(__file__).resolve().parent.parent
BUILD_SCRIPT = REPO_ROOT / "tools" / "pulumi" / "build.sh"


class EngineNotFound(RuntimeError):
    """The Pulumi CLI of the right version could not be found or built."""


def required_version() -> str:
    """The CLI version that matches the installed Python SDK, e.g. ``v3.259.0``."""
    from importlib.metadata import version

    return "v" + version("pulumi")


def _cli_version(binary: Path) -> str | None:
    try:
        out = subprocess.run([str(binary), "version"], capture_output=True, text=True, timeout=60)
    except OSError:
        return None
    return out.stdout.strip() or None


def find_bin_dir(*, build: bool = True) -> Path:
    """The directory holding ``pulumi`` and ``pulumi-resource-pulumi-python`` of the required version.

    Order: ``BALENA_PULUMI_BIN`` if set; a ``pulumi`` on PATH of the right version with the dynamic
    provider plugin beside it; the build cache of ``tools/pulumi/build.sh`` (building it when ``build``
    is true and this is a source checkout).
    """
    want = required_version()
    explicit = os.environ.get("BALENA_PULUMI_BIN")
    if explicit:
        path = Path(explicit)
        got = _cli_version(path / "pulumi")
        if got != want:
            raise EngineNotFound(
                f"BALENA_PULUMI_BIN={explicit} holds pulumi {got or '(none)'}, but the installed pulumi "
                f"Python package needs the CLI {want}"
            )
        return path
    on_path = shutil.which("pulumi")
    if on_path:
        directory = Path(on_path).resolve().parent
        if _cli_version(Path(on_path)) == want and (directory / "pulumi-resource-pulumi-python").exists():
            return directory
    if not BUILD_SCRIPT.exists():
        raise EngineNotFound(
            f"no pulumi CLI {want} found on PATH; install it (https://www.pulumi.com/docs/install/) "
            "or set BALENA_PULUMI_BIN to the directory that holds it"
        )
    if not build:
        raise EngineNotFound(f"no pulumi CLI {want} found; run {BUILD_SCRIPT} to build it")
    proc = subprocess.run(["bash", str(BUILD_SCRIPT)], stdout=subprocess.PIPE, text=True)
    if proc.returncode != 0:
        raise EngineNotFound(f"{BUILD_SCRIPT} failed (exit {proc.returncode}); its log is above")
    return Path(proc.stdout.strip().splitlines()[-1])


def pulumi_command(bin_dir: Path) -> auto.PulumiCommand:
    """A PulumiCommand for ``bin_dir/pulumi`` (never ``PulumiCommand.install()``: that downloads)."""
    return auto.PulumiCommand(root=str(bin_dir.parent))


def offline_env(bin_dir: Path, home: Path, backend_dir: Path, extra: dict[str, str] | None = None) -> dict[str, str]:
    """Environment for a CLI that must never reach the network: file backend, passphrase secrets."""
    home.mkdir(parents=True, exist_ok=True)
    backend_dir.mkdir(parents=True, exist_ok=True)
    env = {
        "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}",
        "PULUMI_HOME": str(home),
        "PULUMI_BACKEND_URL": backend_dir.resolve().as_uri(),
        "PULUMI_CONFIG_PASSPHRASE": os.environ.get("PULUMI_CONFIG_PASSPHRASE", ""),
        "PULUMI_SKIP_UPDATE_CHECK": "true",
        "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
        "PULUMI_IGNORE_AMBIENT_PLUGINS": "false",
        # The dynamic-provider plugin and the policy launcher run this interpreter, which has
        # balena_pulumi installed.
        "PULUMI_PYTHON_CMD": sys.executable,
    }
    if extra:
        env.update(extra)
    return env


def report_program_errors_once() -> None:
    """Make inline programs report a ``pulumi.RunError`` once, as a program run by ``pulumi up`` does.

    The Automation API's inline language server logs a ``RunError``'s message and also returns it as the
    run's error, which the engine prints a second time ("an unhandled error occurred: ..."). The language
    protocol has a flag for "the program has reported its error already" (``bail``); this answers with it
    for ``RunError``s (every error of this package is one), so a bad stack config or two resources managing
    one variable read as one message. Other errors (a bug's traceback) are left as the SDK reports them.
    Applied once per process; the SDK's server is used unchanged otherwise.
    """
    try:
        from pulumi.automation import _server, _stack
    except ImportError:  # another SDK layout: messages are printed twice, nothing worse
        return
    base = getattr(_stack, "LanguageServer", None)
    if base is None or getattr(base, "reports_once", False):
        return

    class OnceLanguageServer(base):  # type: ignore[misc, valid-type]
        reports_once = True

        def Run(self, request, context):  # noqa: N802 (gRPC method name)
            result = super().Run(request, context)
            error = result.error
            if error and not error.startswith(("python inline source runtime error:", "RPC error:")):
                return type(result)(bail=True)
            return result

    _stack.LanguageServer = OnceLanguageServer
    del _server


report_program_errors_once()


__all__ = [
    "EngineNotFound",
    "connect_each_engine_afresh",
    "find_bin_dir",
    "offline_env",
    "pulumi_command",
    "report_program_errors_once",
    "required_version",
]
