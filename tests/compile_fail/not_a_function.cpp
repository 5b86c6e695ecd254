// SPDX-License-Identifier: MIT
// expect: F must be a C function type
#include <cbridge/callback.hpp>
void f() { cbridge::Callback<int> cb([](int) { return 0; }); }
