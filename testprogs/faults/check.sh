#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# check.sh [options] -- PROGRAM ARGS...: runs a fault program as a user
# runs one (lazy binding: LD_BIND_NOW is cleared) and checks how it ended.
#   --repeat N      run it N times; every run must pass (default 1)
#   --exit E        the exit status expected (default 0)
#   --stdout TEXT   stdout must equal TEXT (a trailing newline is added)
#   --stderr TEXT   stderr must contain TEXT (may be given more than once)
#   --no-stderr TEXT  stderr must not contain TEXT (may be given more than once)
#   --max-stderr-lines N  stderr has at most N lines
#   --env K=V       set K=V for the program (may be given more than once)
#   --timeout S     a run that takes longer than S seconds hangs (default 60)
# A run that dies by a signal, hangs or differs fails, and its output is
# printed.
set -uo pipefail
repeat=1 exit=0 stdout= have_stdout=0 maxlines= limit=60
stderr=() nostderr=() envs=()
while (($#)); do
  case "$1" in
    --repeat) repeat=$2; shift 2 ;;
    --exit) exit=$2; shift 2 ;;
    --stdout) stdout=$2; have_stdout=1; shift 2 ;;
    --stderr) stderr+=("$2"); shift 2 ;;
    --no-stderr) nostderr+=("$2"); shift 2 ;;
    --max-stderr-lines) maxlines=$2; shift 2 ;;
    --env) envs+=("$2"); shift 2 ;;
    --timeout) limit=$2; shift 2 ;;
    --) shift; break ;;
    *) echo "check.sh: unknown option $1" >&2; exit 64 ;;
  esac
done
unset LD_BIND_NOW
out=$(mktemp) err=$(mktemp)
trap 'rm -f "$out" "$err"' EXIT
for ((i = 1; i <= repeat; i++)); do
  timeout -k 5 "$limit" env "${envs[@]}" "$@" >"$out" 2>"$err" </dev/null
  rc=$?
  why=
  if ((rc == 124)); then
    why="hung: still running after ${limit} s"
  elif ((rc != exit)); then
    why="exit status $rc, want $exit"
    ((rc > 128)) && why+=" (signal $((rc - 128)))"
  elif ((have_stdout)) && [[ "$(cat "$out")" != "$stdout" ]]; then
    why="stdout differs; want: $stdout"
  fi
  for s in "${stderr[@]}"; do
    [[ -z "$why" ]] && ! grep -qF -- "$s" "$err" && why="stderr lacks: $s"
  done
  for s in "${nostderr[@]}"; do
    [[ -z "$why" ]] && grep -qF -- "$s" "$err" && why="stderr has: $s"
  done
  if [[ -z "$why" && -n "$maxlines" ]]; then
    n=$(wc -l <"$err")
    ((n > maxlines)) && why="stderr has $n lines, want at most $maxlines"
  fi
  if [[ -n "$why" ]]; then
    echo "run $i of $repeat of $*: $why"
    echo "--- stdout"; head -c 4000 "$out"
    echo "--- stderr"; head -c 4000 "$err"
    exit 1
  fi
done
echo "$repeat run(s) of $* passed"
