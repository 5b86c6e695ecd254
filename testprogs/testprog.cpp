// SPDX-License-Identifier: MIT
// testprog NAME: runs one named scenario that a test must watch from
// outside (it crashes, exits, or checks process-wide state) and prints what
// the test compares. The scenarios live in scenarios_*.cpp and register
// themselves here.
#include "testprogs/testprog.hpp"

#include <cstdio>
#include <cstring>
#include <map>
#include <string>

namespace testprog {

std::map<std::string, Scenario>& registry() {
  static std::map<std::string, Scenario> r;
  return r;
}

Register::Register(const char* name, Scenario fn) { registry()[name] = fn; }

}  // namespace testprog

int main(int argc, char** argv) {
  auto& r = testprog::registry();
  if (argc != 2 || r.find(argv[1]) == r.end()) {
    std::fprintf(stderr, "usage: testprog NAME\nscenarios:\n");
    for (auto& [name, fn] : r) std::fprintf(stderr, "  %s\n", name.c_str());
    return 64;
  }
  int rc = r[argv[1]]();
  std::fflush(stdout);
  return rc;
}
