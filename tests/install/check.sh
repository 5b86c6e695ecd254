#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Installs the build into a scratch prefix, then builds and runs a consumer
# with find_package(cbridge CONFIG) and with pkg-config: C++ and C, against
# libcbridge.so and against libcbridge.a.
# Usage: check.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
build=$1
src=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cmake --install "$build" --prefix "$work/prefix" >/dev/null
cmake -S "$src/tests/install" -B "$work/consumer" -G Ninja -DCMAKE_PREFIX_PATH="$work/prefix" >/dev/null
cmake --build "$work/consumer" >/dev/null
LD_LIBRARY_PATH="$work/prefix/lib" "$work/consumer/consumer"
# cbridge::cbridge_static, from C++ and from C: linked from libcbridge.a,
# with nothing of libcbridge.so.
needs_no_so() {
  if readelf -d "$1" | grep -q 'NEEDED.*libcbridge'; then
    echo "$1 needs libcbridge.so: not linked from libcbridge.a"
    exit 1
  fi
}
for p in consumer_static consumer_c_static; do
  needs_no_so "$work/consumer/$p"
  "$work/consumer/$p"
done
libdir=$(dirname "$(find "$work/prefix" -name cbridge.pc)")
pc() { PKG_CONFIG_PATH="$libdir" pkg-config "$@" cbridge; }
g++ -std=c++20 "$src/tests/install/consumer.cpp" -o "$work/pc-consumer" $(pc --cflags --libs)
LD_LIBRARY_PATH="$(dirname "$libdir")" "$work/pc-consumer"
cc -std=c99 -Wall -Wextra -pedantic -Werror "$src/tests/install/consumer.c" -o "$work/pc-c-consumer" \
  $(pc --cflags --libs)
LD_LIBRARY_PATH="$(dirname "$libdir")" "$work/pc-c-consumer"
# The static archive through pkg-config --static: its Libs.private and
# Requires.private name all libcbridge.a needs (Boost.Context, libffi,
# libdl, threads and, for a C program's link, the C++ runtime). Linked
# all static (-static: the linker takes every library's archive), and with
# libcbridge.a alone static (-l:libcbridge.a, GNU ld), from g++ and cc.
static_libs() { pc --static --libs | sed 's/-lcbridge /-l:libcbridge.a /'; }
g++ -std=c++20 -static "$src/tests/install/consumer.cpp" -o "$work/pc-static" $(pc --static --cflags --libs)
"$work/pc-static"
g++ -std=c++20 "$src/tests/install/consumer.cpp" -o "$work/pc-static-cbridge" $(pc --cflags) $(static_libs)
needs_no_so "$work/pc-static-cbridge"
"$work/pc-static-cbridge"
cc -std=c99 -static "$src/tests/install/consumer.c" -o "$work/pc-c-static" $(pc --static --cflags --libs)
"$work/pc-c-static"
cc -std=c99 "$src/tests/install/consumer.c" -o "$work/pc-c-static-cbridge" $(pc --cflags) $(static_libs)
needs_no_so "$work/pc-c-static-cbridge"
"$work/pc-c-static-cbridge"
# The examples, from the installed form: with find_package, then with
# pkg-config, each run once.
cmake -S "$src/tests/install/examples" -B "$work/examples" -G Ninja -DCMAKE_PREFIX_PATH="$work/prefix" \
  -DEXAMPLES="$src/examples" >/dev/null
cmake --build "$work/examples" >/dev/null
export LD_LIBRARY_PATH="$(dirname "$libdir")"
"$work/examples/threadpool" >/dev/null
"$work/examples/plugin_host" "$work/examples/libplugin.so" >/dev/null
pc() { PKG_CONFIG_PATH="$libdir" pkg-config "$@" cbridge; }
cc -c -O2 "$src/examples/threadpool/pool.c" -o "$work/pool.o" $(pc --cflags)
g++ -std=c++20 -O2 "$src/examples/threadpool/main.cpp" "$work/pool.o" -o "$work/pc-threadpool" $(pc --cflags --libs)
"$work/pc-threadpool" >/dev/null
cc -shared -fPIC -O2 "$src/examples/plugin_host/plugin.c" -o "$work/pc-plugin.so" $(pc --cflags --libs)
g++ -std=c++20 -O2 "$src/examples/plugin_host/host.cpp" -o "$work/pc-plugin-host" $(pc --cflags --libs) -ldl
"$work/pc-plugin-host" "$work/pc-plugin.so" >/dev/null
# The examples with real C libraries: the find_package builds, then each
# built by hand with pkg-config as its README says. quiet shows a run's
# output only when it fails.
quiet() { local out; out=$("$@" 2>&1) || { printf '%s\nfailed: %s\n' "$out" "$*"; return 1; }; }
quiet "$work/examples/sqlite/example_sqlite"
quiet "$work/examples/libuv/example_libuv"
quiet "$work/examples/openmp/example_openmp"
quiet "$work/examples/curl/example_curl"
quiet "$work/examples/coroutines/example_coroutines"
quiet "$work/examples/plugin_host_c/example_plugin_host_c" "$work/examples/plugin_host_c/libexample_plugin_c.so"
ex=$src/examples
g++ -std=c++20 "$ex/sqlite/main.cpp" -o "$work/pc-sqlite" $(pc --cflags --libs) $(pkg-config --cflags --libs sqlite3)
quiet "$work/pc-sqlite"
g++ -std=c++20 "$ex/libuv/main.cpp" -o "$work/pc-libuv" $(pc --cflags --libs) $(pkg-config --cflags --libs libuv)
quiet "$work/pc-libuv"
g++ -std=c++20 -fopenmp "$ex/openmp/main.cpp" -o "$work/pc-openmp" $(pc --cflags --libs)
quiet "$work/pc-openmp"
g++ -std=c++20 "$ex/curl/main.cpp" -o "$work/pc-curl" $(pc --cflags --libs) $(pkg-config --cflags --libs libcurl)
quiet "$work/pc-curl"
cc -c "$ex/coroutines/coro.c" -o "$work/coro.o"
g++ -std=c++20 "$ex/coroutines/main.cpp" "$work/coro.o" -o "$work/pc-coroutines" $(pc --cflags --libs) -lboost_fiber -lboost_context
quiet "$work/pc-coroutines"
cc -shared -fPIC "$ex/plugin_host_c/plugin.c" -o "$work/pc-plugin-c.so"
cc -std=c99 "$ex/plugin_host_c/host.c" -o "$work/pc-plugin-host-c" $(pc --cflags --libs) -lpthread
quiet "$work/pc-plugin-host-c" "$work/pc-plugin-c.so"
echo "install check passed"
