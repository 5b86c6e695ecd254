/* SPDX-License-Identifier: MIT */
/* A second waiter on an fd must not unregister the first (issue #11.5).
 *
 * A thread waits to read a pipe; the main thread then tries to wait on
 * the same fd, for reading and for writing, and gets -EEXIST each time
 * (one waiter per fd, cbridge.h). Then it writes a byte: the first waiter
 * must still wake. Before the fix the failed registration deleted the
 * first waiter's epoll entry and it slept for ever (here: SIGALRM after
 * 20 s). Prints PASS. */
#include <cbridge/cbridge.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

static int fds[2];

static void* waiter(void* arg) {
  int rc;
  (void)arg;
  /* The main thread's probe may hold the registration for a moment. */
  while ((rc = cbridge_wait_fd(fds[0], CBRIDGE_WAIT_READ, -1)) == -EEXIST) {
  }
  return (void*)(long)rc;
}

int main(void) {
  pthread_t t;
  void* rc;
  int r, tries = 0;
  alarm(20);
  if (pipe(fds) != 0) return 1;
  pthread_create(&t, NULL, waiter, NULL);
  /* Until the waiter is registered, this wait registers itself and times
   * out; once the waiter is, it fails at once with -EEXIST. */
  while ((r = cbridge_wait_fd(fds[0], CBRIDGE_WAIT_READ, 1000000)) != -EEXIST) {
    if (r != -ETIMEDOUT || ++tries == 10000) {
      printf("FAIL: probe returned %d (%s)\n", r, cbridge_last_error());
      return 1;
    }
  }
  r = cbridge_wait_fd(fds[0], CBRIDGE_WAIT_WRITE, 1000000);
  if (r != -EEXIST) {
    printf("FAIL: a write wait on the same fd returned %d, want -EEXIST\n", r);
    return 1;
  }
  if (write(fds[1], "x", 1) != 1) return 1;
  pthread_join(t, &rc);
  if ((long)rc != 0) {
    printf("FAIL: the first waiter returned %ld\n", (long)rc);
    return 1;
  }
  printf("PASS\n");
  return 0;
}
