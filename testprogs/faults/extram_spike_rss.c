/* SPDX-License-Identifier: MIT */
/* A spike of C threads calling in gives its stack memory back (issue
 * #11.18). Each extra M keeps its task stack for the next thread; 1,000
 * threads with 64 KiB-deep handlers kept 66 MiB for good.
 *
 * extram_spike_rss N: N C threads at once call a callback whose handler
 * touches 64 KiB of its stack and parks; all are joined. Then
 *   - RSS (from /proc/self/statm) must have grown by less than a quarter of
 *     what the spike's extra Ms touched (their count times 64 KiB): beyond
 *     8 idle extra Ms, a thread that ends releases its M's stack;
 *   - extra_m_stacks_released must then grow by 8: the 8 idle extra Ms
 *     kept warm give their stacks back once sysmon saw none taken for a
 *     whole period (polled, with a watchdog).
 * Prints "PASS" or what was wrong. */
#include <cbridge/cbridge.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int (*cbfn)(int);
static pthread_barrier_t start;

static int deep(int depth) {
  volatile char frame[1024];
  memset((char*)frame, depth, sizeof frame);
  return depth == 0 ? frame[7] : deep(depth - 1) + frame[7];
}

static void handler(void* ret, void** args, void* user) {
  (void)user;
  int x = deep(64); /* about 64 KiB of the task's stack */
  cbridge_sleep_ns(20000000);
  *(int*)ret = *(int*)args[0] + (x & 0);
}

static void* caller(void* arg) {
  (void)arg;
  pthread_barrier_wait(&start);
  cbfn(1);
  return NULL;
}

static uint64_t rssBytes(void) {
  FILE* f = fopen("/proc/self/statm", "r");
  unsigned long size = 0, resident = 0;
  if (f == NULL || fscanf(f, "%lu %lu", &size, &resident) != 2) {
    fprintf(stderr, "cannot read /proc/self/statm\n");
    exit(1);
  }
  fclose(f);
  return (uint64_t)resident * (uint64_t)sysconf(_SC_PAGESIZE);
}

static uint64_t stat(const char* name) {
  uint64_t v = 0;
  cbridge_stat(name, &v);
  return v;
}

static void spike(int n) {
  pthread_t* ts = calloc((size_t)n, sizeof *ts);
  pthread_barrier_init(&start, NULL, (unsigned)n);
  for (int i = 0; i < n; i++)
    if (pthread_create(&ts[i], NULL, caller, NULL) != 0) {
      fprintf(stderr, "pthread_create failed\n");
      exit(1);
    }
  for (int i = 0; i < n; i++) pthread_join(ts[i], NULL);
  pthread_barrier_destroy(&start);
  free(ts);
}

int main(int argc, char** argv) {
  int n = argc > 1 ? atoi(argv[1]) : 200;
  cbridge_callback* cb = cbridge_callback_new("int(int)", handler, NULL);
  if (cb == NULL) return 1;
  cbfn = (int (*)(int))cbridge_callback_fn(cb);
  spike(16); /* warm up: malloc arenas, the runtime's own threads */
  uint64_t before = rssBytes();
  spike(n);
  uint64_t after = rssBytes();
  uint64_t ms = stat("extra_ms_idle");
  uint64_t touched = ms * 64 * 1024;
  if (ms < (uint64_t)n / 4) {
    printf("FAIL: only %llu extra Ms for %d threads: the spike did not overlap\n",
           (unsigned long long)ms, n);
    return 0;
  }
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
  /* The sanitizers' shadow of the touched stacks stays resident. */
  fprintf(stderr, "sanitizer build: RSS not checked\n");
  after = before;
#endif
  if (after > before && after - before >= touched / 4) {
    printf("FAIL: RSS grew %llu KiB after %llu extra Ms touched %llu KiB\n",
           (unsigned long long)((after - before) >> 10), (unsigned long long)ms,
           (unsigned long long)(touched >> 10));
    return 0;
  }
  uint64_t released = stat("extra_m_stacks_released");
  alarm(60); /* watchdog for the poll below */
  while (stat("extra_m_stacks_released") < released + 8) usleep(10000);
  cbridge_callback_free(cb);
  printf("PASS\n");
  return 0;
}
