/* SPDX-License-Identifier: MIT */
/* See preempt_spin.h. */
#include "preempt_spin.h"

#include <errno.h>
#ifdef _WIN32
#include <windows.h>
#endif

uint64_t spin_until(const volatile int *stop, int64_t (*now)(void), int64_t deadline) {
  uint64_t n = 0;
  for (;;) {
    n++;
    if (*stop) break;
    if ((n & 0xfffff) == 0 && now() >= deadline) break;
  }
  return n;
}

uint64_t regmix(uint64_t n) {
  uint64_t a0 = 1, a1 = 2, a2 = 3, a3 = 4, a4 = 5, a5 = 6, a6 = 7, a7 = 8, a8 = 9, a9 = 10,
           a10 = 11, a11 = 12;
  double f0 = 0, f1 = 1, f2 = 2, f3 = 3, f4 = 4, f5 = 5, f6 = 6, f7 = 7;
  for (uint64_t i = 0; i < n; i++) {
    a0 = a0 * 6364136223846793005u + a11;
    a1 ^= a0 >> 7;
    a2 += a1 * 3;
    a3 = (a3 << 5 | a3 >> 59) ^ a2;
    a4 += a3 ^ i;
    a5 = a5 * 31 + a4;
    a6 ^= a5 + 0x9e3779b97f4a7c15u;
    a7 += a6 >> 3;
    a8 = a8 * 5 + a7;
    a9 ^= a8 << 1;
    a10 += a9 ^ a0;
    a11 = a11 * 9 + (a10 >> 11);
    /* Small integers: every sum is exact, so the digest is too. */
    double d = (double)(i & 7);
    f0 += d;
    f1 += f0 * 0.0 + 1.0;
    f2 += d * 2.0;
    f3 -= d;
    f4 += (double)(a0 & 3);
    f5 += f4 > 0 ? 1.0 : 0.0;
    f6 += (double)(a5 & 1);
    f7 -= 1.0;
  }
  double fs = f0 + 2 * f1 + 3 * f2 + 5 * f3 + 7 * f4 + 11 * f5 + 13 * f6 + 17 * f7;
  return a0 ^ a1 ^ a2 ^ a3 ^ a4 ^ a5 ^ a6 ^ a7 ^ a8 ^ a9 ^ a10 ^ a11 ^ (uint64_t)(int64_t)fs;
}

/* errno's address is a const function of the thread (__errno_location,
 * _errno): within one function the compiler may keep the first thread's
 * address across regmix. Set and read in functions of their own, never
 * analysed across calls, each looks the address up afresh. */
__attribute__((noipa)) static void seterr(int v) {
  errno = v;
#ifdef _WIN32
  SetLastError((DWORD)v);
#endif
}

/* digest is regmix's, unused: as an argument of a call never analysed it
 * makes regmix run, and run before the error state is read. */
__attribute__((noipa)) static int errIs(int v, uint64_t digest) {
  (void)digest;
  int ok = errno == v;
#ifdef _WIN32
  ok = ok && GetLastError() == (DWORD)v;
#endif
  return ok;
}

int errkeep(int v, uint64_t n) {
  seterr(v);
  return errIs(v, regmix(n));
}
