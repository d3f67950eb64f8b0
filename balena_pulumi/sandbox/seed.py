"""The sandbox's seed document format and the default seed (``DEFAULT_SEED``).

A seed is plain JSON (``--seed PATH.json`` and ``POST /_sandbox/seed`` take the same document). It is
loaded through the same write path as API requests (so slugs, revisions, raw versions, the fleet target
and service installs come from the rules), then release ``created_at`` is pinned to ``start_timestamp`` so
draft versions are deterministic. Each release is built as a builder would: created ``running``, given one
image per service it holds, then set to its status. Ids are assigned in document order, starting at 1
for every table.

The constants below name the default seed's values for tests elsewhere.
"""

from __future__ import annotations

import hashlib
import json

from .access import ROOT
from .errors import ApiError
from .rules.releases import compute_version
from .schema import BY_NAME
from .values import now_iso


def _commit(label: str) -> str:
    return hashlib.sha1(label.encode()).hexdigest()


def _uuid(label: str) -> str:
    return hashlib.md5(label.encode()).hexdigest()


ADMIN, ALICE, BOB, CAROL = "admin", "alice", "bob", "carol"
ORG_HANDLE, ORG_NAME = "acme", "Acme Corp"
PRODUCTION, STAGING = "acme/production", "acme/staging"
SERVICES = ("main", "worker")

# production releases, in id order: (semver, status, is_final) -> raw_version in the comment
PRODUCTION_RELEASES = [
    ("1.0.0", "success", True),         # id 1, raw 1.0.0
    ("1.1.0", "success", True),         # id 2, raw 1.1.0
    ("1.1.0", "success", True),         # id 3, raw 1.1.0+rev1
    ("2.0.0", "success", True),         # id 4, raw 2.0.0
    ("2.1.0-beta.1", "success", True),  # id 5, raw 2.1.0-beta.1  <- newest trackable: the fleet target
    ("2.1.0", "failed", True),          # id 6, raw 2.1.0 (failed)
    ("2.2.0", "success", False),        # id 7, draft: raw 2.2.0-<created_at ms>
]
COMMITS = {i + 1: _commit(f"acme/production#{i + 1}") for i in range(len(PRODUCTION_RELEASES))}
STAGING_RELEASE_COMMIT = _commit("acme/staging#1")  # release id 8, 0.1.0 success, staging's target
def _uuid4(label: str) -> str:
    h = list(_uuid(label))
    h[12] = "4"
    h[16] = "89ab"[int(h[16], 16) % 4]
    return "".join(h)


PRODUCTION_UUID, STAGING_UUID = _uuid4("acme/production"), _uuid4("acme/staging")
PRODUCTION_DEVICE_UUIDS = [_uuid(f"acme/production/device-{n}") for n in (1, 2, 3)]
STAGING_DEVICE_UUID = _uuid("acme/staging/device-1")

