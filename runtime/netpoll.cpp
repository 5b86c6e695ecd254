// SPDX-License-Identifier: MIT
// The netpoller's generic part (Go's netpoll.go): pollDescs and their
// fdseq tags, deadlines, the break rule, readying waiters. The OS's
// poller is a backend under it (netpoll_backend.hpp): epoll
// (netpoll_epoll.cpp) or io_uring (netpoll_uring.cpp), picked once, or on
// Windows an I/O completion port (netpoll_iocp.cpp).
#include "runtime/netpoll.hpp"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <new>

#include "runtime/fatal.hpp"
#include "runtime/netpoll_backend.hpp"
#include "runtime/os.hpp"
#include "runtime/proc.hpp"
#include "runtime/runq.hpp"
#include "runtime/spanset.hpp"
#include "runtime/tagptr.hpp"
#include "runtime/trace.hpp"
#include "runtime/tsan_io.hpp"

namespace cbridge::rt {

namespace {

Lock initLock{LockRank::NetpollInit};
// The backend in use: written once under initLock, before inited (release,
// so that the backend's own state, made by its init, is seen with it).
const NetpollBackend* backend = nullptr;
std::atomic<bool> inited{false};
// Plain threads parked on the poller (tasks count in P::netpollWaiters).
// seq_cst: a thread that parks makes sure an M will poll (pollwait), and
// that M must see it.
std::atomic<int64_t> threadWaiters{0};
// 1 while a break is written and not yet read: breaks coalesce (Go's
// netpollWakeSig).
std::atomic<uint32_t> breakPending{0};
// Events delivered by polls without a P (the others count in P); stale
// events and breaks, which are rare.
alignas(64) std::atomic<uint64_t> nEvents{0};
std::atomic<uint64_t> nStale{0}, nBreaks{0}, nBreaksLost{0};

// addWaiter counts a waiter parking (+1) or woken (-1).
void addWaiter(bool task, int64_t n) {
  if (task) {
    P* pp = getm()->p;  // a running task's M holds a P
    pp->netpollWaiters.store(pp->netpollWaiters.load(std::memory_order_relaxed) + n,
                             std::memory_order_relaxed);
  } else {
    threadWaiters.fetch_add(n, std::memory_order_seq_cst);
  }
}

// drainBreak consumes the break entry for a poll that waited at most
// delay, so that the next netpollBreak wakes again.
void drainBreak(int64_t delay) {
  backend->drainBreak();
  breakPending.store(0, std::memory_order_release);
  nBreaks.fetch_add(1, std::memory_order_relaxed);
  if (delay == 0) nBreaksLost.fetch_add(1, std::memory_order_relaxed);  // see NetpollStats
}

// How many readers in a row netpollAfterWrite puts in runnext.
constexpr uint32_t kPollAfterWriteChain = 4;

void countEvents(int n) {
  M* m = getm();
  if (m != nullptr && m->p != nullptr) {
    P* pp = m->p;
    pp->netpollEvents.store(pp->netpollEvents.load(std::memory_order_relaxed) + uint64_t(n),
                            std::memory_order_relaxed);
  } else {
    nEvents.fetch_add(uint64_t(n), std::memory_order_relaxed);
  }
}

// The pollDesc cache: pollDescs live in regions that are never unmapped
// (type-stable, as Go's pollCache), so an event carrying a pointer into
// one is always safe to read, and a data word is checked against the
// regions before it is read at all (an unknown one is a fatal error,
// never a wild read). Region i holds kFirstRegion << i pollDescs, all
// constructed when it is mapped; regions and nRegions are published with
// release and read with acquire by pollevent, without growLock (they only
// grow). Free pollDescs are in a span set (spanset.hpp): every M opens and
// closes files, and any free pollDesc serves (its fdseq, not its
// identity, tells events apart), so no order is needed and no lock is.
// growLock only serializes mapping a region. The ring holds every
// pollDesc the regions can have, so a free one always fits.
constexpr int kFirstRegion = 256;
// At most 256 * (2^14 - 1) = 4,194,048 pollDescs: 4 times Linux's default
// fs.nr_open, the most files a process may have open.
constexpr int kMaxRegions = 14;
constexpr uint32_t kPdFreeRing = 1u << 14;
static_assert(SpanSet<PollDesc, kPdFreeRing>::capacity() >= (uint64_t(kFirstRegion) << kMaxRegions) - kFirstRegion,
              "every pollDesc fits in the free set");
SpanSet<PollDesc, kPdFreeRing> freePds;
Lock growLock{LockRank::PollCache};
std::atomic<PollDesc*> regions[kMaxRegions];
std::atomic<int> nRegions{0};
// Set once by netpollShutdown; seq_cst: pollwait checks it under the pollDesc lock after publishing
// its waiter, netpollShutdown sets it before taking each pollDesc lock, so
// a waiter either sees it or is found.
std::atomic<bool> shutDown{false};

size_t regionSize(int i) { return size_t(kFirstRegion) << i; }

void pdfree(PollDesc* pd) {
  if (!freePds.push(pd)) fatal("netpoll: the pollDesc free set is full");
}

PollDesc* pdalloc() {
  if (PollDesc* pd = freePds.pop()) return pd;
  LockGuard g(growLock);
  // Another M may have grown the cache meanwhile; a pop that found the
  // set empty only because a push was installing a block finds it now.
  if (PollDesc* pd = freePds.pop()) return pd;
  int i = nRegions.load(std::memory_order_relaxed);
  if (i == kMaxRegions) fatal("netpoll: more than %zu pollable files open at once", regionSize(i) - kFirstRegion);
  size_t n = regionSize(i);
  void* mem = sysAlloc(n * sizeof(PollDesc));
  if (mem == nullptr) fatal("out of memory allocating pollDescs: %s", strerror(errno));
  auto* region = static_cast<PollDesc*>(mem);
  for (size_t j = 0; j < n; j++) {
    PollDesc* pd = new (&region[j]) PollDesc;
    pd->rd.owner = pd->wd.owner = pd;
    pd->rd.mode = 'r';
    pd->wd.mode = 'w';
  }
  regions[i].store(region, std::memory_order_release);
  nRegions.store(i + 1, std::memory_order_release);
  for (size_t j = 1; j < n; j++) pdfree(&region[j]);
  return &region[0];
}

// pdlookup returns the pollDesc at address p if p is one, else nullptr.
PollDesc* pdlookup(uint64_t p) {
  int n = nRegions.load(std::memory_order_acquire);
  for (int i = 0; i < n; i++) {
    auto base = reinterpret_cast<uint64_t>(regions[i].load(std::memory_order_acquire));
    uint64_t off = p - base;  // wraps for p < base
    if (off < regionSize(i) * sizeof(PollDesc) && off % sizeof(PollDesc) == 0)
      return reinterpret_cast<PollDesc*>(p);
  }
  return nullptr;
}

// pdrelease frees pd for reuse; events still queued for it now carry a
// stale tag.
void pdrelease(PollDesc* pd) {
  {
    LockGuard g(pd->lock);
    pd->fdseq.store(pd->fdseq.load(std::memory_order_relaxed) + 1, std::memory_order_release);
    pd->fd = -1;
  }
  pdfree(pd);
}

// A poller entry's data word (polltag) is a tagged pointer (tagptr.hpp):
// the pollDesc, and in the tag its source (kSourceBits) above which the
// low 16 bits of its fdseq.
constexpr int kSourceBits = 2;
constexpr uint64_t kSeqMask = 0xFFFF;
static_assert(16 + kSourceBits <= tagptr::kTagBits, "a poll tag's fdseq and source fit the tag");

PollSource tagSource(uint64_t data) { return PollSource(tagptr::tag(data) & ((1 << kSourceBits) - 1)); }
uint64_t tagSeq(uint64_t data) { return tagptr::tag(data) >> kSourceBits; }
uint64_t tagDesc(uint64_t data) { return reinterpret_cast<uint64_t>(tagptr::pointer(data)); }

// takeWaiter removes d's waiter, telling it why it wakes; the caller holds
// the pollDesc's lock and wakes it after unlocking.
Waiter* takeWaiter(PollDesc::Dir& d, PollResult why) {
  Waiter* w = d.waiter;
  if (w != nullptr) {
    *d.result = why;
    d.waiter = nullptr;
  }
  return w;
}

void deadlineFired(void* arg) {
  auto* d = static_cast<PollDesc::Dir*>(arg);
  PollDesc* pd = d->owner;
  pd->lock.lock();
  if (d->timerArmedSeq != d->timerSeq) {  // the deadline changed since
    pd->lock.unlock();
    return;
  }
  d->deadline = -1;
  Waiter* w = takeWaiter(*d, PollResult::Timeout);
  pd->lock.unlock();
  if (w != nullptr) w->wake();
}

void resetDir(PollDesc::Dir& d) {
  d.ready = false;
  d.eventErr = false;
  d.waiter = nullptr;
  d.deadline = 0;
  d.timerSeq++;
}

// pickBackend starts the backend CBRIDGE_NETPOLL names (epoll, the
// default; uring or io_uring), falling back to epoll when io_uring cannot
// start (disabled by io_uring_disabled or a seccomp filter, or a kernel
// without multishot poll). Asked for by name, the fallback is said once.
// epoll is the default, not io_uring: see "Whose thread" in
// netpoll_uring.cpp for what io_uring's readiness costs a process today.
// Windows has one backend, its I/O completion port.
const NetpollBackend* pickBackend() {
#if defined(_WIN32)
  if (!iocpBackend.init()) fatal("netpollinit: no I/O completion port could be made");
  return &iocpBackend;
#else
  const char* want = getenv("CBRIDGE_NETPOLL");
  bool uring = want != nullptr && (strcmp(want, "uring") == 0 || strcmp(want, "io_uring") == 0);
  if (want != nullptr && *want != 0 && !uring && strcmp(want, "epoll") != 0)
    fprintf(stderr, "cbridge: CBRIDGE_NETPOLL=%s is not a poller (epoll, uring): using epoll\n", want);
  if (uring) {
    if (uringBackend.init()) return &uringBackend;
    fprintf(stderr, "cbridge: CBRIDGE_NETPOLL=%s: io_uring cannot start in this process: using epoll\n", want);
  }
  if (!epollBackend.init()) fatal("netpollinit: no poller backend is available");
  return &epollBackend;
#endif
}

// rearm gives a registration the backend ended (see PollEntry::ended)
// back to it while its pollDesc still serves the fd. Under the pollDesc's
// lock, and refused once closing is set: pollclose, which removes the
// registration, comes only after polleventclose set it, so a rearm never
// lands after the removal.
void rearm(uint64_t data) {
  PollDesc* pd = pdlookup(tagDesc(data));
  if (pd == nullptr) return;  // pollevent stopped on it already
  LockGuard g(pd->lock);
  if ((pd->fdseq.load(std::memory_order_relaxed) & kSeqMask) == tagSeq(data) && pd->fd >= 0 && !pd->closing)
    backend->rearm(pd->fd, data);
}

}  // namespace

void netpollinit() {
  if (inited.load(std::memory_order_acquire)) return;
  LockGuard g(initLock);
  if (inited.load(std::memory_order_relaxed)) return;
  backend = pickBackend();
  inited.store(true, std::memory_order_release);
}

bool netpollinited() { return inited.load(std::memory_order_acquire); }

uint64_t polltag(const PollDesc* pd, uint64_t fdseq) {
  return tagptr::pack(pd, (fdseq & kSeqMask) << kSourceBits | uint64_t(PollSource::Ready));
}

PollSource pollsource(uint64_t data) {
  switch (tagSource(data)) {
    case PollSource::Break: return data == uint64_t(PollSource::Break) ? PollSource::Break : PollSource::Unknown;
    case PollSource::Ready: return pdlookup(tagDesc(data)) != nullptr ? PollSource::Ready : PollSource::Unknown;
    default: return PollSource::Unknown;
  }
}

PollDesc* pollopen(int fd) {
  netpollinit();
  PollDesc* pd = pdalloc();
  uint64_t seq;
  {
    LockGuard g(pd->lock);
    pd->fd = fd;
    pd->closing = false;
    resetDir(pd->rd);
    resetDir(pd->wd);
    seq = pd->fdseq.load(std::memory_order_relaxed);
    pd->fdseq.store(seq, std::memory_order_release);  // see pollevent
  }
  if (int e = backend->open(fd, polltag(pd, seq))) {
    // Never close the registration here: on EEXIST it is another owner's
    // (a File, or another waiter), and removing it would strand its
    // waiter.
    pdrelease(pd);
    errno = e;
    return nullptr;
  }
  return pd;
}

void pollclose(PollDesc* pd) {
  backend->close(pd->fd, polltag(pd, pd->fdseq.load(std::memory_order_relaxed)));
  deltimer(&pd->rd.timer);
  deltimer(&pd->wd.timer);
  pdrelease(pd);
}

void polleventclose(PollDesc* pd) {
  pd->lock.lock();
  pd->closing = true;
  pd->rd.timerSeq++;
  pd->wd.timerSeq++;
  Waiter* r = takeWaiter(pd->rd, PollResult::Closing);
  Waiter* w = takeWaiter(pd->wd, PollResult::Closing);
  pd->lock.unlock();
  if (r != nullptr) r->wake();
  if (w != nullptr) w->wake();
  deltimer(&pd->rd.timer);
  deltimer(&pd->wd.timer);
}

namespace {

// parkOn parks the caller as d's waiter until an event, its deadline, a
// close or the shutdown wakes it, and says which; the caller holds pd's
// lock, which the park releases.
PollResult parkOn(PollDesc* pd, PollDesc::Dir& d, char mode) RELEASE(pd->lock) {
  if (d.waiter != nullptr) fatal("netpoll: two waiters for '%c' on fd %d", mode, pd->fd);
  Waiter w;
  PollResult res = PollResult::Ready;
  d.waiter = &w;
  d.result = &res;
  addWaiter(w.g != nullptr, 1);
  traceNetpollWait(w.g, pd->fd, mode);
  // A task's M polls when it goes idle; a plain thread has no M to do so:
  // make sure one will (an idle M becomes the poller).
  if (w.g == nullptr && !sched->pollBlocked.load(std::memory_order_seq_cst)) ensureTimerService();
  w.parkUnlock(pd->lock, WaitReason::IoWait, int64_t(pd->fd) << 1 | (mode == 'w' ? 1 : 0));
  addWaiter(w.g != nullptr, -1);
  return res;
}

}  // namespace

namespace {

// checkerr is why a wait in mode would end at once (Ready: it would not),
// in the order of Go's netpollcheckerr; the caller holds pd's lock.
PollResult checkerr(PollDesc* pd, PollDesc::Dir& d, char mode) {
  return pd->closing                               ? PollResult::Closing
         : d.deadline < 0                          ? PollResult::Timeout
         : mode == 'r' && d.eventErr               ? PollResult::Error
         : shutDown.load(std::memory_order_seq_cst) ? PollResult::Shutdown
                                                   : PollResult::Ready;
}

}  // namespace

PollResult pollprepare(PollDesc* pd, char mode) {
  PollDesc::Dir& d = mode == 'r' ? pd->rd : pd->wd;
  LockGuard g(pd->lock);
  PollResult early = checkerr(pd, d, mode);
  if (early == PollResult::Ready) d.ready = false;
  return early;
}

PollResult pollwait(PollDesc* pd, char mode) {
  PollDesc::Dir& d = mode == 'r' ? pd->rd : pd->wd;
  pd->lock.lock();
  PollResult early = checkerr(pd, d, mode);
  if (early != PollResult::Ready) {
    pd->lock.unlock();
    return early;
  }
  if (d.ready) {  // edge-triggered: one notification, consumed here
    d.ready = false;
    pd->lock.unlock();
    return PollResult::Ready;
  }
  return parkOn(pd, d, mode);
}

PollResult pollwaitcanceled(PollDesc* pd, char mode) {
  PollDesc::Dir& d = mode == 'r' ? pd->rd : pd->wd;
  for (;;) {
    pd->lock.lock();
    if (shutDown.load(std::memory_order_seq_cst)) {
      pd->lock.unlock();
      return PollResult::Shutdown;
    }
    if (d.ready) {
      d.ready = false;
      pd->lock.unlock();
      return PollResult::Ready;
    }
    // Woken without the completion (the deadline passed or the file
    // closed meanwhile: each wakes a waiter once): wait on.
    if (parkOn(pd, d, mode) == PollResult::Ready) return PollResult::Ready;
  }
}

bool pollsetdeadline(PollDesc* pd, uint64_t seq, int64_t deadline, char mode) {
  for (PollDesc::Dir* d : {&pd->rd, &pd->wd}) {
    if (mode != 'b' && mode != d->mode) continue;
    pd->lock.lock();
    // A freed pollDesc may already serve another fd: touch nothing of it
    // (its timers neither). The owner's operation count keeps it from
    // being freed between here and the end (File's OpGuard).
    bool current = pd->fdseq.load(std::memory_order_relaxed) == seq;
    pd->lock.unlock();
    if (!current) return false;
    deltimer(&d->timer);
    pd->lock.lock();
    d->timerSeq++;
    Waiter* w = nullptr;
    if (deadline != 0 && deadline <= nanotime()) {
      d->deadline = -1;
      w = takeWaiter(*d, PollResult::Timeout);
    } else {
      d->deadline = deadline;
      if (deadline != 0) d->timerArmedSeq = d->timerSeq;
    }
    bool arm = d->deadline > 0;
    pd->lock.unlock();
    // modtimer, not addtimer: a concurrent call on this direction may have
    // armed the timer since our deltimer (timerArmedSeq makes the loser's
    // firing stale), and the timer's fields are the heap lock's.
    if (arm) modtimer(&d->timer, deadline, deadlineFired, d);
    if (w != nullptr) w->wake();
  }
  return true;
}

void netpollShutdown() {
  shutDown.store(true, std::memory_order_seq_cst);
  int n = nRegions.load(std::memory_order_acquire);
  for (int i = 0; i < n; i++) {
    PollDesc* region = regions[i].load(std::memory_order_acquire);
    for (size_t j = 0; j < regionSize(i); j++) {
      PollDesc* pd = &region[j];
      Waiter* wake[2] = {nullptr, nullptr};
      pd->lock.lock();
      // Only plain threads: a parked task's M stops with the runtime, and
      // readying it would queue it where no M will run it.
      if (pd->rd.waiter != nullptr && pd->rd.waiter->g == nullptr)
        wake[0] = takeWaiter(pd->rd, PollResult::Shutdown);
      if (pd->wd.waiter != nullptr && pd->wd.waiter->g == nullptr)
        wake[1] = takeWaiter(pd->wd, PollResult::Shutdown);
      pd->lock.unlock();
      for (Waiter* w : wake)
        if (w != nullptr) w->wake();
    }
  }
}

int pollevent(uint64_t data, uint32_t events, int64_t delay, WakeList* out) {
  PollSource source = tagSource(data);
  if (source == PollSource::Break) {
    // Seed 000's rule (Go's netpoll_epoll.go), on every backend: only a poll that blocks
    // drains the break. A non-blocking one (after a write, or sysmon's)
    // leaves it readable, so the poller it was written for still wakes:
    // had we drained it, that poller, woken in the kernel, would find the
    // eventfd empty and sleep on, past the timer it was woken for.
    if (delay == 0) return 0;
    drainBreak(delay);
    return 0;
  }
  PollDesc* pd = source == PollSource::Ready ? pdlookup(tagDesc(data)) : nullptr;
  if (pd == nullptr)
    fatal("netpoll: unknown event source (%s data %#llx, events %#x)", backend ? backend->name : "poller",
          static_cast<unsigned long long>(data), events);
  uint64_t tag = tagSeq(data);
  // The pointer came through the kernel, which is no synchronization in
  // C++'s model (nor to ThreadSanitizer): this acquire pairs with the
  // release store of pollopen (or a later pollclose), so that the
  // pollDesc's construction and setup happen before our use of it.
  (void)pd->fdseq.load(std::memory_order_acquire);
  pd->lock.lock();
  // Checked under the lock: pollclose bumps fdseq under it.
  if ((pd->fdseq.load(std::memory_order_acquire) & kSeqMask) != tag) {
    pd->lock.unlock();
    nStale.fetch_add(1, std::memory_order_relaxed);
    return 0;
  }
  // The kernel made this fd ready after someone's write: hand that
  // ordering to ThreadSanitizer before the waiters run (tsanIoAcquire).
  tsanIoAcquire();
  Waiter* wake[2] = {nullptr, nullptr};
  // As Go: the error bit is set by an event that is EPOLLERR alone and
  // cleared by any other, only with a matching seq (#59545); a read wait
  // then fails. An error that comes with EPOLLIN or EPOLLHUP is the
  // socket's own, which the next read or write reports more precisely.
  bool err = events == kPollErr;
  pd->rd.eventErr = pd->wd.eventErr = err;
  if (events & (kPollIn | kPollRdHup | kPollHup | kPollErr)) {
    wake[0] = takeWaiter(pd->rd, err ? PollResult::Error : PollResult::Ready);
    if (wake[0] == nullptr) pd->rd.ready = true;
  }
  if (events & (kPollOut | kPollHup | kPollErr)) {
    wake[1] = takeWaiter(pd->wd, PollResult::Ready);
    if (wake[1] == nullptr) pd->wd.ready = true;
  }
  traceNetpollReady(pd->fd, wake);
  pd->lock.unlock();
  out->events++;
  int n = 0;
  for (Waiter* w : wake)
    if (w != nullptr) {
      out->w[out->n++] = w;
      n++;
    }
  return n;
}

int netpoll(int64_t delay, WakeList* out) {
  if (!netpollinited()) return 0;
  PollEntry evs[128];  // at most WakeList::kMax / 2: each readies up to two waiters
  int n = backend->poll(delay, evs, 128);
  int woke = 0, events = out->events;
  for (int i = 0; i < n; i++) {
    if (evs[i].stale) {
      nStale.fetch_add(1, std::memory_order_relaxed);
      continue;
    }
    woke += pollevent(evs[i].data, evs[i].events, delay, out);
    if (evs[i].ended) rearm(evs[i].data);
  }
  if (out->events != events) countEvents(out->events - events);
  return woke;
}

void netpollBreak() {
  if (!netpollinited()) return;
  if (breakPending.exchange(1, std::memory_order_acq_rel) != 0) return;
  backend->wake();
}

void netpollAfterWrite() {
  M* m = getm();
  P* pp = m != nullptr ? m->p : nullptr;
  // No look at waiters: its line bounces between the Ps; with nobody
  // waiting the poll finds nothing and backs off.
  if (pp == nullptr) return;
  if (pp->pollAfterWriteSkip > 0) {
    pp->pollAfterWriteSkip--;
    return;
  }
  WakeList ready;
  netpoll(0, &ready);
  // Our reader's event is the newest: the write queued it just now.
  if (G* reader = ready.takeNewestTask()) {
    pp->pollAfterWriteMisses = 0;
    // Every kPollAfterWriteChain-th reader goes to the tail instead: a
    // request/response pair over a socket hands off every few µs, and a
    // 10 ms slice of it (a channel pair's bound) would make every other
    // connection on this P wait 10 ms. The reader stays on this P either
    // way, which is what keeps its buffers in cache.
    bool next = ++pp->pollAfterWriteChain < kPollAfterWriteChain;
    if (!next) pp->pollAfterWriteChain = 0;
    runqput(pp, reader, next);
  } else {
    if (pp->pollAfterWriteMisses < 10) pp->pollAfterWriteMisses++;
    pp->pollAfterWriteSkip = (1u << pp->pollAfterWriteMisses) - 1;
  }
  ready.queueOn(pp);
}

int64_t netpollWaiters() {
  int64_t n = threadWaiters.load(std::memory_order_seq_cst);
  for (int32_t i = 0; i < sched->gomaxprocs; i++)
    n += sched->allp[i]->netpollWaiters.load(std::memory_order_relaxed);
  return n;
}

NetpollStats netpollstats() {
  uint64_t events = nEvents.load(std::memory_order_relaxed);
  for (int32_t i = 0; i < sched->gomaxprocs; i++)
    events += sched->allp[i]->netpollEvents.load(std::memory_order_relaxed);
  return {events, nStale.load(std::memory_order_relaxed), nBreaks.load(std::memory_order_relaxed),
          nBreaksLost.load(std::memory_order_relaxed), netpollinited() ? backend->name : "none"};
}

void WakeList::queueOn(P* pp) {
  bool queued = false;
  while (G* gp = takeTask()) {
    runqput(pp, gp, false);
    queued = true;
  }
  wakeAll();  // what is left are threads
  if (queued) wakep();
}

G* WakeList::takeTask() {
  for (int i = 0; i < n; i++)
    if (w[i]->g != nullptr) return takeAt(i);
  return nullptr;
}

G* WakeList::takeNewestTask() {
  for (int i = n - 1; i >= 0; i--)
    if (w[i]->g != nullptr) return takeAt(i);
  return nullptr;
}

G* WakeList::takeAt(int i) {
  G* gp = w[i]->g;
  w[i] = w[--n];
  GStatus expected = GStatus::Waiting;
  if (!gp->status.compare_exchange_strong(expected, GStatus::Runnable, std::memory_order_acq_rel))
    fatal("netpoll: task %llu is not waiting (status %u)", static_cast<unsigned long long>(gp->id),
          static_cast<unsigned>(expected));
  traceGoUnpark(gp);
  return gp;
}

}  // namespace cbridge::rt
