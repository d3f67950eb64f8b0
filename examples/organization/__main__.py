"""An organization-wide balena stack: fleets, variables at every scope, tags, members, keys and a pin.

Written for the sandbox's seeded organization `acme` (fleet `acme/production` with services `main` and
`worker`, releases 1.0.0..2.0.0, devices, users alice and bob). On balenaCloud, change the names.
"""

import pulumi

from balena_pulumi import (
    ApiKey,
    DeviceConfigVar,
    DeviceEnvVar,
    DeviceServiceEnvVar,
    DeviceTag,
    Fleet,
    FleetBuildVar,
    FleetConfigVar,
    FleetEnvVar,
    FleetEnvVars,
    FleetInvite,
    FleetMember,
    FleetPin,
    FleetTag,
    Organization,
    OrganizationInvite,
    OrganizationMember,
    ProvisioningKey,
    ReleaseTag,
    ServiceEnvVar,
    SshKey,
)

CANARY = "d82f3c6b77f09441738b4a846666b0ea"  # a seeded production device
OPS_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJ3NTinf2J+6qrj8R0yTV78ySkvJlv0Oexn8kaWYPWYk ops@laptop"


def main() -> None:
    config = pulumi.Config()
    api_token = config.get_secret("apiToken") or pulumi.Output.secret("example-token-not-for-production")

    org = Organization("acme", name="Acme Corp", handle="acme")  # adopts the existing organization
    OrganizationMember("bob", organization=org.handle, username="bob", role="member")
    OrganizationInvite("dave", organization=org.handle, invitee="dave@example.com", role="member")

    gateways = Fleet("gateways", organization=org.handle, name="edge-gateways", device_type="raspberrypi4-64")
    kiosks = Fleet("kiosks", organization=org.handle, name="kiosks", device_type="intel-nuc")
    production = "acme/production"  # exists already: only what hangs off it is managed here

    FleetEnvVars("gateways-env", fleet=gateways.slug, variables={"LOG_LEVEL": "info", "MQTT_HOST": "mqtt.acme.example"})
    FleetEnvVar("gateways-api-token", fleet=gateways.slug, name="API_TOKEN", value=api_token)
    FleetConfigVar("gateways-gpu", fleet=gateways.slug, name="BALENA_HOST_CONFIG_gpu_mem", value="64")
    FleetBuildVar("gateways-registry", fleet=gateways.slug, name="NPM_REGISTRY", value="https://npm.acme.example")
    ServiceEnvVar("production-port", fleet=production, service="main", name="PORT", value="8080")
    DeviceEnvVar("canary-flag", device=CANARY, name="CANARY", value="true")
    DeviceConfigVar("canary-poll", device=CANARY, name="BALENA_SUPERVISOR_POLL_INTERVAL", value="600000")
    DeviceServiceEnvVar("canary-debug", device=CANARY, service="main", name="DEBUG", value="1")

    for name, fleet, owner, environment in (
        ("gateways", gateways.slug, "platform-team", "production"),
        ("kiosks", kiosks.slug, "retail-team", "staging"),
    ):
        FleetTag(f"{name}-owner", fleet=fleet, key="owner", value=owner)
        FleetTag(f"{name}-environment", fleet=fleet, key="environment", value=environment)
    DeviceTag("canary-ring", device=CANARY, key="ring", value="canary")
    ReleaseTag("release-qa", fleet=production, release_version="1.1.0", key="qa", value="passed")

    FleetMember("alice-production", fleet=production, username="alice", role="developer")
    FleetInvite("erin-production", fleet=production, invitee="erin@example.com", role="observer")
    FleetPin("production-pin", fleet=production, release_version="1.1.0")

    ci_key = ApiKey("ci", name="ci-deploy", description="CI deploys", expiry_date="2027-12-31")
    ProvisioningKey("gateways-factory", fleet=gateways.slug, name="factory-line-1", expiry_date="2027-06-30")
    SshKey("ops-laptop", title="ops laptop", public_key=OPS_KEY)

    pulumi.export("fleets", {"gateways": gateways.slug, "kiosks": kiosks.slug})
    pulumi.export("ci_key", ci_key.key)  # a secret output


if __name__ == "__main__":
    main()
