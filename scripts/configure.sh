#!/usr/bin/env bash
# Configures a build folder the way the project's scripts build:
#   scripts/configure.sh release build        optimised; CROSSMESH_WERROR=ON makes warnings errors
#   scripts/configure.sh asan build-asan      AddressSanitizer + UBSan, warnings as errors
# Unity batches and little debug info keep a cold build on a 2-core machine to minutes: most of
# a translation unit's time goes to the same Boost, JSON and spdlog headers.
# The release build leaves warnings as warnings by default so that a user's build of the tool
# never stops on one; CI's build (the sanitizer one) and `scripts/test.sh --release` stop on them.
set -euo pipefail
cd "$(dirname "$0")/.."

kind=${1:?usage: scripts/configure.sh release|asan DIR}
dir=${2:?usage: scripts/configure.sh release|asan DIR}
common=(-G Ninja -DCMAKE_UNITY_BUILD=ON -DCMAKE_UNITY_BUILD_BATCH_SIZE=16)

case "$kind" in
  release)
    cmake -S . -B "$dir" "${common[@]}" -DCROSSMESH_WERROR="${CROSSMESH_WERROR:-OFF}" \
      -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_FLAGS_RELEASE="-O2 -DNDEBUG" >/dev/null ;;
  asan)
    cmake -S . -B "$dir" "${common[@]}" -DCROSSMESH_WERROR=ON -DCMAKE_BUILD_TYPE=Debug \
      -DCMAKE_CXX_FLAGS_DEBUG="-g1" -DCROSSMESH_SANITIZE=ON -DCROSSMESH_BENCH=ON >/dev/null ;;
  *)
    echo "scripts/configure.sh: unknown build kind '$kind' (use release or asan)" >&2
    exit 2 ;;
esac
