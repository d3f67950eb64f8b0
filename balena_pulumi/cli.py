"""The ``balena-pulumi`` command. Each subcommand is registered by one ``_add_<name>`` function.

To add a subcommand: write ``_add_<name>(subparsers)`` that creates its parser and sets
``func=<callable taking the parsed args, returning an exit code>``, then list it in ``SUBCOMMANDS``.
"""

from __future__ import annotations

import argparse
import sys


def _add_sandbox(sub) -> None:
    p = sub.add_parser("sandbox", help="run the local balena API v7 sandbox server",
                       description="Run the local balena API v7 stand-in (HTTP + SQLite). Prints the URL and "
                                   "the admin's session token and API key, then serves until interrupted.")
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=0, help="port; 0 picks a free one (default 0)")
    p.add_argument("--state", metavar="FILE", default=None,
                   help="SQLite file to keep state in across restarts (default: in memory)")
    p.add_argument("--seed", default="default", metavar="default|empty|PATH.json",
                   help="seed to load into a new database (ignored when --state already holds one)")

    def run(args) -> int:
        from balena_pulumi.sandbox.server import run_forever

        return run_forever(args.host, args.port, args.state, args.seed)

    p.set_defaults(func=run)


def _add_stack_commands(sub) -> None:
    from balena_pulumi.deploy import add_parser

    add_parser(sub)


def _add_discover(sub) -> None:
    from balena_pulumi.discover.command import add_parser

    add_parser(sub)


SUBCOMMANDS = [_add_sandbox, _add_stack_commands, _add_discover]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="balena-pulumi", description="balena-pulumi command line tools")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for add in SUBCOMMANDS:
        add(sub)
    return parser


def main(argv=None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
