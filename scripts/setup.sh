#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Installs what cbridge needs from Debian's packages, and nothing when all
# of it is there. Usage: scripts/setup.sh [--bench]
#   --bench  also the benchmark peers (Go 1.19, openjdk-17 for JNI, python3 for ctypes)
#            and strace (system calls per echo round trip)
set -euo pipefail

pkgs=(g++ cmake ninja-build pkg-config libffi-dev libboost-context-dev libboost-fiber-dev libgtest-dev
  libbenchmark-dev libboost-dev clang libclang-rt-14-dev valgrind spin
  # The examples' C libraries, the API reference and the ABI check.
  libsqlite3-dev libuv1-dev libcurl4-openssl-dev doxygen abigail-tools liburing-dev
  # Tracebacks of parked tasks (issue 17): libunwind walks a saved context.
  libunwind-dev
  # The Windows part of the tests (scripts/test-windows): the mingw-w64
  # cross compiler, and Wine to run what it builds.
  g++-mingw-w64-x86-64-posix wine64)
if [[ "${1:-}" == "--bench" ]]; then
  # JNI and ctypes peers of the callback rows: the JDK is big, so only here.
  # strace counts the echo's system calls (bench/compare.py's syscalls part).
  pkgs+=(golang-1.19-go python3 openjdk-17-jdk-headless strace)
fi

missing=()
for p in "${pkgs[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if ((${#missing[@]})); then
  sudo=()
  if [[ $(id -u) -ne 0 ]]; then
    if command -v sudo >/dev/null 2>&1; then
      sudo=(sudo)
    else
      echo "setup: missing Debian packages: ${missing[*]}; run as root or install them with apt-get" >&2
      exit 1
    fi
  fi
  echo "setup: installing ${missing[*]}"
  if ! { "${sudo[@]}" apt-get update -qq && DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null; }; then
    echo "setup: apt-get could not install: ${missing[*]}" >&2
    exit 1
  fi
fi

# Each task stack with a guard region costs the process two memory
# mappings, and the runtime keeps a sixteenth of vm.max_map_count for the
# rest of the process: Linux's default (65530) allows about 30,000 guarded
# stacks. Past that the runtime says so once and gives new stacks no guard
# (they then cost ~no mappings). The tests run 100,000 live tasks, so
# raise the limit where we may.
want=262144
have=$(cat /proc/sys/vm/max_map_count 2>/dev/null || echo "$want")
if ((have < want)); then
  if [[ -w /proc/sys/vm/max_map_count ]]; then
    echo "$want" > /proc/sys/vm/max_map_count
    echo "setup: raised vm.max_map_count from $have to $want"
  else
    echo "setup: vm.max_map_count is $have; past ~$(((have - have / 16) / 2)) live tasks new stacks get no guard region (raise it: sysctl -w vm.max_map_count=$want)"
  fi
fi
