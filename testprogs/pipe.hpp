// SPDX-License-Identifier: MIT
// A pipe as a pair of C runtime file descriptors, for scenarios that read
// their own output: pipe() on POSIX systems (pipe_unix.cpp), the C
// runtime's _pipe on Windows (pipe_windows.cpp).
#pragma once

namespace testprog {

// openPipe makes a pipe, fds[0] its read end and fds[1] its write end, as
// pipe() does, and returns 0, or -1 if it could not.
int openPipe(int fds[2]);

}  // namespace testprog
