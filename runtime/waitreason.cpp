// SPDX-License-Identifier: MIT
#include "runtime/runtime2.hpp"

namespace cbridge::rt {

// Go's waitReasonStrings, where the two runtimes wait for the same thing.
const char* waitReasonString(WaitReason r) {
  switch (r) {
    case WaitReason::None: return "";
    case WaitReason::ChanReceive: return "chan receive";
    case WaitReason::ChanSend: return "chan send";
    case WaitReason::ChanNil: return "select (no cases)";
    case WaitReason::Select: return "select";
    case WaitReason::Sleep: return "sleep";
    case WaitReason::IoWait: return "IO wait";
    case WaitReason::IoBatch: return "IO batch";
    case WaitReason::WaitGroup: return "wait group";
    case WaitReason::Mutex: return "mutex lock";
    case WaitReason::TimerRunnerIdle: return "timer runner idle";
  }
  return "unknown";
}

}  // namespace cbridge::rt
