"""Runs one Pulumi Python program for language_host.py, inside the program's own interpreter.

language_host.py starts ``<project python> -u run_program.py [options] -- PROGRAM [ARGS...]`` with the stack
config in PULUMI_CONFIG / PULUMI_CONFIG_SECRET_KEYS (JSON). This script connects the pulumi SDK installed
in that interpreter to the engine's resource monitor, then runs PROGRAM (a directory with __main__.py, or
a file) as ``__main__`` inside the SDK's stack resource, as ``python PROGRAM`` would.

Exit codes (read by language_host.py): 0 success; 32 the program failed and the error has been logged to
the engine already; 33 this interpreter cannot import pulumi; 34 interrupted (SIGINT) on the engine's behalf. Written for any Python 3 that a Pulumi
program may use, so it imports nothing outside the standard library and the pulumi package.
"""

from __future__ import annotations

import argparse
import asyncio
import inspect
import json
import logging
import os
import runpy
import signal
import sys
import traceback
from concurrent.futures import ThreadPoolExecutor

EXIT_REPORTED = 32
EXIT_NO_SDK = 33
EXIT_INTERRUPTED = 34


def parse(argv):
    parser = argparse.ArgumentParser(prog="run_program.py")
    parser.add_argument("--monitor", required=True)
    parser.add_argument("--engine", default=None)
    parser.add_argument("--project", default=None)
    parser.add_argument("--stack", default=None)
    parser.add_argument("--organization", default=None)
    parser.add_argument("--root-directory", default=None)
    parser.add_argument("--pwd", default=None)
    parser.add_argument("--parallel", type=int, default=0)
    parser.add_argument("--dry-run", action="store_true")
    parser.add_argument("program")
    parser.add_argument("args", nargs=argparse.REMAINDER)
    return parser.parse_args(argv)


def settings(pulumi, args):
    """pulumi.runtime.Settings with what this SDK version accepts (older ones lack some keywords)."""
    wanted = {
        "monitor": args.monitor,
        "engine": args.engine,
        "project": args.project,
        "stack": args.stack,
        "parallel": args.parallel,
        "dry_run": args.dry_run,
        "organization": args.organization,
        "root_directory": args.root_directory,
    }
    accepted = inspect.signature(pulumi.runtime.Settings.__init__).parameters
    return pulumi.runtime.Settings(**{k: v for k, v in wanted.items() if k in accepted})


def load_config(pulumi) -> None:
    config = json.loads(os.environ.get("PULUMI_CONFIG") or "{}")
    secret_keys = json.loads(os.environ.get("PULUMI_CONFIG_SECRET_KEYS") or "[]")
    set_all = getattr(pulumi.runtime, "set_all_config", None)
    if set_all is not None:
        set_all(config, secret_keys)
    else:
        for key, value in config.items():
            pulumi.runtime.set_config(key, value)


def user_traceback(program: str) -> str:
    """The traceback from the program's entry file on (this script's and the SDK's frames are noise)."""
    frames = traceback.extract_tb(sys.exc_info()[2])
    # The entry file, not "anything under the program directory": the project's .venv is often there too.
    entry = os.path.join(program, "__main__.py") if os.path.isdir(program) else program
    for index, frame in enumerate(frames):
        if frame.filename == entry:
            return traceback.format_exc(limit=-(len(frames) - index))
    return traceback.format_exc()


def main(argv=None) -> int:
    args = parse(sys.argv[1:] if argv is None else argv)
    if args.args and args.args[0] == "--":
        args.args = args.args[1:]
    try:
        import pulumi
        import pulumi.runtime
    except ImportError as exc:
        print(f"{sys.executable}: cannot import pulumi: {exc}", file=sys.stderr)
        return EXIT_NO_SDK

    load_config(pulumi)
    pulumi.runtime.configure(settings(pulumi, args))

    program = os.path.abspath(args.program)
    if args.pwd:
        os.chdir(args.pwd)
    # As `python PROGRAM` would: the program's directory first on sys.path, argv as the program sees it.
    sys.path.insert(0, program if os.path.isdir(program) else os.path.dirname(program))
    sys.argv = [program, *args.args]

    if os.path.isdir(program) and not os.path.exists(os.path.join(program, "__main__.py")):
        pulumi.log.error(f"no Pulumi program: {program} has no __main__.py (set `main:` in Pulumi.yaml to a file)")
        return EXIT_REPORTED

    # SIGINT means the engine is cancelling or shutting down (or the user pressed Ctrl-C, which the engine
    # reports itself): stop at once and quietly, as a KeyboardInterrupt traceback would only be noise.
    signal.signal(signal.SIGINT, lambda *_: os._exit(EXIT_INTERRUPTED))

    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    # Resource registrations run on the loop's default executor; size it to the engine's parallelism.
    executor = ThreadPoolExecutor(max_workers=max(args.parallel, 1) * 4)
    loop.set_default_executor(executor)
    # A failed program leaves futures nobody awaits; asyncio's complaints about them would only add noise
    # after the real error.
    logging.getLogger("asyncio").setLevel(logging.CRITICAL)

    code = EXIT_REPORTED
    try:
        loop.run_until_complete(pulumi.runtime.run_in_stack(lambda: runpy.run_path(program, run_name="__main__")))
        code = 0
    except pulumi.RunError as exc:
        # Errors the program raises on purpose (bad config, ...) are shown as their message alone.
        pulumi.log.error(str(exc))
    except Exception:  # noqa: BLE001 - any other failure of the user's program is reported with its traceback
        pulumi.log.error("Program failed with an unhandled exception:\n" + user_traceback(program))
    finally:
        executor.shutdown(wait=True)
        loop.close()
        sys.stdout.flush()
        sys.stderr.flush()
    return code


if __name__ == "__main__":
    sys.exit(main())
