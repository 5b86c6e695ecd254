// SPDX-License-Identifier: MIT
// callback_test's foreign side on Linux (callback_test_foreign.h), the
// equivalents of the Windows one: a pool of 4 std::threads for the thread
// pool, ucontext coroutines (makecontext, swapcontext) on malloc'd stacks
// for the fibers, std::threads for CreateThread.
#include <ucontext.h>

#include <atomic>
#include <condition_variable>
#include <cstdlib>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

#include "callback_test_foreign.h"

namespace {

struct Pool {
  std::mutex mu;
  std::condition_variable cv;
  std::deque<int> jobs;
  bool closing = false;
  std::vector<std::thread> threads;
};
Pool* pool;
void (*poolJob)(int);
std::atomic<int> poolThreads{0};

void worker() {
  bool ran = false;
  for (;;) {
    std::unique_lock<std::mutex> l(pool->mu);
    pool->cv.wait(l, [] { return pool->closing || !pool->jobs.empty(); });
    if (pool->jobs.empty()) return;
    int i = pool->jobs.front();
    pool->jobs.pop_front();
    l.unlock();
    if (!ran) {
      ran = true;
      poolThreads.fetch_add(1);
    }
    poolJob(i);
  }
}

// The coroutines' scheduler, one per cbt_fibers thread.
struct Coroutines {
  void (*cb)(int);
  int rounds;
  ucontext_t main;
  std::vector<ucontext_t> coros;
};
thread_local Coroutines* current;

// makecontext passes ints: the index.
void coroBody(int index) {
  Coroutines* s = current;
  for (int r = 0; r < s->rounds; r++) {
    s->cb(index);
    swapcontext(&s->coros[size_t(index)], &s->main);
  }
}

void runOn(ucontext_t* uc, ucontext_t* link, char* stack, size_t size, void (*fn)(int), int arg) {
  getcontext(uc);
  uc->uc_stack.ss_sp = stack;
  uc->uc_stack.ss_size = size;
  uc->uc_link = link;
  makecontext(uc, reinterpret_cast<void (*)()>(fn), 1, arg);
}

void fibersThread(Coroutines* s) {
  current = s;
  constexpr size_t kStack = 256 * 1024;
  std::vector<char*> stacks;
  for (size_t i = 0; i < s->coros.size(); i++) {
    stacks.push_back(static_cast<char*>(std::malloc(kStack)));
    runOn(&s->coros[i], &s->main, stacks.back(), kStack, coroBody, int(i));
  }
  // rounds + 1: the last lets every coroutine return (to main, uc_link).
  for (int r = 0; r <= s->rounds; r++)
    for (auto& c : s->coros) swapcontext(&s->main, &c);
  for (char* st : stacks) std::free(st);
  s->cb(-1);  // the thread's own stack again
}

void (*exitCb)(int);

void exitBody(int) { exitCb(1); }

}  // namespace

extern "C" {

int cbt_pool_submit(void (*job)(int), int n) {
  poolJob = job;
  pool = new Pool;
  {
    std::lock_guard<std::mutex> l(pool->mu);
    for (int i = 0; i < n; i++) pool->jobs.push_back(i);
  }
  for (int t = 0; t < 4; t++) pool->threads.emplace_back(worker);
  return 0;
}

int cbt_pool_threads() { return poolThreads.load(); }

void cbt_pool_close() {
  {
    std::lock_guard<std::mutex> l(pool->mu);
    pool->closing = true;
  }
  pool->cv.notify_all();
  for (auto& t : pool->threads) t.join();
  delete pool;
}

void cbt_fibers(void (*cb)(int), int fibers, int rounds) {
  Coroutines s{cb, rounds, {}, std::vector<ucontext_t>(size_t(fibers))};
  std::thread(fibersThread, &s).join();
}

void cbt_exit_on_fiber(void (*cb)(int)) {
  exitCb = cb;
  std::thread([] {
    exitCb(0);
    ucontext_t main, co;
    constexpr size_t kStack = 64 * 1024;
    char* stack = static_cast<char*>(std::malloc(kStack));
    runOn(&co, &main, stack, kStack, exitBody, 0);
    swapcontext(&main, &co);  // back when exitBody returns (uc_link)
    std::free(stack);
  }).join();
}
}
