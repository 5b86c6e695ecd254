// SPDX-License-Identifier: MIT
// expect: it has bit-fields
// expect: CStruct<T>::append.*T = Flags
#include <cbridge/callback.hpp>
struct Flags { unsigned a : 3; unsigned b : 5; };
void f() { cbridge::Callback<void(Flags)> cb([](Flags) {}); }
