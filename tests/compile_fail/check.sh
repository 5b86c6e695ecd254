#!/bin/sh
# SPDX-License-Identifier: MIT
# Compile-fail tests of the typed conveniences: each snippet NAME.cpp must
# fail to compile, and the compiler's output must match every line
# "// expect: REGEX" of the snippet (grep -E), so the error is the one a
# user should see and not another. control.cpp must compile.
# Usage: check.sh CXX INCLUDE_DIR SNIPPET...
set -u
cxx=$1 inc=$2
shift 2
out=$(mktemp)
trap 'rm -f "$out"' EXIT
fail=0
for src in "$@"; do
  name=$(basename "$src" .cpp)
  if "$cxx" -std=c++20 -fsyntax-only -I"$inc" "$src" >"$out" 2>&1; then
    if [ "$name" != control ]; then
      echo "FAIL $name: compiled, expected a compile error"; fail=1; continue
    fi
  elif [ "$name" = control ]; then
    echo "FAIL control: does not compile:"; cat "$out"; fail=1; continue
  fi
  [ "$name" = control ] && { echo "ok   control"; continue; }
  ok=1
  grep '^// expect: ' "$src" | sed 's|^// expect: ||' > "$out.re"
  while IFS= read -r re; do
    if ! grep -Eq -- "$re" "$out"; then
      echo "FAIL $name: no line of the compiler's output matches: $re"; ok=0
    fi
  done < "$out.re"
  rm -f "$out.re"
  if [ $ok = 1 ]; then
    echo "ok   $name"
  else
    fail=1; sed 's/^/    /' "$out" | head -40
  fi
done
exit $fail
