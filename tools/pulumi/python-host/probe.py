"""Answers language_host.py's questions about a project's Python environment, run inside that interpreter.

``python probe.py about``          -> {"executable", "version"}
``python probe.py distributions``  -> [{"name", "version"}, ...] every installed distribution
``python probe.py plugins``        -> [{"name", "version", "server"?, "parameterization"?}, ...] the resource
                                         plugins the installed Pulumi provider packages need

A provider package declares its plugin in a ``pulumi-plugin.json`` inside its import package (``"resource":
true``, optional ``name``, ``version``, ``server``, ``parameterization``). Without a version there, the
package's own version is used when it is a plain release (``1.2`` -> ``v1.2.0``); a pre-release or local
version cannot be mapped to a plugin version, so such a package is reported on stderr and left out.
Standard library only: it runs in whatever environment the project uses.
"""

from __future__ import annotations

import json
import re
import sys
from importlib import metadata


def about():
    v = sys.version_info
    return {"executable": sys.executable, "version": f"{v.major}.{v.minor}.{v.micro}"}


def distributions():
    seen = {}
    for dist in metadata.distributions():
        name = dist.metadata["Name"]
        if name and name.lower() not in seen:
            seen[name.lower()] = {"name": name, "version": dist.version}
    return sorted(seen.values(), key=lambda d: d["name"].lower())


def _plugin_json(dist):
    for file in dist.files or ():
        if file.name == "pulumi-plugin.json" and len(file.parts) == 2:
            try:
                return json.loads(file.read_text())
            except (OSError, ValueError):
                return None
    return None


def _plugin_version(package_version: str):
    match = re.fullmatch(r"(\d+)(?:\.(\d+))?(?:\.(\d+))?", package_version)
    if not match:
        return None
    return "v" + ".".join(part or "0" for part in match.groups())


def plugins():
    found = []
    for dist in metadata.distributions():
        spec = _plugin_json(dist)
        if not spec or not spec.get("resource"):
            continue
        name = spec.get("name") or dist.metadata["Name"].lower().replace("_", "-").removeprefix("pulumi-")
        version = spec.get("version") or _plugin_version(dist.version)
        if version is None:
            print(f"skipping {dist.metadata['Name']} {dist.version}: no plugin version for that package version",
                  file=sys.stderr)
            continue
        if not version.startswith("v"):
            version = "v" + version
        entry = {"name": name, "version": version}
        if spec.get("server"):
            entry["server"] = spec["server"]
        if spec.get("parameterization"):
            entry["parameterization"] = spec["parameterization"]
        found.append(entry)
    return found


if __name__ == "__main__":
    answer = {"about": about, "distributions": distributions, "plugins": plugins}[sys.argv[1]]()
    json.dump(answer, sys.stdout)
