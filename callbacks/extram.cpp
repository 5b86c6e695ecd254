// SPDX-License-Identifier: MIT
#include "callbacks/extram.hpp"

#include <atomic>
#include <new>

#include "runtime/fatal.hpp"
#include "runtime/os.hpp"
#include "runtime/preempt.hpp"
#include "runtime/proc.hpp"
#include "runtime/signals.hpp"
#include "runtime/stack.hpp"
#include "runtime/trace.hpp"
#include "stackbounds/stackbounds.hpp"

namespace cbridge::cb {

namespace {

using rt::M;

// The extra-M list: a lock-free (Treiber) stack. Ms are never freed, so a
// popped M stays valid memory; the ABA problem (an M popped and pushed
// back between a reader's load and its CAS) is prevented by a 16-bit
// generation in the top bits of the head word, bumped by every change.
// acq_rel on the CAS: a pusher's writes to the M (and its extralink) are
// seen by the popper.
std::atomic<uint64_t> extram{0};
std::atomic<int64_t> nidle{0};
std::atomic<int64_t> ninuse{0};

// The stacks of idle extra Ms. Each extra M keeps its G (and its stack)
// for the next thread, so a spike of threads whose handlers ran deep
// would keep every page they touched for good. Of the idle extra Ms only
// kWarmExtraMs keep their stack committed (nwarm counts them; an M is
// warm or not by extraStackWarm, which its holder owns): a thread that
// ends beyond that releases its M's stack as it drops it, and sysmon
// releases the warm ones too once none was taken for a whole scavenge
// period. Relaxed: the counts only decide how much is kept.
constexpr int64_t kWarmExtraMs = 8;
std::atomic<int64_t> nwarm{0};
std::atomic<uint64_t> npops{0};  // Ms taken off the list, ever
uint64_t lastScavengePops = 0;   // sysmon's own
std::atomic<uint64_t> stacksReleased{0};

// takeWarm: m, just taken off the list, is no longer idle; it says
// whether m's stack was still committed.
bool takeWarm(M* m) {
  if (!m->extraStackWarm) return false;
  m->extraStackWarm = false;
  nwarm.fetch_sub(1, std::memory_order_relaxed);
  return true;
}

void releaseStack(M* m) {
  rt::stackrelease(m->extrag->stack);
  stacksReleased.fetch_add(1, std::memory_order_relaxed);
}

constexpr int kTagShift = 48;
constexpr uint64_t kPtrMask = (uint64_t(1) << kTagShift) - 1;

M* headPtr(uint64_t w) { return reinterpret_cast<M*>(w & kPtrMask); }
uint64_t nextWord(uint64_t old, M* m) {
  return ((old >> kTagShift) + 1) << kTagShift | reinterpret_cast<uint64_t>(m);
}

void extramPush(M* m) {
  uint64_t old = extram.load(std::memory_order_relaxed);
  do {
    m->extralink.store(headPtr(old), std::memory_order_relaxed);
  } while (!extram.compare_exchange_weak(old, nextWord(old, m), std::memory_order_acq_rel,
                                         std::memory_order_relaxed));
  nidle.fetch_add(1, std::memory_order_relaxed);
}

M* extramPop() {
  uint64_t old = extram.load(std::memory_order_acquire);
  for (;;) {
    M* m = headPtr(old);
    if (m == nullptr) return nullptr;
    // m->extralink may be stale if m was popped meanwhile; the tag makes
    // the CAS fail in that case.
    M* next = m->extralink.load(std::memory_order_relaxed);
    if (extram.compare_exchange_weak(old, nextWord(old, next), std::memory_order_acq_rel,
                                     std::memory_order_acquire)) {
      nidle.fetch_sub(1, std::memory_order_relaxed);
      npops.fetch_add(1, std::memory_order_relaxed);
      return m;
    }
  }
}

// newextram makes an extra M with its G (Go's oneNewExtraM): the G is in
// syscall state, as if the thread had called out of managed code.
M* newextram() {
  auto* m = new (std::nothrow) M;
  auto* gp = new (std::nothrow) rt::G;
  if (m == nullptr || gp == nullptr) rt::fatal("out of memory allocating an extra M");
  m->isextra = true;
  // An extra M is in foreign code from its making to its thread's first
  // callback, and again between callbacks and on the extra list (as Go's
  // extra Ms are): a preemptor that read a P's M just before the M's
  // thread ended finds the lock held and is refused, rather than
  // signalling a thread that is gone and leaving the lock to a handler
  // that never runs (models/preempt.pml, OLD_DROPM).
  m->preemptExtLock.store(rt::kExtForeign, std::memory_order_relaxed);
  m->fastrand = uint32_t(reinterpret_cast<uintptr_t>(m) >> 4) | 1;
  gp->isextra = true;
  gp->stack = rt::stackalloc(0);
  gp->status.store(rt::GStatus::Syscall, std::memory_order_relaxed);
  gp->id = rt::sched->goidgen.fetch_add(1, std::memory_order_relaxed) + 1;
  m->extrag = gp;
  rt::traceGoCreate(gp);
  {
    rt::LockGuard g(rt::sched->lock);
    m->id = rt::sched->mnext++;
    m->alllink = rt::sched->allms.load(std::memory_order_relaxed);
    rt::sched->allms.store(m, std::memory_order_release);
    gp->alllink = rt::sched->allgs.load(std::memory_order_relaxed);
    rt::sched->allgs.store(gp, std::memory_order_release);
  }
  rt::sched->msCreated.fetch_add(1, std::memory_order_relaxed);
  return m;
}

// dropm runs at exit of a thread that had an extra M (the thread-local
// key's destructor): the M goes back to the list for another thread.
void dropm(void* arg) {
  auto* m = static_cast<M*>(arg);
  // The P this thread kept since its last callback (in syscall state)
  // goes to whoever should have it, unless sysmon took it already.
  if (rt::P* pp = m->oldp) {
    m->oldp = nullptr;
    rt::PStatus expected = rt::PStatus::Syscall;
    if (pp->status.compare_exchange_strong(expected, rt::PStatus::Idle, std::memory_order_acq_rel))
      rt::handoffp(pp);
  }
  // Not the bounds: this may run on a stack other than the callbacks'.
  rt::unminitSignals(m);
  m->procid = 0;  // its preemptExtLock stays held (see newextram)
  stackbounds::forgetThread(m);
  rt::setm(nullptr);
  ninuse.fetch_sub(1, std::memory_order_relaxed);
  if (nwarm.fetch_add(1, std::memory_order_relaxed) < kWarmExtraMs) {
    m->extraStackWarm = true;
  } else {
    nwarm.fetch_sub(1, std::memory_order_relaxed);
    releaseStack(m);
  }
  extramPush(m);
}

rt::TlsKey makeDropKey() {
  rt::TlsKey k;
  if (!rt::tlskeycreate(&k, dropm)) rt::fatal("tlskeycreate failed for dropm");
  return k;
}

}  // namespace

M* needm(uintptr_t sp) {
  M* m = extramPop();
  if (m != nullptr)
    takeWarm(m);
  else
    m = newextram();
  // Create ahead: the next new thread should not pay for the allocation.
  // One thread at a time: threads that took the last idle Ms together all
  // saw none left, and each made one ahead (16 Ms for 8 threads at once
  // under ASan, where Callback.ShortLivedThreadsReuseMs bounds them to 12).
  // Relaxed: creatingAhead only keeps their number down; the list's CAS
  // publishes the M.
  static std::atomic<bool> creatingAhead{false};
  if (nidle.load(std::memory_order_relaxed) == 0 &&
      !creatingAhead.exchange(true, std::memory_order_relaxed)) {
    extramPush(newextram());
    creatingAhead.store(false, std::memory_order_relaxed);
  }
  ninuse.fetch_add(1, std::memory_order_relaxed);
  rt::setm(m);
  m->procid = rt::gettid();
  static const rt::TlsKey dropKey = makeDropKey();
  rt::tlsset(dropKey, m);
  rt::minitSignals(m);
  // The thread is in foreign code, where no preemption may land: the M's
  // preemptExtLock is held since newextram.
  stackbounds::forgetThread(m);
  stackbounds::callbackUpdateSystemStack(m, sp, false);
  return m;
}

void extramscavenge() {
  uint64_t pops = npops.load(std::memory_order_relaxed);
  bool idle = pops == lastScavengePops;
  lastScavengePops = pops;
  if (!idle || nwarm.load(std::memory_order_relaxed) == 0) return;
  // No thread took an extra M for a whole period: release the warm
  // stacks. Each M is taken off the list while its stack is released (a
  // thread arriving meanwhile finds the list shorter, or empty, and makes
  // a new M), then the list is put back in its order.
  M* taken = nullptr;
  while (M* m = extramPop()) {
    if (takeWarm(m)) releaseStack(m);
    m->schedlink = taken;  // unused by extra Ms otherwise
    taken = m;
  }
  while (taken != nullptr) {
    M* next = taken->schedlink;
    taken->schedlink = nullptr;
    extramPush(taken);
    taken = next;
  }
  lastScavengePops = npops.load(std::memory_order_relaxed);
}

ExtraMStats extramstats() {
  int64_t idle = nidle.load(std::memory_order_relaxed);
  int64_t inUse = ninuse.load(std::memory_order_relaxed);
  return {uint64_t(idle < 0 ? 0 : idle), uint64_t(inUse < 0 ? 0 : inUse),
          stacksReleased.load(std::memory_order_relaxed)};
}

}  // namespace cbridge::cb
