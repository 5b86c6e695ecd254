// SPDX-License-Identifier: MIT
// The text behind cbridge_last_error(): per task when called from one (a
// task may move between threads), else per thread.
#pragma once

#include <atomic>
#include <string>

namespace cbridge::bridge {

void setLastError(std::string what);
const char* lastErrorText();

// failWith records what as the last error and returns code: a failure
// that is a result (a timeout, a missing symbol), not a mistake.
int failWith(int code, std::string what);
// misuse is failWith for a mistake of the caller that it could have
// checked (a NULL argument, a double close): what is also printed on
// stderr, the first time *reported is false (once per process and kind).
int misuse(std::atomic<bool>* reported, int code, std::string what);

}  // namespace cbridge::bridge
