/* SPDX-License-Identifier: MIT */
/* Foreign code for the preemption scenarios. */
#ifndef TESTPROGS_PREEMPT_FOREIGN_H
#define TESTPROGS_PREEMPT_FOREIGN_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* What foreign code saw: interrupted calls and sleeps that returned early. */
struct foreign_counts {
  long reads, sleeps, eintr, short_sleeps;
};

/* foreign_sleep sleeps ns with nanosleep, counting an EINTR or a short sleep. */
void foreign_sleep(int64_t ns, struct foreign_counts *c);
/* foreign_read_sleep reads one byte from fd (blocking), then sleeps. */
int foreign_read_sleep(int fd, int64_t sleep_ns, struct foreign_counts *c);
/* foreign_exit calls exit(code). */
void foreign_exit(int code);
/* foreign_thread_calls starts a C thread that calls fn after delay_ns. */
int foreign_thread_calls(void (*fn)(void), int64_t delay_ns);

#ifdef __cplusplus
}
#endif

#endif
