// SPDX-License-Identifier: MIT
// openPipe on Windows: the C runtime's _pipe, in binary mode (the bytes
// read are the bytes written, as on POSIX), with a buffer large enough
// that a writer is not held up while a line is read.
#include <fcntl.h>
#include <io.h>

#include "testprogs/pipe.hpp"

int testprog::openPipe(int fds[2]) { return _pipe(fds, 64 * 1024, _O_BINARY); }
