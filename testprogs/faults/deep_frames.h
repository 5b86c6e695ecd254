/* SPDX-License-Identifier: MIT */
/* Endless recursion with frames of a chosen size, for the stack-overflow
 * fault programs: DEEP(KIB) defines deepKIB(depth), whose frame holds KIB
 * KiB, written at its lowest byte first — the write that, without page
 * probes, lands KIB KiB below the caller's stack pointer. */
#ifndef DEEP_FRAMES_H
#define DEEP_FRAMES_H

/* Far beyond any stack; volatile, so the recursion is not seen as endless. */
static volatile int limit = 1 << 30;

/* noinline: GCC would inline the recursion into itself, several frames in
 * one. */
#define DEEP(KIB)                                                     \
  __attribute__((noinline)) static int deep##KIB(int depth) {         \
    volatile char frame[(KIB) * 1024];                                \
    frame[0] = (char)depth;                                           \
    frame[sizeof frame - 1] = (char)depth;                            \
    if (depth >= limit) return frame[0];                              \
    return deep##KIB(depth + 1) + frame[0] + frame[sizeof frame - 1]; \
  }

#endif
