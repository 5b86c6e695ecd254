// SPDX-License-Identifier: MIT
// What the kernel orders through fds, told to ThreadSanitizer (Go's
// syscall.ioSync). A write to a pipe or socket happens before the read
// that returns its bytes, and before the poll that reports the reader
// ready; the runtime makes those system calls directly (rawio_linux.hpp), past
// ThreadSanitizer's interceptors, so without this every hand-off of data
// through an fd between two tasks or threads would be reported as a race.
#pragma once

#include "runtime/context.hpp"

namespace cbridge::rt {

#ifdef CBRIDGE_TSAN
extern "C" {
void __tsan_acquire(void* addr);
void __tsan_release(void* addr);
}
// One sync object for every fd, as Go's race detector has: coarse (it
// orders unrelated fds too, hiding no race of the runtime's own), cheap,
// and it needs no map from a writer's fd to its reader's pollDesc.
inline char tsanIoSync;
// tsanIoRelease runs before a write (release merges: writers are not
// ordered among themselves).
inline void tsanIoRelease() { __tsan_release(&tsanIoSync); }
// tsanIoAcquire runs after a read returned data, and when the poller hands
// a readied waiter over.
inline void tsanIoAcquire() { __tsan_acquire(&tsanIoSync); }
#else
inline void tsanIoRelease() {}
inline void tsanIoAcquire() {}
#endif

}  // namespace cbridge::rt
