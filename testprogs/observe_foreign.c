/* SPDX-License-Identifier: MIT */
#include "observe_foreign.h"

#include <unistd.h>

int observe_read_in_c(int fd) {
  char c;
  return (int)read(fd, &c, 1);
}

/* volatile: the compiler may not see that it is always null. */
int *volatile observe_null = 0;

void observe_fault_in_c(void) { *observe_null = 1; }
