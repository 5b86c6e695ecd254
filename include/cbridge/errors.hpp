// SPDX-License-Identifier: MIT
// Errors the runtime reports by exception: misuse that Go reports by panic.
#pragma once

#include <stdexcept>

#include "cbridge/export.h"

namespace cbridge {

// ChannelClosed is thrown by a send on, or a close of, a closed channel
// (Go: "send on closed channel", "close of closed channel"). Uncaught in a
// task it is a fatal error with its message.
class CBRIDGE_EXPORT ChannelClosed : public std::logic_error {
 public:
  using std::logic_error::logic_error;
};

// SignatureError is thrown for a signature string that does not parse;
// what() names the signature, the column and what was expected there.
class CBRIDGE_EXPORT SignatureError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

// LibraryError is thrown when a shared object or a symbol cannot be
// loaded; what() carries dlerror's text.
class CBRIDGE_EXPORT LibraryError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace cbridge
