// SPDX-License-Identifier: MIT
#pragma once

#include <map>
#include <string>

namespace testprog {

// A Scenario prints what its test compares and returns the exit status
// (scenarios that die never return).
using Scenario = int (*)();

std::map<std::string, Scenario>& registry();

struct Register {
  Register(const char* name, Scenario fn);
};

}  // namespace testprog
