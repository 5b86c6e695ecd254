// SPDX-License-Identifier: MIT
// expect: must be a C-like aggregate
// expect: CStruct<Point>
#include <cbridge/callback.hpp>
class Point { public: Point(int x) : x_(x) {} private: int x_; };
void f() { cbridge::Callback<void(Point)> cb([](Point) {}); }
