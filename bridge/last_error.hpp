// The text behind cbridge_last_error(): per task when called from one (a
// task may move between threads), else per thread.
#pragma once

#include <string>

namespace cbridge::bridge {

void setLastError(std::string what);
const char* lastErrorText();

}  // namespace cbridge::bridge
