// SPDX-License-Identifier: MIT
// Built against the installed package: proves the headers, the library and
// its link line are complete.
#include <cbridge/cbridge.hpp>

#include <cstdio>

int main() {
  cbridge::Chan<int> c;
  cbridge::go([c]() mutable {
    for (int i = 1; i <= 3; i++) c.send(i);
    c.close();
  });
  int sum = 0;
  while (auto v = c.recv()) sum += *v;
  std::printf("sum=%d\n", sum);
  return sum == 6 ? 0 : 1;
}
