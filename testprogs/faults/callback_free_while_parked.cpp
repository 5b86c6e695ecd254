// SPDX-License-Identifier: MIT
// A callback freed by another thread while its handler is parked (issue
// #11.3). Each slot's callback is called, directly by a task (the handler
// may resume on another M) or by a C thread (the handler parks on its
// extra M); once the handler is in flight it tells the freer, which
// destroys the callback under it and later makes a new one for the slot.
// The handler parks until the free is done, then reads the state its
// callback owns: alive, because the call holds the closure, however many
// Ms it moved over. Without that, the read is a use after free (ASan
// reports it; elsewhere the result is wrong). Prints PASS.
//
// callback_free_while_parked ROUNDS: ROUNDS calls in all.
#include <cbridge/callback.hpp>
#include <cbridge/task.hpp>
#include <cbridge/waitgroup.hpp>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <thread>
#include <vector>

namespace {

constexpr int kTaskSlots = 8;
constexpr int kThreadSlots = 2;
constexpr int kSlots = kTaskSlots + kThreadSlots;

// A slot's round: Idle (a callback to call) → InFlight (its handler runs)
// → Freed (the freer destroyed it) → Done (the call returned) → Idle.
enum State { Idle, InFlight, Freed, Done };

struct Slot {
  std::atomic<int> state{Done};
  cbridge::Callback<int(int)>* cb = nullptr;  // the freer's; read by the caller in Idle
};

Slot slots[kSlots];
std::atomic<long> bad{0}, calls{0};
std::atomic<bool> stop{false};

// The handler's own state: the callback's closure owns it.
struct Payload {
  std::vector<int> add;
  explicit Payload(int k) : add(64, k) {}
};

cbridge::Callback<int(int)>* make(int k) {
  Slot* s = &slots[k];
  return new cbridge::Callback<int(int)>([s, p = Payload(k)](int x) {
    s->state.store(InFlight, std::memory_order_release);
    for (int spin = 0; s->state.load(std::memory_order_acquire) != Freed; spin++) {
      if (spin % 4 == 3)
        cbridge::sleep_for(std::chrono::microseconds(1));
      else
        cbridge::yield();
    }
    return x + p.add[unsigned(x) % p.add.size()];
  });
}

// callOnce waits for the slot's callback and calls it.
bool callOnce(int k, int x, void (*wait)()) {
  Slot* s = &slots[k];
  while (s->state.load(std::memory_order_acquire) != Idle) {
    if (stop.load(std::memory_order_relaxed)) return false;
    wait();
  }
  int (*fn)(int) = s->cb->fn();
  if (fn(x) != x + k) bad++;
  calls++;
  s->state.store(Done, std::memory_order_release);
  return true;
}

// freer serves every slot: frees a callback whose handler is in flight,
// makes a new one for a slot whose call is done.
void freer() {
  while (!stop.load(std::memory_order_relaxed)) {
    bool idle = true;
    for (int k = 0; k < kSlots; k++) {
      Slot* s = &slots[k];
      int st = s->state.load(std::memory_order_acquire);
      if (st == InFlight) {
        delete s->cb;
        s->cb = nullptr;
        s->state.store(Freed, std::memory_order_release);
        idle = false;
      } else if (st == Done) {
        s->cb = make(k);
        s->state.store(Idle, std::memory_order_release);
        idle = false;
      }
    }
    if (idle) std::this_thread::yield();
  }
}

}  // namespace

int main(int argc, char** argv) {
  long rounds = argc > 1 ? atol(argv[1]) : 100000;
  long perSlot = rounds / kSlots;
  std::thread f(freer);
  std::vector<std::thread> threads;
  for (int k = kTaskSlots; k < kSlots; k++)
    threads.emplace_back([k, perSlot] {
      for (long i = 0; i < perSlot; i++) callOnce(k, int(i), [] { std::this_thread::yield(); });
    });
  cbridge::run([perSlot] {
    cbridge::WaitGroup wg;
    for (int k = 0; k < kTaskSlots; k++) {
      wg.add(1);
      cbridge::go([k, perSlot, &wg] {
        for (long i = 0; i < perSlot; i++) callOnce(k, int(i), [] { cbridge::yield(); });
        wg.done();
      });
    }
    wg.wait();
  });
  for (auto& t : threads) t.join();
  stop = true;
  f.join();
  for (auto& s : slots) delete s.cb;
  if (calls != perSlot * kSlots || bad != 0) {
    printf("FAIL calls=%ld of %ld bad=%ld\n", calls.load(), perSlot * kSlots, bad.load());
    return 1;
  }
  printf("PASS\n");
  return 0;
}
