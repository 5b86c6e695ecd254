// Errors the runtime reports by exception: misuse that Go reports by panic.
#pragma once

#include <stdexcept>

namespace cbridge {

// ChannelClosed is thrown by a send on, or a close of, a closed channel
// (Go: "send on closed channel", "close of closed channel"). Uncaught in a
// task it is a fatal error with its message.
class ChannelClosed : public std::logic_error {
 public:
  using std::logic_error::logic_error;
};

}  // namespace cbridge
