#!/usr/bin/env bash
# Everything CI checks, from a fresh Debian 12 machine: installs what is missing, checks the
# formatting of the tree, builds with warnings as errors and runs the test suite, then builds
# the same tests with AddressSanitizer + UndefinedBehaviorSanitizer and runs them again.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh --no-build

echo "== clang-format check"
if git rev-parse --git-dir >/dev/null 2>&1; then
  mapfile -t sources < <(git ls-files '*.cc' '*.h')
else
  mapfile -t sources < <(find emulator harness cli tests bench -name '*.cc' -o -name '*.h')
fi
clang-format --dry-run --Werror "${sources[@]}"
echo "formatted: ${#sources[@]} files"

echo "== release build and tests"
scripts/configure.sh release build
cmake --build build -j2
(cd build && ctest -j2 --output-on-failure --timeout 300)

echo "== ASan + UBSan build and tests"
scripts/configure.sh asan build-asan
cmake --build build-asan -j2
(cd build-asan && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
  ctest -j2 --output-on-failure --timeout 600)
