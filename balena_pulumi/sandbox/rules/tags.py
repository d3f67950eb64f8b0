"""Rules of fleet, device and release tags (reference section 5.7): key whitespace and reserved prefixes,
key and value lengths.
"""

from __future__ import annotations

import re

from ..errors import ApiError
from ..schema import BY_NAME
from .base import ResourceRules, check_len

FAMILY = "tags"

KEY_MAX = {"application_tag": 100, "device_tag": 100, "release_tag": 164}
VALUE_MAX = {"application_tag": 1000, "device_tag": 10000, "release_tag": 1000}


def check_tag(res_name: str, values: dict) -> None:
    words = BY_NAME[res_name].words
    key = values.get("tag_key")
    if key is not None:
        if re.search(r"\s", key):
            raise ApiError(400, "Tag keys cannot contain whitespace.")
        for prefix in ("io.resin.", "io.balena."):
            if key.startswith(prefix):
                raise ApiError(400, f"Tag keys beginning with {prefix} are reserved.")
        check_len(key, words, "tag key", KEY_MAX[res_name], 1)
    if values.get("value") is not None:
        check_len(values["value"], words, "value", VALUE_MAX[res_name])


def _rules_for(res_name: str) -> ResourceRules:
    def check(ctx, values, body):
        check_tag(res_name, values)

    return ResourceRules(before_post=check, validate_patch=check)


RULES = {name: _rules_for(name) for name in KEY_MAX}
