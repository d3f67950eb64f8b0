"""DeviceTags on the real engine: its lifecycle is in the bulk contract (test_bulk_contract.py)."""

from __future__ import annotations

from .cases import DEVICE, Case, by_natural_key

INPUTS = {"device": DEVICE, "tags": {"ring": "canary", "site": "lab"}}
# How an existing map is adopted (tests/e2e/test_import.py runs it): `<uuid>:ring,site`.
IMPORT_CASE = Case("DeviceTags", INPUTS, by_natural_key("DeviceTags", INPUTS), same_outputs=("tag_ids",))
