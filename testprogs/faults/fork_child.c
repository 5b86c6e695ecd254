/* SPDX-License-Identifier: MIT */
/* fork() of a process whose runtime runs (issue #11.9). Only exec is
 * supported in the child, as in Go: every runtime entry there fails at
 * once with one line (printed once), instead of hanging (a callback) or
 * claiming success for a task that never runs (cbridge_go).
 *
 * fork_child WHAT: the parent starts the runtime (a task and a callback
 * that parks run), then forks; the child
 *   go        calls cbridge_go 3 times: CBRIDGE_ERR_SHUTDOWN each time;
 *   callback  calls a callback 3 times, from main and from a new thread:
 *             0 each time, its handler never runs;
 *   exec      execs this program with "exec-child", which starts a fresh
 *             runtime and runs a task and a parking callback.
 * The child reports on stdout; the parent waits for it (a watchdog alarm
 * kills a hung child) and prints "child ok" or why not. */
#include <cbridge/cbridge.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static atomic_int handled;
static atomic_int ran;
/* Kept in a global: it is in use when the process exits (not a leak). */
cbridge_callback* cb; /* not static: a store the compiler keeps */
static int (*cbfn)(int);

static void handler(void* ret, void** args, void* user) {
  (void)user;
  atomic_fetch_add(&handled, 1);
  cbridge_sleep_ns(1000000);
  *(int*)ret = *(int*)args[0] + 1;
}

static void task(void* arg) {
  (void)arg;
  atomic_fetch_add(&ran, 1);
}

static void* callFromThread(void* arg) {
  *(int*)arg = cbfn(1);
  return NULL;
}

/* Starts the runtime and uses it: a task and a parking callback. */
static int useRuntime(void) {
  cb = cbridge_callback_new("int(int)", handler, NULL);
  if (cb == NULL) return 0;
  cbfn = (int (*)(int))cbridge_callback_fn(cb);
  if (cbridge_go(task, NULL) != 0) return 0;
  if (cbfn(1) != 2) return 0;
  while (atomic_load(&ran) == 0) usleep(100);
  return 1;
}

static int child(const char* what, const char* self) {
  alarm(20); /* watchdog: a hang is a failure, not a ctest timeout */
  if (strcmp(what, "go") == 0) {
    for (int i = 0; i < 3; i++)
      if (cbridge_go(task, NULL) != CBRIDGE_ERR_SHUTDOWN) return 1;
    printf("go: CBRIDGE_ERR_SHUTDOWN x3\n");
  } else if (strcmp(what, "callback") == 0) {
    int before = atomic_load(&handled);
    int r1 = cbfn(1), r2 = cbfn(1), r3 = -1;
#if defined(__SANITIZE_THREAD__) || defined(__SANITIZE_ADDRESS__)
    /* The sanitizers' runtimes do not support new threads after a
     * multi-threaded fork (TSan refuses, ASan can deadlock in its own
     * locks): call from the main thread there. */
    callFromThread(&r3);
#else
    pthread_t t;
    pthread_create(&t, NULL, callFromThread, &r3);
    pthread_join(t, NULL);
#endif
    if (r1 != 0 || r2 != 0 || r3 != 0 || atomic_load(&handled) != before) return 1;
    printf("callback: 0 x3, handler not run\n");
  } else if (strcmp(what, "exec") == 0) {
    execl(self, self, "exec-child", (char*)NULL);
    return 1;
  }
  fflush(stdout);
  return 0;
}

int main(int argc, char** argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: fork_child go|callback|exec\n");
    return 64;
  }
  if (strcmp(argv[1], "exec-child") == 0) {
    int ok = useRuntime();
    printf("exec: fresh runtime %s\n", ok ? "works" : "FAILED");
    return ok ? 0 : 1;
  }
  if (!useRuntime()) {
    fprintf(stderr, "parent: runtime did not work\n");
    return 1;
  }
  fflush(stdout);
  pid_t pid = fork();
  if (pid == 0) {
    int status = child(argv[1], argv[0]);
#ifdef __SANITIZE_ADDRESS__
    /* LeakSanitizer cannot see the threads fork did not copy: false leaks. */
    fflush(stdout);
    _exit(status);
#endif
    exit(status); /* exit, not _exit: the exit handlers run in the child too */
  }
  int status = 0;
  waitpid(pid, &status, 0);
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
    printf("child ok\n");
  else if (WIFSIGNALED(status))
    printf("child died by signal %d\n", WTERMSIG(status));
  else
    printf("child failed with status %d\n", WEXITSTATUS(status));
  return 0;
}
