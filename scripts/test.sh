#!/usr/bin/env bash
# Everything CI checks, from a fresh Debian 12 machine: installs what is missing, checks the
# formatting of the tree, builds everything (the tool, its tests and benchmarks) with
# AddressSanitizer + UndefinedBehaviorSanitizer and warnings as errors, and runs the whole test
# suite in that build.
#   scripts/test.sh             what CI runs
#   scripts/test.sh --release   then also builds the optimised tool with warnings as errors and
#                               runs the suite again in it (about twice as long)
# One build, not two, keeps CI within its time: a second full build and run took CI from about
# 11 to 20 minutes, and the sanitizer build runs every test the optimised one would.
set -euo pipefail
cd "$(dirname "$0")/.."

release=0
case "${1:-}" in
  "") ;;
  --release) release=1 ;;
  *)
    echo "scripts/test.sh: unknown option '$1' (the only option is --release)" >&2
    exit 2 ;;
esac

scripts/setup.sh --no-build

echo "== clang-format check"
if git rev-parse --git-dir >/dev/null 2>&1; then
  mapfile -t sources < <(git ls-files '*.cc' '*.h')
else
  mapfile -t sources < <(find emulator harness cli tests bench -name '*.cc' -o -name '*.h')
fi
clang-format --dry-run --Werror "${sources[@]}"
echo "formatted: ${#sources[@]} files"

echo "== ASan + UBSan build and tests"
scripts/configure.sh asan build-asan
cmake --build build-asan -j2
(cd build-asan && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
  ctest -j2 --output-on-failure --timeout 600)

if [ "$release" = 1 ]; then
  echo "== release build and tests"
  CROSSMESH_WERROR=ON scripts/configure.sh release build
  cmake --build build -j2
  (cd build && ctest -j2 --output-on-failure --timeout 300)
fi
