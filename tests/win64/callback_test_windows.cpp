// SPDX-License-Identifier: MIT
// callback_test's foreign side on Windows (callback_test_foreign.h): a
// private Win32 thread pool fed through TrySubmitThreadpoolCallback,
// fibers (ConvertThreadToFiber, CreateFiber, SwitchToFiber, DeleteFiber),
// and threads from CreateThread, none of them made by the runtime.
#ifndef _WIN32_WINNT
#define _WIN32_WINNT 0x0A00
#endif
#include <windows.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "callback_test_foreign.h"

namespace {

void die(const char* what) {
  std::printf("callback_test: %s failed (error %lu)\n", what, GetLastError());
  std::fflush(stdout);
  std::exit(1);
}

// The pool: its own, so that its threads are its own (at most 4) and
// closing it waits for them.
PTP_POOL pool;
TP_CALLBACK_ENVIRON env;
PTP_CLEANUP_GROUP cleanup;
void (*poolJob)(int);
std::atomic<int> poolThreads{0};
thread_local bool ranJob = false;

void CALLBACK runJob(PTP_CALLBACK_INSTANCE, void* ctx) {
  if (!ranJob) {
    ranJob = true;
    poolThreads.fetch_add(1);
  }
  poolJob(int(reinterpret_cast<intptr_t>(ctx)));
}

HANDLE startThread(LPTHREAD_START_ROUTINE fn, void* arg) {
  HANDLE h = CreateThread(nullptr, 0, fn, arg, 0, nullptr);
  if (h == nullptr) die("CreateThread");
  return h;
}

void join(HANDLE h) {
  WaitForSingleObject(h, INFINITE);
  CloseHandle(h);
}

// The fibers' scheduler, one per cbt_fibers thread.
struct Fibers {
  void (*cb)(int);
  int rounds;
  void* main;
  std::vector<void*> fibers;
};

struct FiberStart {
  Fibers* s;
  int index;
};

void CALLBACK fiberBody(void* p) {
  auto* f = static_cast<FiberStart*>(p);
  for (int r = 0; r < f->s->rounds; r++) {
    f->s->cb(f->index);
    SwitchToFiber(f->s->main);
  }
  SwitchToFiber(f->s->main);  // done: a fiber must not return
}

DWORD WINAPI fibersThread(void* p) {
  auto* s = static_cast<Fibers*>(p);
  s->main = ConvertThreadToFiber(nullptr);
  if (s->main == nullptr) die("ConvertThreadToFiber");
  std::vector<FiberStart> starts(s->fibers.size());
  for (size_t i = 0; i < s->fibers.size(); i++) {
    starts[i] = {s, int(i)};
    // 256 KiB stacks, each a reservation of its own.
    s->fibers[i] = CreateFiber(256 * 1024, fiberBody, &starts[i]);
    if (s->fibers[i] == nullptr) die("CreateFiber");
  }
  // rounds + 1: the last lets every fiber finish.
  for (int r = 0; r <= s->rounds; r++)
    for (void* f : s->fibers) SwitchToFiber(f);
  for (void* f : s->fibers) DeleteFiber(f);
  s->cb(-1);  // the thread's own stack again
  if (!ConvertFiberToThread()) die("ConvertFiberToThread");
  return 0;
}

void (*exitCb)(int);
void* exitMain;

void CALLBACK exitFiberBody(void*) {
  exitCb(1);
  ExitThread(0);  // on the fiber: the thread ends here
}

DWORD WINAPI exitThread(void*) {
  exitCb(0);
  exitMain = ConvertThreadToFiber(nullptr);
  if (exitMain == nullptr) die("ConvertThreadToFiber");
  void* f = CreateFiber(64 * 1024, exitFiberBody, nullptr);
  if (f == nullptr) die("CreateFiber");
  SwitchToFiber(f);
  return 1;  // not reached
}

}  // namespace

extern "C" {

int cbt_pool_submit(void (*job)(int), int n) {
  poolJob = job;
  pool = CreateThreadpool(nullptr);
  if (pool == nullptr) die("CreateThreadpool");
  SetThreadpoolThreadMaximum(pool, 4);
  if (!SetThreadpoolThreadMinimum(pool, 1)) die("SetThreadpoolThreadMinimum");
  cleanup = CreateThreadpoolCleanupGroup();
  if (cleanup == nullptr) die("CreateThreadpoolCleanupGroup");
  InitializeThreadpoolEnvironment(&env);
  SetThreadpoolCallbackPool(&env, pool);
  SetThreadpoolCallbackCleanupGroup(&env, cleanup, nullptr);
  int failed = 0;
  for (int i = 0; i < n; i++)
    if (!TrySubmitThreadpoolCallback(runJob, reinterpret_cast<void*>(intptr_t(i)), &env)) failed++;
  return failed;
}

int cbt_pool_threads() { return poolThreads.load(); }

void cbt_pool_close() {
  CloseThreadpoolCleanupGroupMembers(cleanup, FALSE, nullptr);
  CloseThreadpoolCleanupGroup(cleanup);
  DestroyThreadpoolEnvironment(&env);
  CloseThreadpool(pool);
}

void cbt_fibers(void (*cb)(int), int fibers, int rounds) {
  Fibers s{cb, rounds, nullptr, std::vector<void*>(size_t(fibers))};
  join(startThread(fibersThread, &s));
}

void cbt_exit_on_fiber(void (*cb)(int)) {
  exitCb = cb;
  join(startThread(exitThread, nullptr));
}
}
