/* SPDX-License-Identifier: MIT */
/* A task whose frames are larger than a page overflows its stack (#11.7).
 *
 * task_stack_overflow KIB [SHIFT]: a task takes SHIFT bytes of stack, then
 * recurses with a KIB-KiB frame, touching the frame's lowest byte first —
 * the write that, without page probes, lands KIB KiB below the old stack
 * pointer (SHIFT moves where the last frame that fits ends, so where
 * that write lands). Whatever KIB, the process
 * must die with "fatal error: stack overflow in task N" (exit 2): never
 * write into a neighbouring task's stack (four tasks keep a canary on
 * theirs and check it) and never die by a bare SIGSEGV. Built twice: with
 * -fstack-clash-protection (as cbridge's package asks) and without it
 * (task_stack_overflow_noprobe.c), where frames up to the 64 KiB guard
 * must be caught as well. Prints nothing if it works. */
#include <cbridge/cbridge.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "deep_frames.h"

DEEP(16)
DEEP(40)
DEEP(100)

static int kib;
static int shift;

static void overflow(void *arg) {
  (void)arg;
  cbridge_sleep_ns(10000000); /* until the neighbours run */
  volatile char pad[shift + 1];
  pad[0] = 0;
  switch (kib) {
    case 16: deep16(0); break;
    case 40: deep40(0); break;
    case 100: deep100(0); break;
  }
  fprintf(stderr, "not reached: the recursion returned (%d)\n", pad[0]);
  _exit(1);
}

/* A neighbour: a canary on its stack, checked while the overflow runs. */
static void neighbour(void *arg) {
  (void)arg;
  volatile unsigned char canary[2048];
  for (size_t i = 0; i < sizeof canary; i++) canary[i] = (unsigned char)(i * 7 + 1);
  for (;;) {
    cbridge_sleep_ns(1000000);
    for (size_t i = 0; i < sizeof canary; i++)
      if (canary[i] != (unsigned char)(i * 7 + 1)) {
        fprintf(stderr, "a neighbouring task's stack was overwritten\n");
        _exit(3);
      }
  }
}

int main(int argc, char **argv) {
  kib = argc >= 2 ? atoi(argv[1]) : 0;
  shift = argc >= 3 ? atoi(argv[2]) : 0;
  if ((kib != 16 && kib != 40 && kib != 100) || shift < 0 || shift > 65536) {
    fprintf(stderr, "usage: task_stack_overflow 16|40|100 [SHIFT]\n");
    return 64;
  }
  /* The overflowing task's stack first: the neighbours' stacks, mapped
   * after it, lie below it, where an overflow that jumps its guard lands. */
  cbridge_go(overflow, NULL);
  for (int i = 0; i < 4; i++) cbridge_go(neighbour, NULL);
  cbridge_sleep_ns(20LL * 1000000000);
  fprintf(stderr, "not reached: the overflow did not end the process\n");
  return 1;
}
