// SPDX-License-Identifier: MIT
// The task dump's public face: cbridge::dump and cbridge_dump.
#include "cbridge/cbridge.h"
#include "cbridge/runtime.hpp"
#include "runtime/dump.hpp"

namespace cbridge {

void dump(std::FILE* out) {
  std::fflush(out);
  rt::dumpAll(fileno(out));
}

}  // namespace cbridge

int cbridge_dump(int fd) {
  if (fd < 0) return CBRIDGE_ERR_ARGUMENT;
  cbridge::rt::dumpAll(fd);
  return CBRIDGE_OK;
}
