// sysmon watches the scheduler from its own thread, without a P, so it
// keeps running when every M is busy or blocked (Go's sysmon). Retaking Ps
// from Ms stuck in foreign calls and preemption requests join this loop
// with the bridge; today it makes sure overdue timers get an M and
// returns idle cached stacks to the OS.
#include "runtime/sysmon.hpp"

#include <pthread.h>

#include "runtime/fatal.hpp"
#include "runtime/note.hpp"
#include "runtime/os_linux.hpp"
#include "runtime/proc.hpp"
#include "runtime/stack.hpp"
#include "runtime/timers.hpp"

namespace cbridge::rt {

namespace {

// stopNote is woken once, by sysmonStop; the thread sleeps on it between
// rounds, so stopping never waits out a full delay.
Note stopNote;
pthread_t thread;

// Cached task stacks unused for a whole period go back to the OS.
constexpr int64_t kScavengePeriodNs = 2000000000;

void* sysmon(void*) {
  // Go's pacing: 20 µs while there is work, doubling after 50 idle rounds
  // up to 10 ms.
  int64_t delayUs = 20;
  int idle = 0;
  int64_t lastScavenge = nanotime();
  for (;;) {
    if (idle == 0)
      delayUs = 20;
    else if (idle > 50)
      delayUs = delayUs * 2 > 10000 ? 10000 : delayUs * 2;
    if (stopNote.tsleep(delayUs * 1000)) return nullptr;
    int64_t now = nanotime();
    if (now - lastScavenge > kScavengePeriodNs) {
      gfscavenge();
      stackscavenge();
      lastScavenge = now;
    }
    int64_t next = nextwhen();
    if (next != 0 && next < now) {
      // A timer is overdue: nobody is waiting for it (every M was busy
      // or asleep). Wake the waiter or start an M.
      ensureTimerService();
      idle = 0;
    } else {
      idle++;
    }
  }
}

}  // namespace

void sysmonStart() {
  int err = pthread_create(&thread, nullptr, sysmon, nullptr);
  if (err != 0) fatal("failed to create the sysmon thread (pthread_create: error %d)", err);
}

void sysmonStop() {
  stopNote.wakeup();
  pthread_join(thread, nullptr);
}

}  // namespace cbridge::rt