DEFAULT_SEED: dict = {
    "token_owner": ADMIN,
    "cpu_architectures": ["rpi", "armv7hf", "aarch64", "i386-nlp", "i386", "amd64"],
    "device_types": [
        {"slug": "raspberrypi4-64", "name": "Raspberry Pi 4 (using 64bit OS)", "arch": "aarch64", "aliases": []},
        {"slug": "generic-aarch64", "name": "Generic AARCH64", "arch": "aarch64", "aliases": []},
        {"slug": "raspberrypi3", "name": "Raspberry Pi 3", "arch": "armv7hf", "aliases": []},
        {"slug": "raspberry-pi", "name": "Raspberry Pi (v1 / Zero / Zero W)", "arch": "rpi",
         "aliases": ["raspberrypi"]},
        {"slug": "intel-nuc", "name": "Intel NUC", "arch": "amd64", "aliases": ["nuc"]},
        {"slug": "generic-amd64", "name": "Generic x86_64 (GPT)", "arch": "amd64",
         "aliases": ["genericx86-64-ext"]},
    ],
    "application_types": [
        {"slug": "microservices", "name": "Microservices", "supports_multicontainer": True,
         "supports_web_url": True, "supports_gateway_mode": True, "needs__os_version_range": ">=2.11.0",
         "description": "Multiple containers, with a web URL"},
    ],
    "users": [
        {"username": ADMIN, "email": "admin@acme.example"},
        {"username": ALICE, "email": "alice@acme.example"},
        {"username": BOB, "email": "bob@acme.example"},
        {"username": CAROL, "email": "carol@example.com"},
    ],
    "organizations": [
        {"handle": ORG_HANDLE, "name": ORG_NAME,
         "members": {ADMIN: "administrator", ALICE: "member", BOB: "member"}},
    ],
    "fleets": [
        {"organization": ORG_HANDLE, "app_name": "production", "uuid": PRODUCTION_UUID, "device_type": "raspberrypi4-64",
         "services": list(SERVICES),
         "releases": [
             {"commit": COMMITS[i + 1], "semver": sv, "status": st, "is_final": fin,
              "start_timestamp": f"2024-0{1 + i // 4}-{10 + i:02d}T12:00:00.000Z",
              "composition": {"services": {s: {"image": s} for s in SERVICES}}}
             for i, (sv, st, fin) in enumerate(PRODUCTION_RELEASES)],
         "devices": [{"uuid": u, "device_name": f"production-{n}", "device_type": "raspberrypi4-64"}
                     for n, u in enumerate(PRODUCTION_DEVICE_UUIDS, 1)]},
        {"organization": ORG_HANDLE, "app_name": "staging", "uuid": STAGING_UUID, "device_type": "generic-aarch64",
         "services": ["main"],
         "releases": [{"commit": STAGING_RELEASE_COMMIT, "semver": "0.1.0", "status": "success",
                       "start_timestamp": "2024-03-01T12:00:00.000Z",
                       "composition": {"services": {"main": {"image": "main"}}}}],
         "devices": [{"uuid": STAGING_DEVICE_UUID, "device_name": "staging-1", "device_type": "generic-aarch64"}]},
    ],
}


def load_seed_doc(seed) -> dict:
    """``"default"`` | ``"empty"`` | a path to a JSON document | the document itself."""
    if seed in (None, "default"):
        return DEFAULT_SEED
    if seed == "empty":  # reference data only (device types are read-only in the real API)
        return {k: DEFAULT_SEED[k] for k in ("cpu_architectures", "device_types", "application_types")} | {
            "token_owner": None}
    if isinstance(seed, dict):
        return seed
    with open(seed, encoding="utf-8") as fh:
        return json.load(fh)


def _release(store, app_id, services: dict, r: dict) -> None:
    """Create one release as a builder does: running, its images, then its final status."""
    status = r.get("status", "success")
    body = {"belongs_to__application": app_id, "source": "cloud", **{k: v for k, v in r.items() if k != "services"},
            "status": "running"}
    rel = store.create(BY_NAME["release"], body, ROOT, answer=False)
    stamp = r["start_timestamp"]
    for name in r.get("services", list(services)):
        if name not in services:
            raise ApiError(400, f"seed release {r.get('commit')!r} names service {name!r}, which its fleet lacks")
        image = store.create(BY_NAME["image"], {
            "is_a_build_of__service": services[name], "start_timestamp": stamp, "end_timestamp": stamp,
            "push_timestamp": stamp, "status": "success", "project_type": "Standard Dockerfile",
            "content_hash": "sha256:" + hashlib.sha256(f"{r.get('commit')}/{name}".encode()).hexdigest()},
            ROOT, answer=False)
        store.create(BY_NAME["image__is_part_of__release"], {"image": image["id"], "is_part_of__release": rel["id"]},
                     ROOT, answer=False)
    if status != "running":
        store.patch(BY_NAME["release"], ROOT, rel["id"], {}, {"status": status})
    row = store.row("release", rel["id"])
    row.update(created_at=stamp, update_timestamp=stamp,
               is_finalized_at__date=None if row["revision"] is None else stamp)
    raw, semver, version = compute_version(row)
    store.conn.execute("UPDATE release SET created_at = ?, modified_at = ?, update_timestamp = ?, "
                       "is_finalized_at__date = ?, raw_version = ?, semver = ?, version = ? WHERE id = ?",
                       (stamp, stamp, stamp, row["is_finalized_at__date"], raw, semver, version, rel["id"]))


