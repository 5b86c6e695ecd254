/* SPDX-License-Identifier: MIT */
#include "observe_foreign.h"

/* volatile: the compiler may not see that it is always null. */
int *volatile observe_null = 0;

/* Not UBSan's to report (in the sanitizer builds): the fault is the test. */
__attribute__((no_sanitize("undefined"))) void observe_fault_in_c(void) { *observe_null = 1; }
