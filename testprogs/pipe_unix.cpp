// SPDX-License-Identifier: MIT
// openPipe on POSIX systems: pipe() itself.
#include <unistd.h>

#include "testprogs/pipe.hpp"

int testprog::openPipe(int fds[2]) { return pipe(fds); }
