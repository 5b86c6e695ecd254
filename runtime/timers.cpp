#include "runtime/timers.hpp"

#include <cstdint>
#include <vector>

#include "runtime/lock.hpp"
#include "runtime/os_linux.hpp"
#include "runtime/proc.hpp"

namespace cbridge::rt {

namespace {

// The heap of armed timers. Invariant: heap[i]->heapIndex == i and
// heap[i]->status == Waiting for every i; nextWhen == heap[0]->when or 0.
// All under lock. nextWhen is also read without the lock as a hint: a
// reader that acts on it takes the lock.
struct Timers {
  Lock lock;
  std::vector<Timer*> heap;
  std::atomic<int64_t> nextWhen{0};
};

Timers& timers() {
  static Timers* t = new Timers;  // never destroyed: Ms may run at exit
  return *t;
}

void place(Timers& ts, size_t i, Timer* t) {
  ts.heap[i] = t;
  t->heapIndex = int32_t(i);
}

void siftup(Timers& ts, size_t i) {
  Timer* t = ts.heap[i];
  while (i > 0) {
    size_t parent = (i - 1) / 2;
    if (ts.heap[parent]->when <= t->when) break;
    place(ts, i, ts.heap[parent]);
    i = parent;
  }
  place(ts, i, t);
}

void siftdown(Timers& ts, size_t i) {
  Timer* t = ts.heap[i];
  size_t n = ts.heap.size();
  for (;;) {
    size_t c = 2 * i + 1;
    if (c >= n) break;
    if (c + 1 < n && ts.heap[c + 1]->when < ts.heap[c]->when) c++;
    if (t->when <= ts.heap[c]->when) break;
    place(ts, i, ts.heap[c]);
    i = c;
  }
  place(ts, i, t);
}

void removeAt(Timers& ts, size_t i) {
  Timer* last = ts.heap.back();
  ts.heap.pop_back();
  if (i < ts.heap.size()) {
    place(ts, i, last);
    siftdown(ts, i);
    siftup(ts, last->heapIndex);
  }
}

void updateNext(Timers& ts) {
  // seq_cst: pairs with the timer waiter, which publishes itself and then
  // reads nextWhen, while addtimer stores nextWhen and then reads the
  // waiter (Dekker): one of the two must see the other.
  ts.nextWhen.store(ts.heap.empty() ? 0 : ts.heap[0]->when, std::memory_order_seq_cst);
}

}  // namespace

void addtimer(Timer* t) {
  Timers& ts = timers();
  bool earliest;
  {
    LockGuard g(ts.lock);
    t->status = TimerStatus::Waiting;
    ts.heap.push_back(t);
    siftup(ts, ts.heap.size() - 1);
    earliest = t->heapIndex == 0;
    updateNext(ts);
  }
  // A new earliest timer may be earlier than what the sleeping M waits
  // for (Go's wakeNetPoller).
  if (earliest) ensureTimerService();
}

bool deltimer(Timer* t) {
  Timers& ts = timers();
  for (;;) {
    {
      LockGuard g(ts.lock);
      if (t->status == TimerStatus::Waiting) {
        removeAt(ts, size_t(t->heapIndex));
        t->heapIndex = -1;
        t->status = TimerStatus::Idle;
        updateNext(ts);
        return true;
      }
      if (t->status == TimerStatus::Idle) return false;
    }
    osyield();  // Running: f is being called on another M
  }
}

int64_t runtimers(int64_t now) {
  Timers& ts = timers();
  int64_t next = ts.nextWhen.load(std::memory_order_relaxed);
  if (next == 0 || next > now) return next;
  ts.lock.lock();
  while (!ts.heap.empty() && ts.heap[0]->when <= now) {
    Timer* t = ts.heap[0];
    removeAt(ts, 0);
    t->heapIndex = -1;
    t->status = TimerStatus::Running;
    updateNext(ts);
    void (*f)(void*) = t->f;
    void* arg = t->arg;
    ts.lock.unlock();
    f(arg);
    ts.lock.lock();
    // f may have re-armed t (a periodic timer): only a still-Running
    // timer goes back to Idle.
    if (t->status == TimerStatus::Running) t->status = TimerStatus::Idle;
  }
  updateNext(ts);
  next = ts.nextWhen.load(std::memory_order_relaxed);
  ts.lock.unlock();
  return next;
}

int64_t nextwhen() { return timers().nextWhen.load(std::memory_order_seq_cst); }

int64_t whenAfter(int64_t d) {
  int64_t now = nanotime();
  if (d <= 0) return now;
  return d > INT64_MAX - now ? INT64_MAX : now + d;
}

}  // namespace cbridge::rt
