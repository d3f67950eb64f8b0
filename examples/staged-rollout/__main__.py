"""Staged rollout: pin the fleet to the release it runs today, and a canary group to the new release.

Promote by moving `stable` to the candidate (one FleetPin update), then drop the canary pins (the
devices follow the fleet again). Roll back by changing `candidate` back. Releases are looked up at
program time, so a typo in a version fails before anything changes.
"""

import pulumi

from balena_pulumi import DevicePin, DeviceTag, FleetPin
from balena_pulumi.resources.lookups import get_release

FLEET = "acme/production"
CANARIES = ["d82f3c6b77f09441738b4a846666b0ea", "e7e8bf84228a52a927c8377f731c996b"]


def main() -> None:
    config = pulumi.Config()
    stable = get_release(FLEET, version=config.get("stable") or "1.1.0")
    candidate = get_release(FLEET, version=config.get("candidate") or "2.0.0")

    FleetPin("fleet-on-stable", fleet=FLEET, release_commit=stable.commit)
    for uuid in CANARIES:
        DevicePin(f"canary-{uuid[:7]}", device=uuid, release_commit=candidate.commit)
        DeviceTag(f"canary-{uuid[:7]}-ring", device=uuid, key="ring", value="canary")

    pulumi.export("stable", stable.version)
    pulumi.export("candidate", candidate.version)


if __name__ == "__main__":
    main()
