#!/usr/bin/env bash
# Installs every Debian package crossmesh needs (only the missing ones), then builds.
# Idempotent: a second run installs nothing and rebuilds only what changed.
#   scripts/setup.sh            install + release build in build/
#   scripts/setup.sh --no-build install only
set -euo pipefail

cd "$(dirname "$0")/.."

PACKAGES=(
  build-essential cmake ninja-build pkg-config
  libboost-dev libssl-dev openssl libsqlite3-dev
  nlohmann-json3-dev libyaml-cpp-dev catch2 libbenchmark-dev
  libspdlog-dev libfmt-dev libcli11-dev
  libhiredis-dev libpq-dev redis-server postgresql
  libnghttp2-dev libgoogle-perftools-dev libre2-dev python3-grpcio curl
  awscli clang-format
  haproxy wrk
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  sudo_cmd=()
  if [ "$(id -u)" != 0 ]; then sudo_cmd=(sudo); fi
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get update -qq
  "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  # Debian starts these on install; crossmesh starts its own throwaway instances on loopback.
  for svc in redis-server postgresql haproxy; do
    "${sudo_cmd[@]}" service "$svc" stop >/dev/null 2>&1 || true
  done
fi

if [ "${1:-}" = "--no-build" ]; then
  exit 0
fi

scripts/configure.sh release build
cmake --build build -j2
