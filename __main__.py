"""The root project's program: the organization described by this stack's config (see balena_pulumi/program.py)."""

from balena_pulumi.program import main

main()
