// SPDX-License-Identifier: MIT
// libFuzzer target for the signature parser: any input either parses or
// is refused with SignatureError; nothing else may happen (no crash, no
// other exception, no sanitizer report).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "bridge/ctype.hpp"
#include "cbridge/errors.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string sig(reinterpret_cast<const char*>(data), size);
  try {
    cbridge::bridge::parseSignature(sig);
  } catch (const cbridge::SignatureError& e) {
    // The message must name the signature it is about.
    if (std::string(e.what()).rfind("signature \"", 0) != 0) std::abort();
  }
  return 0;
}
