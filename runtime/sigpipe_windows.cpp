// SPDX-License-Identifier: MIT
// SIGPIPE on Windows: there is none. A write to a pipe whose reader is
// gone fails (ERROR_NO_DATA, ERROR_BROKEN_PIPE; the C runtime says EPIPE)
// and nothing else happens to the process, which is what sigpipe_unix.cpp
// works to obtain on Linux. So there is nothing to block, and a write
// without SIGPIPE is a plain write.
#include "runtime/sigpipe.hpp"

#include "runtime/os.hpp"

namespace cbridge::rt {

void blockSigpipe() {}

ptrdiff_t writeNoSigpipe(int fd, const void* buf, size_t n) { return write1(fd, buf, n); }

}  // namespace cbridge::rt
