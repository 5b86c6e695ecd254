/* SPDX-License-Identifier: MIT */
/* Foreign code for the observability scenarios (scenarios_observe.cpp,
   scenarios_observe_unix.cpp): observe_foreign.c, portable, and
   observe_foreign_unix.c. */
#ifndef TESTPROGS_OBSERVE_FOREIGN_H
#define TESTPROGS_OBSERVE_FOREIGN_H

#ifdef __cplusplus
extern "C" {
#endif

/* observe_read_in_c blocks in read(2) on fd until a byte comes
   (observe_foreign_unix.c). */
int observe_read_in_c(int fd);
/* A null pointer the compiler cannot see is null. */
extern int *volatile observe_null;
/* observe_fault_in_c writes through observe_null. */
void observe_fault_in_c(void);

#ifdef __cplusplus
}
#endif

#endif
