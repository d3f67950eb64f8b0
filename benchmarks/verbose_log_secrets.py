"""How many times the secrets of a run appear in the engine's verbose log (docs/recovery.md).

Not a test: it prints figures. On the real engine against the sandbox, two stacks run one `pulumi up`
each with the same program shape: a fleet variable whose value is a Pulumi secret and a provisioning key
(whose secret the API hands back), with the API token as the secret stack config `balena:apiToken`.
One `up` runs plainly, the other with `-v=9 --logflow --logtostderr`. For each, it counts the
occurrences of the three secret values in what the CLI printed (stdout and stderr) and in the state the
backend stored.

    python benchmarks/verbose_log_secrets.py
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import pulumi  # noqa: E402

from balena_pulumi import resources  # noqa: E402
from balena_pulumi.engine import find_bin_dir  # noqa: E402
from balena_pulumi.sandbox import Sandbox  # noqa: E402
from tests.e2e.harness import Deployment  # noqa: E402


def program(tag: str, secret_value: str):
    def run() -> None:
        resources.FleetEnvVar(
            "secret-var", fleet="acme/production", name=f"API_SECRET_{tag}", value=pulumi.Output.secret(secret_value)
        )
        key = resources.ProvisioningKey("key", fleet="acme/production", name=f"verbose-{tag.lower()}")
        pulumi.export("key", key.key)

    return run


def main() -> None:
    bin_dir = find_bin_dir()
    with Sandbox(seed="default") as sandbox, tempfile.TemporaryDirectory() as tmp:
        print("secret values found in what each `up` printed (stdout + stderr), and in the stored state")
        print(f"{'run':<36} {'API token':>10} {'variable':>10} {'key':>6} {'log bytes':>10} {'in state':>9}")
        for tag, verbose in (("PLAIN", False), ("VERBOSE", True)):
            deployment = Deployment(sandbox, bin_dir, Path(tmp) / tag, stack_name=tag.lower())
            secret_value = f"s3cr3t-value-of-{tag.lower()}-run"
            flags = {"log_flow": True, "log_verbosity": 9, "log_to_std_err": True} if verbose else {}
            deployment._program = program(tag, secret_value)
            result = deployment.stack.up(color="never", **flags)
            key = deployment.stack.outputs()["key"].value
            printed = result.stdout + result.stderr
            secrets = (sandbox.session_token, secret_value, key)
            state = deployment.state_text()
            label = "pulumi up -v=9 --logflow --logtostderr" if verbose else "pulumi up"
            counts = " ".join(f"{printed.count(s):>{w}}" for s, w in zip(secrets, (10, 10, 6)))
            print(f"{label:<36} {counts} {len(printed.encode()):>10} {sum(state.count(s) for s in secrets):>9}")


if __name__ == "__main__":
    main()
