"""Tests of the sandbox (balena_pulumi/sandbox) over real HTTP on loopback."""
