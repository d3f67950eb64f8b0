#!/usr/bin/env bash
# Build the real Pulumi CLI from its Go module (the usual download is unreachable here) and lay out a
# bin/ directory the way the Pulumi distribution does: the CLI, the Python language host, the Python
# dynamic-provider plugin. Prints the bin/ directory on its last line.
#
#   tools/pulumi/build.sh            # build or reuse; prints e.g. /root/.cache/balena-pulumi/pulumi-v3.259.0/bin
#
# Reuse order: a `pulumi` on PATH whose version equals VERSION with a language host and the dynamic-provider
# plugin beside it (a normal Pulumi install), then the cache (BALENA_PULUMI_CACHE, default
# ~/.cache/balena-pulumi), then a fresh build. The launchers and the language host are refreshed on every
# run. See README.md in this directory for why the version is what it is and what the language host is.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
version="v$(tr -d '[:space:]' < "$here/VERSION")"
cache_root="${BALENA_PULUMI_CACHE:-$HOME/.cache/balena-pulumi}"
out="$cache_root/pulumi-$version"
bin="$out/bin"

log() { echo "[pulumi-build] $*" >&2; }
die() { echo "[pulumi-build] ERROR: $*" >&2; exit 1; }

if existing="$(command -v pulumi 2>/dev/null)"; then
    have="$("$existing" version 2>/dev/null || true)"
    dir="$(cd "$(dirname "$existing")" && pwd -P)"
    # Our own cache is not "a pulumi on PATH": fall through, so its launchers and host are refreshed.
    if [[ "$have" == "$version" && -x "$dir/pulumi-resource-pulumi-python" && -x "$dir/pulumi-language-python"
          && "$dir" != "$(mkdir -p "$bin" && cd "$bin" && pwd -P)" ]]; then
        log "reusing $existing ($have)"
        echo "$dir"
        exit 0
    fi
    log "ignoring pulumi on PATH at $existing (version '${have:-unknown}', need $version)"
fi

# Our launchers beside the CLI; refreshed on every run so a cached build picks up their changes.
install_launchers() {
    # The Python dynamic-provider plugin: the distribution's script starts the SDK's provider server; ours
    # does the same through balena_pulumi.provider_host, which adds `import_` for balena resources.
    install -m 0755 "$here/pulumi-resource-pulumi-python" "$1/"
    # The Python language host (README.md): runs programs and policy packs for the engine.
    install -m 0755 "$here/pulumi-language-python" "$1/"
    # With a language host present the engine never uses the analyzer fallback launcher that earlier
    # versions of this script installed; a stale copy would only mislead.
    rm -f "$1/pulumi-analyzer-policy-python"
}

# The language host's own Python environment (the `pulumi` package of the CLI's version, for its gRPC
# stubs) and its scripts, in <out>/python-host beside bin/. Independent of any project's virtualenv.
install_python_host() {
    local dest="$1/python-host" python="${PYTHON:-python3}" stamp
    mkdir -p "$dest"
    install -m 0644 "$here"/python-host/*.py "$dest/"
    stamp="$dest/venv/.installed-pulumi-$version"
    [[ -f "$stamp" ]] && return 0
    command -v "$python" >/dev/null || die "$python is needed for the Python language host and was not found"
    log "installing the Python language host's environment (pulumi ${version#v} from PyPI) into $dest/venv"
    local tmp="$dest/venv.tmp.$$"
    rm -rf "$tmp"
    "$python" -m venv "$tmp" >&2
    "$tmp/bin/python" -m pip install -q --disable-pip-version-check "pulumi==${version#v}" >&2 \
        || { rm -rf "$tmp"; die "pip install pulumi==${version#v} for the language host failed"; }
    # Only the interpreter is called (never a console script), so the environment may be moved into place.
    touch "$tmp/.installed-pulumi-$version"
    rm -rf "$dest/venv" && mv "$tmp" "$dest/venv"
}

if [[ -x "$bin/pulumi" && -f "$out/.complete" ]]; then
    install_launchers "$bin"
    install_python_host "$out"
    log "reusing cached build in $bin ($("$bin/pulumi" version))"
    echo "$bin"
    exit 0
fi

command -v go >/dev/null || die "the Go toolchain is needed to build the Pulumi CLI and was not found on PATH"

export GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS=-mod=readonly
# go.sum is committed, so module hashes are checked locally; the public checksum database is not reachable.
export GONOSUMDB="${GONOSUMDB:-*}" GOSUMDB=off

start=$(date +%s)
# No `go mod download`: it also asks for .info files the proxy here refuses (403) for some pseudo-versions
# whose .mod and .zip it serves; `go build` fetches only the .mod and .zip files it needs.

tmp="$out.tmp.$$"
rm -rf "$tmp" && mkdir -p "$tmp/bin"
trap 'rm -rf "$tmp"' EXIT
ldflags="-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$version"
log "downloading modules (about 1 GB) and compiling the pulumi CLI: ten minutes or more on two cores when cold"
(cd "$here" && go build -trimpath -tags osusergo,grpcnotrace -ldflags "$ldflags" \
    -o "$tmp/bin/pulumi" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi) || die "go build of the pulumi CLI failed"

install_launchers "$tmp/bin"

got="$("$tmp/bin/pulumi" version)"
[[ "$got" == "$version" ]] || die "built CLI reports version '$got', expected $version"

rm -rf "$out" && mkdir -p "$out" && mv "$tmp/bin" "$bin" && touch "$out/.complete"
install_python_host "$out"
log "built pulumi $got in $(( $(date +%s) - start ))s into $bin"
echo "$bin"
