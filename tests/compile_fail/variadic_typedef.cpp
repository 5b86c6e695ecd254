// SPDX-License-Identifier: MIT
// expect: F is variadic
#include <cbridge/callback.hpp>
typedef int (*log_fn)(const char* fmt, ...);
void f() { cbridge::Callback<log_fn> cb([](const char*) { return 0; }); }
