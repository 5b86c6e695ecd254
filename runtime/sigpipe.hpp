// SPDX-License-Identifier: MIT
// SIGPIPE: a write to a pipe or FIFO whose reader is gone fails with EPIPE
// instead of killing the process, as in Go ("a write to a broken pipe on
// some other file descriptor [than 1 or 2] will take no action on the
// SIGPIPE signal, and the write will fail with an EPIPE error"). Sockets
// need none of this: cbridge sends on them with MSG_NOSIGNAL.
#pragma once

#include <cstddef>

namespace cbridge::rt {

// blockSigpipe blocks SIGPIPE on the calling thread, a runtime M (mstart),
// for its lifetime, so that task writes there cost nothing extra. Foreign
// code called on an M gets EPIPE too, as C code on a Go thread does. The
// threads of a host program keep their mask.
void blockSigpipe();

// writeNoSigpipe is write(2) on a non-socket fd without SIGPIPE. On an M
// it is a plain write; on any other thread (a callback handler's, a plain
// thread's) it blocks SIGPIPE around the write. After an EPIPE it takes
// the pending SIGPIPE off the thread, so nobody sees it later.
ptrdiff_t writeNoSigpipe(int fd, const void* buf, size_t n);

}  // namespace cbridge::rt
