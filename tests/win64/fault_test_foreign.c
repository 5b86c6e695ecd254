/* SPDX-License-Identifier: MIT */
/* fault_test's foreign code: C functions that fault, called through
 * cbridge::call on the system stack. */

/* Never reached: keeps the recursion from being an infinite loop the
 * compiler may assume away. */
volatile int fault_stop = -1;

/* Recurses 1 KiB a call until the stack ends. */
int fault_recurse(int n) {
  volatile char frame[1024];
  frame[0] = (char)n;
  if (n == fault_stop) return 0;
  return fault_recurse(n + 1) + frame[0];
}

int fault_deref(int* p) { return *(volatile int*)p; }

/* Calls back into managed code: a callback nested in a foreign call. */
int fault_call_back(int (*cb)(int*), int* p) { return cb(p); }
