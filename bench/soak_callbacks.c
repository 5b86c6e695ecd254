/* SPDX-License-Identifier: MIT */
/* The callback soak: THREADS C threads call callbacks for SECONDS while
 * the main thread samples RSS every second. Each thread calls its own
 * callback, which parks its handler on every 64th call, and replaces it
 * (free, new) every 4,096 calls, so the extra Ms, the handlers' tasks and
 * the closures' lifetimes are all exercised. Prints one line a second and
 * a summary: calls/s and RSS growth from the end of the first second.
 *
 * soak_callbacks [SECONDS [THREADS]] (defaults 60, 16); scripts/soak-callbacks
 * builds and runs it. */
#include <cbridge/cbridge.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static atomic_long calls;
static atomic_long bad;
static atomic_int stop;

static void handler(void* ret, void** args, void* user) {
  (void)user;
  int x = *(int*)args[0];
  if (x % 64 == 0) cbridge_sleep_ns(1000);
  *(int*)ret = x + 1;
}

static void* caller(void* arg) {
  (void)arg;
  while (!atomic_load_explicit(&stop, memory_order_relaxed)) {
    cbridge_callback* cb = cbridge_callback_new("int(int)", handler, NULL);
    if (cb == NULL) {
      fprintf(stderr, "soak: cbridge_callback_new: %s\n", cbridge_last_error());
      exit(1);
    }
    int (*fn)(int) = (int (*)(int))cbridge_callback_fn(cb);
    for (int i = 0; i < 4096; i++)
      if (fn(i) != i + 1) atomic_fetch_add_explicit(&bad, 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&calls, 4096, memory_order_relaxed);
    cbridge_callback_free(cb);
  }
  return NULL;
}

static long rssKiB(void) {
  long pages = 0, rss = 0;
  FILE* f = fopen("/proc/self/statm", "r");
  if (f == NULL) return -1;
  if (fscanf(f, "%ld %ld", &pages, &rss) != 2) rss = -1;
  fclose(f);
  return rss < 0 ? -1 : rss * (sysconf(_SC_PAGESIZE) / 1024);
}

int main(int argc, char** argv) {
  int seconds = argc > 1 ? atoi(argv[1]) : 60;
  int nthreads = argc > 2 ? atoi(argv[2]) : 16;
  if (seconds < 2 || nthreads < 1) {
    fprintf(stderr, "usage: soak_callbacks [SECONDS>=2 [THREADS>=1]]\n");
    return 64;
  }
  pthread_t* th = malloc(sizeof(pthread_t) * (size_t)nthreads);
  for (int i = 0; i < nthreads; i++) pthread_create(&th[i], NULL, caller, NULL);
  long rss0 = 0, rssMax = 0, last = 0, callsAt1 = 0;
  for (int t = 1; t <= seconds; t++) {
    sleep(1);
    long rss = rssKiB(), n = atomic_load(&calls);
    if (t == 1) {
      rss0 = rss;
      callsAt1 = n;
    }
    if (rss > rssMax) rssMax = rss;
    printf("t=%ds calls/s=%ld rss=%ldKiB\n", t, n - last, rss);
    fflush(stdout);
    last = n;
  }
  atomic_store(&stop, 1);
  for (int i = 0; i < nthreads; i++) pthread_join(th[i], NULL);
  long rss1 = rssKiB();
  uint64_t ms = 0;
  cbridge_stat("ms_created", &ms);
  printf("soak: %d threads, %ds: %.0f calls/s; RSS %ld KiB after 1 s, %ld KiB at the end "
         "(growth %+ld KiB, peak %ld KiB); Ms created %llu; wrong results %ld\n",
         nthreads, seconds, (double)(last - callsAt1) / (seconds - 1), rss0, rss1, rss1 - rss0,
         rssMax, (unsigned long long)ms, atomic_load(&bad));
  free(th);
  return atomic_load(&bad) != 0;
}
