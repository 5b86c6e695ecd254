// SPDX-License-Identifier: MIT
// A C++ user of the shared library (libcbridge.dll crossed, libcbridge.so
// natively): what crosses the boundary besides C calls. Exceptions thrown
// in the library and caught by type here (cbridge::SignatureError, also as
// its std:: base, cbridge::ChannelClosed), std::string in and out
// (ForeignFunction's signature), and an exported class used across it. A
// DLL with a libstdc++ of its own agrees with the program's only when both
// come from the same toolchain, as here.
#include <cbridge/chan.hpp>
#include <cbridge/dynamic.hpp>
#include <cbridge/errors.hpp>
#include <cbridge/task.hpp>
#include <cbridge/waitgroup.hpp>

#include <cstdio>
#include <stdexcept>
#include <string>

namespace {
int add(int a, int b) { return a + b; }
}  // namespace

int main() {
  try {
    cbridge::ForeignFunction f(reinterpret_cast<void*>(add), "int(int,");
    std::puts("FAIL: no exception for a bad signature");
    return 1;
  } catch (const cbridge::SignatureError& e) {
    std::printf("caught cbridge::SignatureError: %s\n", e.what());
  }
  try {
    cbridge::ForeignFunction f(reinterpret_cast<void*>(add), std::string("double(struct {int;"));
  } catch (const std::invalid_argument& e) {
    std::printf("caught as std::invalid_argument: %s\n", e.what());
  }
  cbridge::ForeignFunction f(reinterpret_cast<void*>(add), "int(int, int)");
  int a = 40, b = 2, r = 0;
  void* args[] = {&a, &b};
  f.call(&r, args);
  std::printf("ForeignFunction \"%s\", arity %zu: add(40, 2) = %d\n", f.signature().c_str(),
              static_cast<size_t>(f.arity()), r);
  int sum = cbridge::run([] {
    cbridge::Chan<int> c(1);
    cbridge::WaitGroup wg;
    wg.add(1);
    cbridge::go([&] {
      c.send(7);
      wg.done();
    });
    int v = c.recv().value_or(-1);
    wg.wait();
    c.close();
    try {
      c.send(1);
      std::puts("FAIL: no exception for a send on a closed channel");
    } catch (const cbridge::ChannelClosed& e) {
      std::printf("caught cbridge::ChannelClosed in a task: %s\n", e.what());
    }
    return v;
  });
  std::printf("a task's result through the channel: %d\n", sum);
  return 0;
}
