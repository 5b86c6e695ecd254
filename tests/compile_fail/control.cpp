// SPDX-License-Identifier: MIT
// The control: what the snippets above get wrong, written right, must
// compile (so a failure of theirs is theirs, not a broken include path).
// expect: OK
#include <cbridge/callback.hpp>
#include <cbridge/library.hpp>
typedef int (*int_cb)(int);
typedef int (*log_fn)(const char* fmt, ...);
struct Flags { unsigned a; unsigned b; };
enum Mode { A, B };
void f() {
  cbridge::Callback<int_cb> a([](int x) { return x; });
  cbridge::Callback<void(Flags, Mode, const char*)> b([](Flags, Mode, const char*) {});
  cbridge::Library lib("libc.so.6");
  auto printf_ = lib.get<log_fn>("printf");
  auto cos_ = lib.get<double(double) noexcept>("cos");
  auto vprintf_ = lib.get<int (*)(const char*, ...) noexcept>("printf");
  (void)printf_, (void)cos_, (void)vprintf_;
}
