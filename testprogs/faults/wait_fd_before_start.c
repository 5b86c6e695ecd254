/* SPDX-License-Identifier: MIT */
/* cbridge_wait_fd from a plain thread before anything started the runtime
 * (issue #11.4) starts it, as Go's runtime runs before main: readiness
 * and deadlines work. Before the fix nothing polled and the wait never
 * returned (here: SIGALRM after 20 s). Prints PASS. */
#include <cbridge/cbridge.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

static int fds[2];

static void* writer(void* arg) {
  (void)arg;
  usleep(20000);
  if (write(fds[1], "x", 1) != 1) return (void*)1;
  return NULL;
}

int main(void) {
  pthread_t t;
  int empty[2], r;
  alarm(20);
  if (pipe(fds) != 0 || pipe(empty) != 0) return 1;
  r = cbridge_wait_fd(empty[0], CBRIDGE_WAIT_READ, 20000000);
  if (r != -ETIMEDOUT) {
    printf("FAIL: a 20 ms wait on an empty pipe returned %d, want -ETIMEDOUT\n", r);
    return 1;
  }
  pthread_create(&t, NULL, writer, NULL);
  r = cbridge_wait_fd(fds[0], CBRIDGE_WAIT_READ, -1);
  pthread_join(t, NULL);
  if (r != 0) {
    printf("FAIL: the wait for a byte returned %d (%s)\n", r, cbridge_last_error());
    return 1;
  }
  printf("PASS\n");
  return 0;
}
