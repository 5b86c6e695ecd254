#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Writes the C ABI of a libcbridge.so as libabigail XML (abidw): the C
# functions and variables its headers' C files (include/cbridge/*.h)
# declare, with every type they reach; the C++ API is left out
# (c-api.suppr says why). The output names no path of this checkout, so
# the baseline is the same wherever it is made. Needs debug info
# (RelWithDebInfo or Debug). Used by scripts/update-abi and the
# AbiBaseline test (tests/packaging/check_abi.sh).
# Usage: abi/dump.sh LIBRARY SOURCE_DIR OUT
set -euo pipefail
lib=$1
src=$(cd "$2" && pwd)
out=$3
headers=()
for h in "$src"/include/cbridge/*.h; do headers+=(--header-file "$h"); done
abidw --no-corpus-path --no-comp-dir-path --no-show-locs --no-elf-needed --type-id-style hash \
  --exported-interfaces-only --drop-private-types "${headers[@]}" \
  --suppressions "$src/abi/c-api.suppr" --out-file "$out.tmp" "$lib"
# Translation units by their path in the tree, not on this disk.
sed "s|path='$src/|path='|" "$out.tmp" > "$out"
rm -f "$out.tmp"
