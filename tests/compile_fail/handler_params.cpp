// SPDX-License-Identifier: MIT
// expect: handler is not callable with the parameters of F.*CheckHandler<Handler, F>
// expect: CheckHandler<f\(\)::<lambda\(int\)>, void\(const char\*\)>
#include <cbridge/callback.hpp>
void f() { cbridge::Callback<void(const char*)> cb([](int) {}); }
