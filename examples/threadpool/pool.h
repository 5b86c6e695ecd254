/* SPDX-License-Identifier: MIT */
/* A small C thread pool: the kind of library whose worker threads call
 * back into the host. Plain C, no knowledge of cbridge. */
#ifndef EXAMPLE_POOL_H
#define EXAMPLE_POOL_H

#ifdef __cplusplus
extern "C" {
#endif

/* pool_map runs fn(i) for i in [0, jobs) on `workers` threads of its own
 * and waits for them all. Returns 0, or -1 if a thread could not start. */
int pool_map(int workers, int jobs, void (*fn)(int job));

#ifdef __cplusplus
}
#endif

#endif
