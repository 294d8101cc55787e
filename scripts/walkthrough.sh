#!/usr/bin/env bash
# The main job, from a fresh Debian 12 machine: installs what is missing, builds, and runs the
# cross-account walkthrough scenario. Extra arguments go to `crossmesh walkthrough`
# (--json FILE, --junit FILE, --quiet).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh
exec build/cli/crossmesh walkthrough "$@"
