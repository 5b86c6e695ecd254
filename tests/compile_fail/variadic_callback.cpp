// SPDX-License-Identifier: MIT
// expect: F is variadic
#include <cbridge/callback.hpp>
void f() { cbridge::Callback<int(const char*, ...)> cb([](const char*) { return 0; }); }
