/* SPDX-License-Identifier: MIT */
/* The foreign call QuitPrintsEveryTask's dump shows blocked
   (scenarios_observe_unix.cpp): read(2) on a POSIX pipe. */
#include <unistd.h>

#include "observe_foreign.h"

int observe_read_in_c(int fd) {
  char c;
  return (int)read(fd, &c, 1);
}
