#!/bin/sh
# SPDX-License-Identifier: MIT
# expect.sh STATUS STDOUT STDERR -- COMMAND...: runs COMMAND and checks
# its exit status, that its stdout is exactly STDOUT (one line, "" for
# none, "*" for anything) and that its stderr contains every line of STDERR (fixed strings).
# The cbridge-call tests (tools/CMakeLists.txt) are made of it.
set -u
want_status=$1 want_out=$2 want_err=$3
shift 4
out=$(mktemp) err=$(mktemp)
trap 'rm -f "$out" "$err"' EXIT
"$@" >"$out" 2>"$err"
status=$?
fail=0
if [ "$status" != "$want_status" ]; then echo "exit status $status, want $want_status"; fail=1; fi
if [ "$want_out" != "*" ] && [ "$(cat "$out")" != "$want_out" ]; then
  echo "stdout:"; cat "$out"; echo "want:"; printf '%s\n' "$want_out"; fail=1
fi
if [ -n "$want_err" ]; then
  printf '%s\n' "$want_err" | while IFS= read -r line; do
    grep -qF -- "$line" "$err" || { echo "stderr lacks: $line"; exit 1; }
  done || fail=1
elif [ -s "$err" ]; then
  echo "unexpected stderr:"; fail=1
fi
if [ $fail != 0 ]; then echo "stderr was:"; cat "$err"; fi
exit $fail
