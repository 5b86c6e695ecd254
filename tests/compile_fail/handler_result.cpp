// SPDX-License-Identifier: MIT
// expect: handler is not callable with the parameters of F
// expect: CheckHandler<f\(\)::<lambda\(int\)>, int \(\*\)\(int\)>
#include <cbridge/callback.hpp>
typedef int (*int_cb)(int);
void f() { cbridge::Callback<int_cb> cb([](int) {}); }
