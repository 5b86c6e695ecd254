#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The C ABI check: compares the C API of the built libcbridge.so with the
# committed baseline abi/<SONAME>.abi (abidiff, libabigail). A removed
# function or variable, a changed parameter or result type, a changed
# layout of a struct the API passes: fails, unless the major version was
# bumped (include/cbridge/version.h; the SONAME carries it). Added
# functions pass; they are listed until scripts/update-abi records them.
# Exit 77 (ctest: skipped) without debug info, or after a major bump
# before the new baseline is recorded.
# Usage: check_abi.sh LIBRARY SOURCE_DIR
set -uo pipefail
lib=$1
src=$2
for tool in abidw abidiff readelf; do
  if ! command -v "$tool" >/dev/null; then
    echo "$tool not found: scripts/setup.sh installs it (abigail-tools, binutils)"
    exit 1
  fi
done
if ! readelf -S --wide "$lib" | grep -q '\.debug_info'; then
  echo "skipped: $lib has no debug info (the ABI check needs RelWithDebInfo or Debug)"
  exit 77
fi
soname=$(readelf -d "$lib" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
baseline="$src/abi/$soname.abi"
if [ ! -f "$baseline" ]; then
  old=$(cd "$src/abi" && ls libcbridge.so.*.abi 2>/dev/null | tr '\n' ' ')
  if [ -n "$old" ]; then
    echo "skipped: the SONAME is now $soname, the baseline is ${old% }: a major version bump"
    echo "may change the C ABI. Record the new baseline: scripts/update-abi"
    exit 77
  fi
  echo "no baseline abi/$soname.abi: scripts/update-abi records it"
  exit 1
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$src/abi/dump.sh" "$lib" "$src" "$work/current.abi" || exit 1
# --no-added-syms: new functions are no break. Exit status (libabigail):
# bit 1 error, 2 usage, 4 an ABI change, 8 an incompatible one (removed).
abidiff --no-added-syms "$baseline" "$work/current.abi" >"$work/diff" 2>&1
rc=$?
if [ $((rc & 3)) -ne 0 ]; then
  cat "$work/diff"
  echo "abidiff failed (status $rc)"
  exit 1
fi
syms() { grep -o "<elf-symbol name='[^']*'" "$1" | sed "s/.*name='//; s/'//" | sort; }
added=$(comm -13 <(syms "$baseline") <(syms "$work/current.abi") | tr '\n' ' ')
if [ $rc -ne 0 ]; then
  cat "$work/diff"
  echo
  echo "FAIL: the C ABI of $soname differs from abi/$soname.abi (above) without a major version bump."
  echo "Programs built against $soname would break. Keep the old function (add a new one beside"
  echo "it), or bump CBRIDGE_VERSION_MAJOR in include/cbridge/version.h and run scripts/update-abi."
  exit 1
fi
n=$(syms "$baseline" | wc -l)
echo "C ABI of $soname compatible with abi/$soname.abi ($n symbols)"
if [ -n "$added" ]; then
  echo "not in the baseline yet (scripts/update-abi records them): ${added% }"
fi
exit 0