def apply_seed(store, doc: dict) -> None:
    """Load a seed document into an empty store (caller holds the transaction)."""
    if not isinstance(doc, dict):
        raise ApiError(400, "seed must be a JSON object")
    now = now_iso()
    ins = store.raw_insert
    arch_ids = {a: ins("cpu_architecture", {"slug": a}) for a in doc.get("cpu_architectures", [])}
    dt_ids = {}
    for dt in doc.get("device_types", []):
        dt_id = ins("device_type", {"slug": dt["slug"], "name": dt.get("name", dt["slug"]),
                                    "is_of__cpu_architecture": arch_ids[dt["arch"]], "is_private": 0})
        dt_ids[dt["slug"]] = dt_id
        for alias in [dt["slug"], *dt.get("aliases", [])]:
            ins("device_type_alias", {"references__device_type": dt_id, "is_referenced_by__alias": alias})
    for at in doc.get("application_types", []) or [{"slug": "microservices", "name": "Microservices"}]:
        vals = {"slug": at["slug"], "name": at.get("name", at["slug"])}
        for k in ("supports_web_url", "supports_multicontainer", "supports_gateway_mode", "requires_payment",
                  "is_legacy"):
            vals[k] = 1 if at.get(k, k in ("supports_multicontainer", "supports_gateway_mode")) else 0
        for k in ("needs__os_version_range", "description", "maximum_device_count"):
            if at.get(k) is not None:
                vals[k] = at[k]
        ins("application_type", vals)
    for name in ("administrator", "member"):
        ins("organization_membership_role", {"name": name})
    for name in ("observer", "developer", "operator"):
        ins("application_membership_role", {"name": name})
    user_ids = {}
    for u in doc.get("users", []):
        user_ids[u["username"]] = ins("user", {"username": u["username"], "email": u.get("email"),
                                               "actor": store.new_actor()})
    role_ids = {r["name"]: r["id"] for r in store.all("SELECT id, name FROM organization_membership_role")}
    org_ids = {}
    for o in doc.get("organizations", []):
        created = store.create(BY_NAME["organization"], {"name": o["name"], "handle": o["handle"]}, ROOT,
                               answer=False)
        org_ids[o["handle"]] = created["id"]
        for uname, role in (o.get("members") or {}).items():
            ins("organization_membership", {"user": user_ids[uname], "is_member_of__organization": created["id"],
                                            "organization_membership_role": role_ids[role],
                                            "effective_seat_role": role, "created_at": now, "modified_at": now})
    for f in doc.get("fleets", []):
        app = store.create(BY_NAME["application"], {
            "app_name": f["app_name"], "organization": org_ids[f["organization"]],
            "is_for__device_type": dt_ids[f["device_type"]], "is_of__class": f.get("is_of__class", "fleet"),
            "is_public": f.get("is_public", False), **({"uuid": f["uuid"]} if f.get("uuid") else {})},
            ROOT, answer=False)
        services = {}
        for s in f.get("services", []):
            services[s] = store.create(BY_NAME["service"], {"application": app["id"], "service_name": s}, ROOT,
                                       answer=False)["id"]
        for r in f.get("releases", []):
            _release(store, app["id"], services, r)
        for d in f.get("devices", []):
            store.create(BY_NAME["device"], {
                "uuid": d["uuid"], "device_name": d.get("device_name"), "belongs_to__application": app["id"],
                "is_of__device_type": dt_ids[d.get("device_type", f["device_type"])]}, ROOT, answer=False)
        for kind, res in (("env", "application_environment_variable"), ("config", "application_config_variable"),
                          ("tags", "application_tag")):
            for k, v in (f.get(kind) or {}).items():
                body = {"application": app["id"], "value": v}
                body["tag_key" if kind == "tags" else "name"] = k
                store.create(BY_NAME[res], body, ROOT, answer=False)
