#!/usr/bin/env bash
# Builds the STAND-INS for the official base images (docker/standins/README.md) and tags them
# with the official names, for `make test-deploy` on a machine that cannot pull images.
#
#   python:3.10-slim-bookworm   Debian 12 from debootstrap + this machine's Python 3.10
#   postgres:15                 Debian 12's postgresql-15 + an entrypoint after the official one
#   redis:7.0                   Debian 12's redis-server 7.0 + an entrypoint after the official one
#
# `build.sh --remove` deletes them (only images that carry the stand-in label).
# Idempotent: a stand-in is rebuilt only when its recipe (these files) changed; an image of
# that name without the stand-in label is a real one pulled from the registry and is kept.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
LABEL=org.negotiation-coach.standin
BASE=negotiation-standin/debian:bookworm
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
CA_BUNDLE=${STANDIN_CA_BUNDLE:-/etc/ssl/certs/ca-certificates.crt}
export DOCKER_BUILDKIT=0  # the plain builder of any engine: FROM a local image, no pull

STANDINS=(python:3.10-slim-bookworm postgres:15 redis:7.0 "$BASE")

if [ "${1:-}" = --remove ]; then
    for image in "${STANDINS[@]}"; do
        if [ -n "$(docker image ls -q --filter "label=$LABEL" "$image")" ]; then
            docker image rm "$image" >/dev/null && echo "removed stand-in $image"
        fi
    done
    exit 0
fi

python_bin=$("$ROOT/scripts/find-python.sh")
python_home=$("$python_bin" -c 'import sys; print(sys.base_prefix)')
python_version=$("$python_bin" -c 'import platform; print(platform.python_version())')
recipe=$( (cd "$HERE" && cat ./*.Dockerfile ./*-entrypoint.sh; echo "$python_version") | sha256sum | cut -c1-16)

# absent | official | current | stale
state() {
    local label
    label=$(docker image inspect -f "{{ index .Config.Labels \"$LABEL\" }}" "$1" 2>/dev/null) || { echo absent; return; }
    case "$label" in
        "") echo official ;;
        "$recipe") echo current ;;
        *) echo stale ;;
    esac
}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

base() {
    [ "$(state "$BASE")" = current ] && return
    echo "stand-in base: debootstrap --variant=minbase bookworm (about a minute)"
    command -v debootstrap >/dev/null || apt-get install -y -q debootstrap >/dev/null
    debootstrap --variant=minbase bookworm "$work/rootfs" "$MIRROR" >"$work/debootstrap.log" 2>&1 \
        || { tail -20 "$work/debootstrap.log" >&2; exit 1; }
    printf 'deb %s bookworm main\ndeb %s bookworm-updates main\ndeb %s-security bookworm-security main\n' \
        "$MIRROR" "$MIRROR" "${MIRROR%/debian}/debian" >"$work/rootfs/etc/apt/sources.list"
    rm -rf "$work/rootfs/var/cache/apt/archives/"*.deb "$work/rootfs/var/lib/apt/lists/"*
    tar -C "$work/rootfs" -c . | docker import \
        --change "LABEL $LABEL=$recipe" --change 'CMD ["bash"]' - "$BASE" >/dev/null
    rm -rf "$work/rootfs"
}

build() {  # tag dockerfile [context]
    local tag=$1 dockerfile=$2 context=${3:-$HERE}
    case "$(state "$tag")" in
        current) echo "stand-in $tag: up to date"; return ;;
        official) echo "$tag: the official image is here, kept (no stand-in)"; return ;;
    esac
    base
    echo "stand-in $tag: building"
    docker build -f "$HERE/$dockerfile" --build-arg "STANDIN_RECIPE=$recipe" \
        --build-arg "PYTHON_VERSION=$python_version" -t "$tag" "$context" >"$work/build.log" 2>&1 \
        || { tail -40 "$work/build.log" >&2; exit 1; }
}

python_context() {
    mkdir -p "$work/python"
    # the interpreter, its standard library, headers and libpython; not its tests,
    # site-packages or scripts (their #! lines name the host's prefix)
    tar -C "$python_home" -c --exclude=./lib/python3.10/test --exclude=./lib/python3.10/site-packages \
        --exclude='__pycache__' ./lib ./include "./bin/python3.10" | tar -C "$work/python" -x
    mkdir -p "$work/python/lib/python3.10/site-packages"
    cp "$CA_BUNDLE" "$work/machine-ca.crt"
    cp "$HERE/python.Dockerfile" "$work/"
}

if [ "$(state python:3.10-slim-bookworm)" != current ] && [ "$(state python:3.10-slim-bookworm)" != official ]; then
    python_context
fi
build python:3.10-slim-bookworm python.Dockerfile "$work"
build postgres:15 postgres.Dockerfile
build redis:7.0 redis.Dockerfile
# the stand-ins these replaced, now untagged
docker image prune --force --filter "label=$LABEL" >/dev/null
