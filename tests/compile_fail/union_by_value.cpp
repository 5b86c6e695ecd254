// SPDX-License-Identifier: MIT
// expect: a union cannot be passed by value
// expect: CStruct<Number>
#include <cbridge/callback.hpp>
union Number { int i; float f; };
void f() { cbridge::Callback<void(Number)> cb([](Number) {}); }
