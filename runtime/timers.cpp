// SPDX-License-Identifier: MIT
// The timer heap and the operations on it; the protocol they follow is in
// timers.hpp.
#include "runtime/timers.hpp"

#include <cstdint>
#include <vector>

#include "runtime/fatal.hpp"
#include "runtime/lock.hpp"
#include "runtime/os.hpp"
#include "runtime/proc.hpp"

namespace cbridge::rt {

namespace {

// The heap of armed timers (the protocol is in timers.hpp): 4-ary, as
// Go's, with each timer's when kept in its entry, so that a sift compares
// the entries of one contiguous array instead of loading a Timer from
// wherever it lives per comparison (a cache miss each: siftdown was a
// fifth of a 100,000-timer storm's time). Invariant: heap[i].t->heapIndex
// == i, heap[i].when == heap[i].t->when and heap[i].t->status == Waiting
// for every i, and no other timer is Waiting; nextWhen == heap[0].when or
// 0. All under lock. nextWhen is also read without the lock as a hint: a
// reader that acts on it takes the lock.
struct Entry {
  int64_t when;
  Timer* t;
};

struct Timers {
  Lock lock{LockRank::Timers};
  std::vector<Entry> heap GUARDED_BY(lock);
  std::atomic<int64_t> nextWhen{0};
  int64_t internal GUARDED_BY(lock) = 0;  // internal timers in heap
};

Timers& timers() {
  static Timers* t = new Timers;  // never destroyed: Ms may run at exit
  return *t;
}

constexpr size_t kArity = 4;

void place(Timers& ts, size_t i, Entry e) REQUIRES(ts.lock) {
  ts.heap[i] = e;
  e.t->heapIndex = int32_t(i);
}

void siftup(Timers& ts, size_t i) REQUIRES(ts.lock) {
  Entry e = ts.heap[i];
  while (i > 0) {
    size_t parent = (i - 1) / kArity;
    if (ts.heap[parent].when <= e.when) break;
    place(ts, i, ts.heap[parent]);
    i = parent;
  }
  place(ts, i, e);
}

void siftdown(Timers& ts, size_t i) REQUIRES(ts.lock) {
  Entry e = ts.heap[i];
  size_t n = ts.heap.size();
  for (;;) {
    size_t first = kArity * i + 1;
    if (first >= n) break;
    size_t c = first;
    for (size_t k = first + 1; k < first + kArity && k < n; k++)
      if (ts.heap[k].when < ts.heap[c].when) c = k;
    if (e.when <= ts.heap[c].when) break;
    place(ts, i, ts.heap[c]);
    i = c;
  }
  place(ts, i, e);
}

void removeAt(Timers& ts, size_t i) REQUIRES(ts.lock) {
  if (ts.heap[i].t->internal) ts.internal--;
  Entry last = ts.heap.back();
  ts.heap.pop_back();
  if (i < ts.heap.size()) {
    place(ts, i, last);
    siftdown(ts, i);
    siftup(ts, size_t(last.t->heapIndex));
  }
}

void updateNext(Timers& ts) REQUIRES(ts.lock) {
  // seq_cst: pairs with the timer waiter, which publishes itself and then
  // reads nextWhen, while addtimer stores nextWhen and then reads the
  // waiter (Dekker): one of the two must see the other.
  ts.nextWhen.store(ts.heap.empty() ? 0 : ts.heap[0].when, std::memory_order_seq_cst);
}

// The timer this thread is calling f of, if any: deltimer on it from
// inside f would wait for itself forever.
thread_local Timer* runningHere = nullptr;

// push adds an Idle t to the heap; the caller holds the lock. It returns
// whether t is now the earliest.
bool push(Timers& ts, Timer* t) REQUIRES(ts.lock) {
  t->status = TimerStatus::Waiting;
  if (t->internal) ts.internal++;
  ts.heap.push_back({t->when, t});
  siftup(ts, ts.heap.size() - 1);
  updateNext(ts);
  return t->heapIndex == 0;
}

// A new earliest timer may be earlier than what the sleeping M waits for
// (Go's wakeNetPoller). Called without the lock.
void wakeForEarlier(bool earliest) {
  if (earliest) ensureTimerService();
}

}  // namespace

void addtimer(Timer* t) {
  Timers& ts = timers();
  bool earliest;
  {
    LockGuard g(ts.lock);
    if (t->status != TimerStatus::Idle)
      fatal("addtimer called with initialized timer (status %u): a timer is armed twice",
            unsigned(t->status));
    earliest = push(ts, t);
  }
  wakeForEarlier(earliest);
}

bool modtimer(Timer* t, int64_t when, void (*f)(void*), void* arg) {
  Timers& ts = timers();
  bool pending, earliest;
  {
    LockGuard g(ts.lock);
    t->f = f;
    t->arg = arg;
    pending = t->status == TimerStatus::Waiting;
    if (pending) {
      // Move it in place: earlier goes up, later goes down.
      size_t i = size_t(t->heapIndex);
      t->when = when;
      ts.heap[i].when = when;
      siftup(ts, i);
      siftdown(ts, size_t(t->heapIndex));
      updateNext(ts);
      earliest = t->heapIndex == 0;
    } else {
      t->when = when;
      earliest = push(ts, t);
    }
  }
  wakeForEarlier(earliest);
  return pending;
}

bool deltimer(Timer* t) {
  if (t == runningHere) fatal("deltimer called from the timer's own function: it would wait for itself");
  Timers& ts = timers();
  bool pending = false;
  for (;;) {
    {
      LockGuard g(ts.lock);
      if (t->status == TimerStatus::Waiting) {
        removeAt(ts, size_t(t->heapIndex));
        t->heapIndex = -1;
        t->status = TimerStatus::Idle;
        updateNext(ts);
        pending = true;
      }
      if (t->running == 0) return pending;
    }
    // f is being called on another M: it is short and never blocks. Once
    // it returns (running drops under the lock) nobody touches t again.
    osyield();
  }
}

int64_t runtimers(int64_t now) {
  Timers& ts = timers();
  int64_t next = ts.nextWhen.load(std::memory_order_relaxed);
  if (next == 0 || next > now) return next;
  ts.lock.lock();
  while (!ts.heap.empty() && ts.heap[0].when <= now) {
    Timer* t = ts.heap[0].t;
    removeAt(ts, 0);
    t->heapIndex = -1;
    t->status = TimerStatus::Idle;
    t->running++;
    updateNext(ts);
    void (*f)(void*) = t->f;
    void* arg = t->arg;
    ts.lock.unlock();
    Timer* outer = runningHere;
    runningHere = t;
    f(arg);
    runningHere = outer;
    ts.lock.lock();
    // The last access to t by this M: after this a deltimer may return
    // and its owner free t.
    t->running--;
  }
  updateNext(ts);
  next = ts.nextWhen.load(std::memory_order_relaxed);
  ts.lock.unlock();
  return next;
}

int64_t nextwhen() { return timers().nextWhen.load(std::memory_order_seq_cst); }

int64_t timersArmed() {
  Timers& ts = timers();
  LockGuard g(ts.lock);
  return int64_t(ts.heap.size()) - ts.internal;
}

int64_t whenAfter(int64_t d) {
  int64_t now = nanotime();
  if (d <= 0) return now;
  return d > INT64_MAX - now ? INT64_MAX : now + d;
}

}  // namespace cbridge::rt
